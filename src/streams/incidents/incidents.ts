/**
 * `ironscales_incidents`: one record per incident, its details object as IRONSCALES returns it.
 * Cursor `first_reported_date` (inclusive, microseconds), primary key `incident_id`. Read by the
 * incident passes (reader.ts) together with the other tables they feed.
 *
 * Where IRONSCALES serves no details (404/410: account takeover, Teams, quarantine), the record is
 * built from the list entry; an account-takeover incident also gets its account-takeover details
 * (alerts with IPs, locations, logon times). Where details keep failing (5xx), the record is
 * built from the list entry, marked with the reason, and the details are tried again next sync.
 */
import type { StreamDefinition } from '../../airbyte/stream.js';
import type { IncidentListItem, IronscalesClient } from '../../ironscales/client.js';
import { IronscalesApiError } from '../../ironscales/errors.js';
import { incidentSchema } from './incident-schema.js';
import type { IncidentTable } from './table.js';

export const incidents: IncidentTable = {
  definition: {
    name: 'ironscales_incidents',
    jsonSchema: incidentSchema,
    primaryKey: [['incident_id']],
    cursorField: ['first_reported_date'],
    resumable: true,
    // Measured on the simulator's data (median details body); only used before the first record.
    typicalRecordBytes: 6_000,
  } satisfies StreamDefinition,
  needsDetails: true,
  rowsOf: (incident) => [incident.record],
};

/** IRONSCALES' list labels for account-takeover incidents (the list's incidentType). */
const ACCOUNT_TAKEOVER = /account.?takeover|^ato$/i;

export type IncidentRecord =
  | { kind: 'details'; record: Record<string, unknown> }
  /** No details exist (404/410); the record is built from the list entry (and ATO details). */
  | { kind: 'list_entry'; record: Record<string, unknown>; reason: string }
  /** Details kept failing: built from the list entry, to be completed by a later sync. */
  | { kind: 'pending'; record: Record<string, unknown>; reason: string };

/** The record of one incident: its details, else its account-takeover details, else its list entry. */
export async function fetchIncidentRecord(
  client: IronscalesClient,
  item: IncidentListItem,
  companyId: number,
  detailsRetryBudgetMs: number,
): Promise<IncidentRecord> {
  let result;
  try {
    result = await client.getIncidentDetails(item.incidentID, { retryBudgetMs: detailsRetryBudgetMs });
  } catch (err) {
    if (!(err instanceof IronscalesApiError) || err.failure !== 'unavailable') throw err;
    const reason = `details unavailable: ${err.message}`;
    return { kind: 'pending', reason, record: recordFromListEntry(item, companyId, reason) };
  }
  if (result.found) return { kind: 'details', record: result.details };
  const reason = `HTTP ${result.status}: ${result.message}`;
  const record = recordFromListEntry(item, companyId, reason);
  if (typeof item.incidentType === 'string' && ACCOUNT_TAKEOVER.test(item.incidentType)) {
    const takeover = await client.getAccountTakeoverDetails(item.incidentID);
    // Still built from the list entry (details_unavailable says why), now with what IRONSCALES has on the takeover.
    if (takeover) {
      const withTakeover = `${reason}; account-takeover details attached`;
      return { kind: 'list_entry', reason: withTakeover, record: { ...record, details_unavailable: withTakeover, account_takeover: takeover } };
    }
  }
  return { kind: 'list_entry', reason, record };
}

/** The list's display classification, in the details vocabulary where the mapping is known. */
const LIST_TO_DETAILS_CLASSIFICATION: Record<string, string> = {
  Phishing: 'Attack',
  'Open report': 'Report',
  Spam: 'Spam',
  Safe: 'False Positive',
};

/** A record for an incident without details: the fields the list entry can fill, plus the entry itself. */
export function recordFromListEntry(item: IncidentListItem, companyId: number, reason: string): Record<string, unknown> {
  const listClassification = typeof item.classification === 'string' ? item.classification : null;
  return {
    incident_id: item.incidentID,
    company_id: companyId,
    classification: listClassification === null ? null : (LIST_TO_DETAILS_CLASSIFICATION[listClassification] ?? listClassification),
    first_reported_date: item.created,
    first_reported_by: item.reportedBy ?? null,
    sender_email: item.senderEmail ?? null,
    affected_mailbox_count: item.affectedMailboxesCount ?? null,
    resolved_by: item.resolvedBy ?? null,
    first_challenged_date: item.firstChallengedDate ?? null,
    details_unavailable: reason,
    list_entry: item,
  };
}
