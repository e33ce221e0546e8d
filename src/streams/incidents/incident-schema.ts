/**
 * JSON Schema (draft-07) of an `ironscales_incidents` record: the IRONSCALES incident details
 * object. Every field of the details object is described; scalars are nullable wherever real data
 * has shown nulls (IRONSCALES' own Swagger under-declares that), fields added after 2021 are
 * optional, and additionalProperties stays open because the API grows by adding fields.
 */

import { nullable, TIMESTAMP, type Schema } from '../json-schema.js';

const dateTime = (): Schema => nullable('string', TIMESTAMP);
const object = (properties: Record<string, Schema>, opts: { nullable?: boolean } = {}): Schema => ({
  type: opts.nullable ? ['object', 'null'] : 'object',
  additionalProperties: true,
  properties,
});
const arrayOf = (items: Schema, opts: { nullable?: boolean } = {}): Schema => ({ type: opts.nullable ? ['array', 'null'] : 'array', items });

const mailServer = object({ host: nullable('string'), ip: nullable('string') }, { nullable: true });

export const incidentSchema: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: true,
  required: ['incident_id', 'first_reported_date'],
  properties: {
    incident_id: { type: 'integer', description: 'IRONSCALES incident ID (primary key).' },
    company_id: nullable('integer'),
    company_name: nullable('string'),
    classification: nullable('string', { description: 'Attack, Spam, False Positive, Report or Close Phishing.' }),
    first_reported_by: nullable('string'),
    first_reported_date: {
      type: 'string',
      format: 'date-time',
      airbyte_type: 'timestamp_with_timezone',
      description: 'When the incident was first reported, UTC with microseconds (the cursor).',
    },
    affected_mailbox_count: nullable('integer'),
    sender_reputation: nullable('string'),
    banner_displayed: nullable('string'),
    sender_email: nullable('string'),
    reply_to: nullable('string'),
    spf_result: nullable('string'),
    sender_is_internal: nullable('boolean'),
    themis_proba: nullable('number'),
    themis_verdict: nullable('string'),
    mail_server: mailServer,
    federation: object(
      {
        companies_affected: nullable('integer'),
        companies_marked_phishing: nullable('integer'),
        companies_marked_spam: nullable('integer'),
        companies_marked_fp: nullable('integer'),
        companies_unclassified: nullable('integer'),
        phishing_ratio: nullable('number'),
      },
      { nullable: true },
    ),
    reports: arrayOf(
      object({
        name: nullable('string'),
        email: nullable('string'),
        subject: nullable('string'),
        sender_email: nullable('string'),
        mail_server: mailServer,
        headers: arrayOf(object({ name: nullable('string'), value: nullable('string') }), { nullable: true }),
      }),
      { nullable: true },
    ),
    links: arrayOf(object({ url: nullable('string'), name: nullable('string'), scan_result: nullable('string') }), { nullable: true }),
    attachments: arrayOf(
      object({ file_name: nullable('string'), file_size: nullable('integer'), md5: nullable('string'), scan_result: nullable('string') }),
      { nullable: true },
    ),
    original_email_body: nullable('string'),
    email_body_text: nullable('string'),
    reported_by_end_user: nullable('boolean'),
    reporter_name: nullable('string'),
    challenged_type: nullable('string'),
    challenged_events: arrayOf(
      object({
        challenged_date: nullable('string'),
        challenged_by: nullable('string'),
        challenged_reason: nullable('string'),
        challenged_comment: nullable('string'),
      }),
      { nullable: true },
    ),
    first_challenged_date: dateTime(),
    related_incidents: arrayOf({ type: 'integer' }, { nullable: true }),
    resolved_by: nullable('string'),
    resolved_on: dateTime(),
    reclassified_by: nullable('string'),
    reclassified_on: dateTime(),
    affected_mailboxes: arrayOf(
      object({
        id: nullable('integer'),
        recipient: nullable('string'),
        recipient_id: nullable('integer'),
        employee_active: nullable('boolean'),
        first_reported: nullable('boolean'),
        not_found: nullable('boolean'),
        can_recluster: nullable('boolean'),
      }),
      { nullable: true },
    ),
    is_reclassified: nullable('boolean'),
    original_cluster_incident_id: nullable('integer'),
    can_revert: nullable('boolean'),
    revert_blocked_reason: nullable('string'),
    resolution_tags: arrayOf({ type: 'string' }, { nullable: true }),
    additional_tags: arrayOf({ type: 'string' }, { nullable: true }),
    threat_type: nullable('string'),
    comments: arrayOf(
      object({ id: nullable('integer'), author: nullable('string'), text: nullable('string'), created: dateTime(), type: nullable('string') }),
      { nullable: true },
    ),
    // Only on incidents whose details IRONSCALES does not serve (404/410: account takeover, Teams...):
    // the record is then built from the incident's list entry.
    details_unavailable: nullable('string', { description: 'Set when IRONSCALES has no details for this incident (or they kept failing): the record was built from its list entry, and says why.' }),
    // The incident's entry in the incident list, on every record: the list's own fields (assignee,
    // incidentType, latestEmailDate, counts, its classification label) beside the details'. One
    // object rather than top-level names: no list field can ever collide with a details field,
    // and a field IRONSCALES adds to the list arrives inside it without a schema change.
    list_entry: object(
      {
        incidentID: { type: 'integer' },
        emailSubject: nullable('string'),
        linksCount: nullable('integer'),
        attachmentsCount: nullable('integer'),
        recipientEmail: nullable('string'),
        recipientName: nullable('string'),
        classification: nullable('string', { description: "The list's label: Phishing, Spam, Safe, Open report..." }),
        assignee: nullable('string'),
        senderName: nullable('string'),
        senderEmail: nullable('string'),
        affectedMailboxesCount: nullable('integer'),
        created: dateTime(),
        reportedBy: nullable('string'),
        resolvedBy: nullable('string'),
        challengedType: nullable('string'),
        firstChallengedDate: dateTime(),
        incidentType: nullable('string', { description: 'Email Report, Account Takeover, Teams Report, Microsoft Quarantine...' }),
        commentsCount: nullable('integer'),
        internalCommentsCount: nullable('integer'),
        communityCommentsCount: nullable('integer'),
        releaseRequestCount: nullable('integer'),
        latestEmailDate: dateTime(),
      },
      { nullable: true },
    ),
    // Account-takeover incidents: what GET /incident/{cid}/account-takeover/{iid}/details/ returns, all alert pages merged.
    account_takeover: object(
      {
        id: nullable('integer'),
        account_details: object(
          { name: nullable('string'), title: nullable('string'), department: nullable('string'), email: nullable('string'), country: nullable('string'), phone_number: nullable('string') },
          { nullable: true },
        ),
        alerts: arrayOf(
          object({
            id: nullable('integer'),
            title: nullable('string'),
            description: nullable('string'),
            type: nullable('string'),
            details: arrayOf(object({ ip: nullable('string'), location: nullable('string'), logon_time: dateTime() }), { nullable: true }),
            created: dateTime(),
          }),
          { nullable: true },
        ),
        state: nullable('integer', { description: '2 = Safe, 3 = Compromised (IRONSCALES remediation states).' }),
        original_state: nullable('integer'),
        resolved_by: nullable('string'),
        resolved_on: dateTime(),
        created: dateTime(),
        assignee: object({ id: nullable('integer'), email: nullable('string'), first_name: nullable('string'), last_name: nullable('string') }, { nullable: true }),
      },
      { nullable: true },
    ),
  },
};
