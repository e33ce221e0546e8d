/**
 * `POST /appapi/mitigation/{cid}/details/` with `{"incidents": [ids], "page": n}`: one row per
 * affected mailbox of each requested incident (research §6; XSIAM's mailbox enrichment). Rows are
 * derived from the incident's details (`affected_mailboxes`), so the two always agree.
 */
import { CLS_REPORT, LIST_CLASSIFICATION, buildDetails, type GenContext, type IncidentMeta } from './generator.js';
import { invalidPage, json, type SimResponse } from './responses.js';

export interface MitigationSettings {
  perPage: number;
  maxIncidents: number;
}

interface AffectedMailbox {
  id: number;
  recipient: string;
  recipient_id: number;
  first_reported: boolean;
}

/** The rows of one incident, by mitigationID; none for incidents without details (ATO, Teams…). */
export function mitigationRows(ctx: GenContext, meta: IncidentMeta): Record<string, unknown>[] {
  const details = buildDetails(ctx, meta);
  if (!details) return [];
  const classified = meta.cls !== CLS_REPORT;
  const reports = details['reports'] as Array<{ subject?: string }> | undefined;
  const mailServer = details['mail_server'] as { ip?: string } | undefined;
  const remediated = details['reclassified_on'] ?? details['resolved_on'] ?? null;
  // the seed example incident predates affected_mailboxes
  const affected = [...((details['affected_mailboxes'] as AffectedMailbox[] | undefined) ?? [])].sort((a, b) => a.id - b.id);
  return affected.map((mailbox) => ({
    incidentID: meta.id,
    mitigationID: mailbox.id,
    incidentState: classified ? 'Classified' : 'Unclassified',
    remediatedTime: classified ? remediated : null,
    mailboxId: mailbox.recipient_id,
    mailboxEmail: mailbox.recipient,
    subject: reports?.[0]?.subject ?? null,
    senderEmail: details['sender_email'] ?? null,
    senderIP: mailServer?.ip ?? null,
    reportedBy: mailbox.first_reported ? (details['first_reported_by'] ?? null) : null,
    resolution: classified ? (LIST_CLASSIFICATION[meta.cls] ?? null) : null,
    spfResult: details['spf_result'] ?? null,
  }));
}

/** Validates the body DRF-style, then pages the rows of the known incidents. */
export function mitigationsResponse(
  data: Record<string, unknown>,
  lookup: (id: number) => IncidentMeta | undefined,
  ctx: GenContext,
  settings: MitigationSettings,
): SimResponse {
  const incidents = data['incidents'];
  if (incidents === undefined || incidents === null) return json(400, { incidents: ['This field is required.'] });
  if (!Array.isArray(incidents)) return json(400, { incidents: [`Expected a list of items but got type "${typeof incidents}".`] });
  const bad = incidents.findIndex((id) => !Number.isSafeInteger(id) || (id as number) < 1);
  if (bad >= 0) return json(400, { incidents: { [String(bad)]: ['A valid integer is required.'] } });
  if (incidents.length > settings.maxIncidents) {
    return json(400, { error_message: `Too many incidents in one request (at most ${settings.maxIncidents})` });
  }
  const rawPage = data['page'] ?? 1;
  if (!Number.isSafeInteger(rawPage) || (rawPage as number) < 1) return json(400, { page: ['A valid integer is required.'] });
  const page = rawPage as number;

  const ids = [...new Set(incidents as number[])].sort((a, b) => a - b);
  const rows: Record<string, unknown>[] = [];
  for (const id of ids) {
    const meta = lookup(id);
    if (meta) rows.push(...mitigationRows(ctx, meta));
  }
  const totalPages = Math.ceil(rows.length / settings.perPage);
  if (page > Math.max(totalPages, 1)) return invalidPage();
  return json(200, {
    page,
    total_pages: totalPages,
    mitigations: rows.slice((page - 1) * settings.perPage, page * settings.perPage),
    messages: [],
  });
}
