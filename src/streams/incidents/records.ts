/**
 * How one incident's record is obtained: its details; where IRONSCALES serves none (404/410:
 * account takeover, Teams, quarantine) its list entry, with the account-takeover details where
 * they exist; where its own calls keep failing, its list entry too, marked so a later sync
 * completes it. One broken incident is one broken incident: any failure of its own calls but the
 * token's (a 4xx other than 401, a 5xx, a timeout, a body of the wrong shape) gives the list-entry
 * record; only the outage probe (outage-probe.ts) decides that IRONSCALES itself is down.
 */
import type { DetailsResult, IncidentListItem, IronscalesClient } from '../../ironscales/client.js';
import { IronscalesApiError, type FailureKind } from '../../ironscales/errors.js';

export type IncidentRecord =
  | { kind: 'details'; record: Record<string, unknown>; bytes: number }
  /** No details exist (404/410); the record is built from the list entry (and account-takeover details). */
  | { kind: 'list_entry'; record: Record<string, unknown>; reason: string }
  /** Its own calls kept failing: built from the list entry, to be completed by a later sync. */
  | { kind: 'pending'; record: Record<string, unknown>; reason: string; error: IronscalesApiError };

/** Failures that belong to one incident's calls. The others (the key, the host, a throttle past every budget) stop the sync. */
const PER_INCIDENT: ReadonlySet<FailureKind> = new Set(['unavailable', 'permission', 'bad_request', 'unexpected']);

export function isPerIncidentFailure(err: unknown): err is IronscalesApiError {
  return err instanceof IronscalesApiError && PER_INCIDENT.has(err.failure);
}

/** IRONSCALES' list labels for account-takeover incidents (the list's incidentType). */
const ACCOUNT_TAKEOVER = /account.?takeover|^ato$/i;

/** The details call alone: its answer, or the failure that belongs to this incident. */
export async function fetchDetails(client: IronscalesClient, incidentId: number, retryBudgetMs: number): Promise<DetailsResult | IronscalesApiError> {
  try {
    return await client.getIncidentDetails(incidentId, { retryBudgetMs });
  } catch (err) {
    if (isPerIncidentFailure(err)) return err;
    throw err;
  }
}

/** The record of one incident: its details, else its account-takeover details, else its list entry. */
export async function fetchIncidentRecord(client: IronscalesClient, item: IncidentListItem, companyId: number, retryBudgetMs: number): Promise<IncidentRecord> {
  return recordOf(client, item, companyId, await fetchDetails(client, item.incidentID, retryBudgetMs));
}

/** The record, given what the details call answered. */
export async function recordOf(client: IronscalesClient, item: IncidentListItem, companyId: number, details: DetailsResult | IronscalesApiError): Promise<IncidentRecord> {
  if (details instanceof IronscalesApiError) return pending(item, companyId, `details unavailable: ${details.message}`, details);
  if (details.found) return { kind: 'details', record: withListEntry(details.details, item), bytes: details.bytes };
  const reason = `HTTP ${details.status}: ${details.message}`;
  const record = recordFromListEntry(item, companyId, reason);
  if (typeof item.incidentType !== 'string' || !ACCOUNT_TAKEOVER.test(item.incidentType)) return { kind: 'list_entry', reason, record };
  let takeover;
  try {
    takeover = await client.getAccountTakeoverDetails(item.incidentID);
  } catch (err) {
    if (!isPerIncidentFailure(err)) throw err;
    return pending(item, companyId, `${reason}; account-takeover details unavailable: ${err.message}`, err);
  }
  if (!takeover) return { kind: 'list_entry', reason, record };
  // Still built from the list entry (details_unavailable says why), now with what IRONSCALES has on the takeover.
  const withTakeover = `${reason}; account-takeover details attached`;
  return { kind: 'list_entry', reason: withTakeover, record: { ...record, details_unavailable: withTakeover, account_takeover: takeover } };
}

function pending(item: IncidentListItem, companyId: number, reason: string, error: IronscalesApiError): IncidentRecord {
  return { kind: 'pending', reason, error, record: recordFromListEntry(item, companyId, reason) };
}

/**
 * The details as IRONSCALES returns them, plus the list entry's own fields under `list_entry`
 * (assignee, incidentType, latestEmailDate, counts, the list's classification label...): one
 * shape for every record, no list field can ever collide with a details field, and the list's
 * vocabulary ("Phishing") stays beside the details' ("Attack").
 */
export function withListEntry(details: Record<string, unknown>, item: IncidentListItem): Record<string, unknown> {
  return { ...details, list_entry: item };
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
