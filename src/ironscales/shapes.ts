/**
 * The shapes of IRONSCALES' answers, and the checks that an answer has them. Only what the
 * connector relies on is checked (ids, paging counts, arrays); every other field passes through
 * untouched, since IRONSCALES adds fields over time and the records keep them.
 */
import { IronscalesApiError } from './errors.js';

/** One item of the incident list (camelCase, as IRONSCALES sends it); unknown fields are kept. */
export interface IncidentListItem {
  incidentID: number;
  created: string;
  classification?: string;
  [field: string]: unknown;
}

export interface IncidentListPage {
  page: number;
  total_pages: number;
  total_count: number;
  incidents: IncidentListItem[];
}

/** One row of the mailbox mitigations (one per incident and affected mailbox). */
export interface Mitigation {
  incidentID: number;
  mailboxId?: number;
  mailboxEmail?: string;
  [field: string]: unknown;
}

export interface MitigationsPage {
  page: number;
  total_pages: number;
  mitigations: Mitigation[];
}

export interface Mailbox {
  id: number;
  email?: string;
  [field: string]: unknown;
}

export interface MailboxesPage {
  page: number;
  total_pages: number;
  total_count: number;
  mailboxes: Mailbox[];
}

/** One incident found by a retroactive scan: the list item's shape minus a few fields. */
export interface ScanbackItem {
  incidentID: number;
  created: string;
  [field: string]: unknown;
}

export interface ScanbackPage {
  page: number;
  total_pages: number;
  total_count: number;
  incidents: ScanbackItem[];
}

/** One escalated e-mail: one copy of a reported e-mail in one mailbox. */
export interface EscalatedEmail {
  mitigation_id: number;
  incident_id: number;
  arrival_date: string;
  [field: string]: unknown;
}

export interface EmailsPage {
  page: number;
  total_pages: number;
  total_count: number;
  emails: EscalatedEmail[];
}

export interface DeepfakeEvent {
  event_uuid: string;
  [field: string]: unknown;
}

/** `next_cursor`: the feed position after the last event served (null when none was). */
export interface DeepfakePage {
  events: DeepfakeEvent[];
  next_cursor: number | null;
}

/** An account-takeover page: `incident_details` holds the alerts of this page only. */
export interface AtoDetailsPage {
  incident_details: Record<string, unknown> & { alerts?: unknown[] };
  pages_count?: number;
  page?: number;
}

function unexpectedShape(what: string, value: unknown): IronscalesApiError {
  return new IronscalesApiError('unexpected', `IRONSCALES returned ${what} in an unexpected shape.`, JSON.stringify(value)?.slice(0, 300));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasPaging(body: Record<string, unknown>, counts: readonly string[]): boolean {
  return counts.every((key) => typeof body[key] === 'number');
}

export function parseListPage(body: unknown): IncidentListPage {
  if (!isObject(body) || !Array.isArray(body.incidents) || !hasPaging(body, ['total_pages', 'total_count'])) throw unexpectedShape('an incident list page', body);
  for (const item of body.incidents as unknown[]) {
    if (!isObject(item) || typeof item.incidentID !== 'number' || typeof item.created !== 'string') {
      throw new IronscalesApiError('unexpected', 'IRONSCALES returned an incident list item without incidentID or created.', JSON.stringify(item)?.slice(0, 300));
    }
  }
  return body as unknown as IncidentListPage;
}

export function parseDetails(body: unknown, incidentId: number): Record<string, unknown> {
  if (!isObject(body)) throw unexpectedShape(`the details of incident ${incidentId}`, body);
  return body;
}

export function parseAtoPage(body: unknown, incidentId: number): AtoDetailsPage {
  if (!isObject(body) || !isObject(body.incident_details)) throw unexpectedShape(`the account-takeover details of incident ${incidentId}`, body);
  const alerts = body.incident_details.alerts;
  if (alerts !== undefined && alerts !== null && !Array.isArray(alerts)) throw unexpectedShape(`the account-takeover alerts of incident ${incidentId}`, alerts);
  return body as unknown as AtoDetailsPage;
}

export function parseMitigationsPage(body: unknown): MitigationsPage {
  if (!isObject(body) || !Array.isArray(body.mitigations) || !hasPaging(body, ['total_pages'])) throw unexpectedShape('a mitigations page', body);
  for (const row of body.mitigations as unknown[]) {
    if (!isObject(row) || typeof row.incidentID !== 'number') throw unexpectedShape('a mitigation row without incidentID', row);
  }
  return body as unknown as MitigationsPage;
}

export function parseMailboxesPage(body: unknown): MailboxesPage {
  if (!isObject(body) || !Array.isArray(body.mailboxes) || !hasPaging(body, ['total_pages', 'total_count'])) throw unexpectedShape('a mailbox list page', body);
  for (const row of body.mailboxes as unknown[]) {
    if (!isObject(row) || typeof row.id !== 'number') throw unexpectedShape('a mailbox without id', row);
  }
  return body as unknown as MailboxesPage;
}

export function parseScanbackPage(body: unknown): ScanbackPage {
  if (!isObject(body) || !Array.isArray(body.incidents) || !hasPaging(body, ['total_pages', 'total_count'])) throw unexpectedShape('a scanback incident list page', body);
  for (const item of body.incidents as unknown[]) {
    if (!isObject(item) || typeof item.incidentID !== 'number' || typeof item.created !== 'string') throw unexpectedShape('a scanback incident without incidentID or created', item);
  }
  return body as unknown as ScanbackPage;
}

export function parseEmailsPage(body: unknown): EmailsPage {
  if (!isObject(body) || !Array.isArray(body.emails) || !hasPaging(body, ['total_pages', 'total_count'])) throw unexpectedShape('a page of escalated e-mails', body);
  for (const row of body.emails as unknown[]) {
    if (!isObject(row) || !Number.isSafeInteger(row.mitigation_id) || typeof row.incident_id !== 'number' || typeof row.arrival_date !== 'string') {
      throw unexpectedShape('an escalated e-mail without mitigation_id, incident_id or arrival_date', row);
    }
  }
  return body as unknown as EmailsPage;
}

export function parseDeepfakePage(body: unknown): DeepfakePage {
  if (!isObject(body) || !Array.isArray(body.events)) throw unexpectedShape('a page of deepfake events', body);
  const cursor = body.next_cursor;
  // Events without a position to go on from could only be read again, or skipped.
  const positioned = Number.isSafeInteger(cursor) && (cursor as number) >= 0;
  if (!(positioned || ((cursor === null || cursor === undefined) && body.events.length === 0))) throw unexpectedShape('a page of deepfake events without a usable next_cursor', body);
  for (const event of body.events as unknown[]) {
    if (!isObject(event) || typeof event.event_uuid !== 'string' || event.event_uuid === '') throw unexpectedShape('a deepfake event without event_uuid', event);
  }
  return { events: body.events as DeepfakeEvent[], next_cursor: positioned ? (cursor as number) : null };
}
