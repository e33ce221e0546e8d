/**
 * `GET /appapi/emails/{cid}/` ("List of escalated emails", research §6): one row per copy of a
 * reported e-mail, i.e. per affected mailbox of each e-mail incident, and of each scanback incident
 * (`is_scanback`). Rows agree with the details and the mitigations endpoint: `mitigation_id` is
 * `affected_mailboxes[i].id`, `mailbox_id` its `recipient_id`, `recipient_email` its `recipient`.
 *
 * Every copy arrived before its incident was reported (a regular incident: between the send, 30 s
 * to 2 h before the report, and the report; a scanback incident: up to 14 days before the scan), and
 * a row exists from the moment its incident does: rows show up with an `arrival_date` in the past.
 * Filtering, counting and sorting use cheap per-copy slots; only a page's own incidents have their
 * details built.
 */
import {
  CLS_ATTACK, CLS_CLOSE_PHISHING, CLS_FALSE_POSITIVE, CLS_REPORT, CLS_SPAM, CHALLENGE_TYPES, LIST_CLASSIFICATION, RT_EMAIL,
  buildCore, buildDetails, mailOrigin, mitigationIdBase, type GenContext, type IncidentMeta,
} from './generator.js';
import { Rng, hashInts } from './prng.js';
import { invalidPage, json, type SimResponse } from './responses.js';
import type { IncidentStore, ListQuery } from './store.js';
import { US_PER_SECOND, formatUs, parseIsoUs } from './time.js';
import { FIRST_NAMES, LAST_NAMES } from './vocabulary.js';

export const EMAILS_MAX_PAGE_SIZE = 300_000;
const DEFAULT_PAGE_SIZE = 50;
const HOUR_US = 3600 * US_PER_SECOND;
const DAY_US = 24 * HOUR_US;
/** The latest a copy of a regular incident arrived before the report (the details' send time is at most 2 h before). */
const REGULAR_MAX_AGE_US = 2 * HOUR_US + 5 * US_PER_SECOND;
/** How far back a scanback finds copies. */
const SCANBACK_MAX_AGE_US = 14 * DAY_US + 5 * US_PER_SECOND;
/** Delivery to one mailbox after the send: up to 2 minutes. */
const MAX_DELIVERY_US = 120 * US_PER_SECOND;

/** The threat types the endpoint's `threat_type` filter names (S1: 0–19; 11 and 19 share a label there). */
export const EMAIL_THREAT_TYPES: readonly string[] = [
  'VIP Impersonation', 'Business Email Compromise', 'Financial Fraud', 'Gift Card Request', 'Fraudulent Request',
  'Credential Theft', 'Advance-fee Scam', 'Lottery Scam', 'Extortion', 'Sextortion', 'Vishing Attack', 'Vendor Scam',
  'Invoice Phishing', 'Vendor Email Compromise', 'Suspected Malicious Content', 'Polymorphic Phishing', 'Bulk Phishing',
  'Image-Based Attack', 'QR Code Attack', 'Vendor Scam',
];
/** The `classification` filter's values (S1: 0–5). */
export const EMAIL_CLASSIFICATIONS: readonly string[] = ['Phishing', 'Spam', 'Safe', 'Unclassified', 'Microsoft quarantine', 'Released from Microsoft'];
const CLASSIFICATION_OF_CLS: Record<number, number> = { [CLS_ATTACK]: 0, [CLS_CLOSE_PHISHING]: 0, [CLS_SPAM]: 1, [CLS_FALSE_POSITIVE]: 2, [CLS_REPORT]: 3 };
const DEPARTMENTS = ['Finance', 'Sales', 'Engineering', 'Human Resources', 'Executive', 'Operations', 'Support'];
const CHALLENGES = ['release_request', 'end_user_report'];
const DATE_FORMAT_ERROR = 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

/** One copy of a reported e-mail in one mailbox. */
interface Slot {
  meta: IncidentMeta;
  scanback: boolean;
  index: number;
  arrivalUs: number;
  mitigationId: number;
}

interface EmailQuery {
  startUs?: number;
  endUs?: number;
  incidentId?: number;
  recipient?: string;
  threatTypes: number[] | null;
  classifications: number[] | null;
  scanback?: boolean;
  challengedType?: number;
}

const FIRST_BY_LOCAL = new Map(FIRST_NAMES.map(([name, local]) => [local, name]));
const LAST_BY_LOCAL = new Map(LAST_NAMES.map(([name, local]) => [local, name]));

/** "anna.mueller@…" → "Anna Müller"; null for an address that is no first.last of the vocabulary. */
function nameOfAddress(email: string): string | null {
  const [first, last] = (email.split('@')[0] ?? '').split('.');
  const a = first === undefined ? undefined : FIRST_BY_LOCAL.get(first);
  const b = last === undefined ? undefined : LAST_BY_LOCAL.get(last);
  return a && b ? `${a} ${b}` : null;
}

function threatIndex(ctx: GenContext, id: number): number {
  return hashInts(ctx.seed, id, 24) % EMAIL_THREAT_TYPES.length;
}

export class EscalatedEmails {
  private readonly slots = new WeakMap<IncidentMeta, Omit<Slot, 'meta' | 'scanback'>[]>();
  private readonly cache = new Map<string, Slot[]>();

  constructor(
    private readonly ctx: GenContext,
    private readonly incidents: IncidentStore,
    private readonly scanbacks: IncidentStore,
    /** Most rows one page holds, whatever `page_size` asks (null = none); total_pages follows it. */
    readonly pageCap: number | null = null,
  ) {}

  response(params: URLSearchParams): SimResponse {
    const parsed = parseQuery(params);
    if ('error' in parsed) return parsed.error;
    const { query, page } = parsed;
    const pageSize = Math.min(parsed.pageSize, this.pageCap ?? Infinity);
    const all = this.matching(query);
    const totalPages = Math.ceil(all.length / pageSize);
    if (page > Math.max(totalPages, 1)) return invalidPage();
    return json(200, {
      emails: this.rows(all.slice((page - 1) * pageSize, page * pageSize)),
      page,
      total_pages: totalPages,
      total_count: all.length,
    });
  }

  /** Every row there is (or of the given incidents only), in the endpoint's order (for tests). */
  all(incidentIds?: number[]): Record<string, unknown>[] {
    if (incidentIds === undefined) return this.rows(this.matching({ threatTypes: null, classifications: null }));
    const slots = incidentIds.flatMap((incidentId) => this.matching({ incidentId, threatTypes: null, classifications: null }));
    return this.rows(slots.sort((a, b) => a.arrivalUs - b.arrivalUs || a.mitigationId - b.mitigationId));
  }

  /** Slots matching the query, ordered by arrival then mitigation id (cached per query and data version). */
  private matching(q: EmailQuery): Slot[] {
    const key = JSON.stringify([q, this.incidents.revision, this.scanbacks.revision]);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const out: Slot[] = [];
    for (const [store, scanback] of [[this.incidents, false], [this.scanbacks, true]] as const) {
      if (q.scanback !== undefined && q.scanback !== scanback) continue;
      for (const meta of this.candidates(store, q, scanback ? SCANBACK_MAX_AGE_US : REGULAR_MAX_AGE_US)) {
        if (q.classifications && !q.classifications.includes(CLASSIFICATION_OF_CLS[meta.cls] ?? 3)) continue;
        if (q.threatTypes && !q.threatTypes.includes(threatIndex(this.ctx, meta.id))) continue;
        for (const slot of this.slotsOf(meta)) {
          if (q.startUs !== undefined && slot.arrivalUs < q.startUs) continue;
          if (q.endUs !== undefined && slot.arrivalUs > q.endUs) continue;
          // Only the first-reported copy carries the incident's challenge.
          if (q.challengedType !== undefined && (slot.index !== 0 || meta.challenged !== q.challengedType)) continue;
          out.push({ ...slot, meta, scanback });
        }
      }
    }
    const filtered = q.recipient === undefined ? out : this.byRecipient(out, q.recipient);
    filtered.sort((a, b) => a.arrivalUs - b.arrivalUs || a.mitigationId - b.mitigationId);
    if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, filtered);
    return filtered;
  }

  /** Incidents that can have a copy in the window: reported at most `maxAgeUs` after its end. */
  private candidates(store: IncidentStore, q: EmailQuery, maxAgeUs: number): IncidentMeta[] {
    if (q.incidentId !== undefined) {
      const one = store.get(q.incidentId);
      return one ? [one] : [];
    }
    const query: ListQuery = { states: null, reportType: null, classifications: null, search: [], sort: 'created', order: 'asc' };
    if (q.startUs !== undefined) query.createdFromUs = q.startUs;
    if (q.endUs !== undefined) query.createdToUs = q.endUs + maxAgeUs;
    return store.query(query);
  }

  private byRecipient(slots: Slot[], recipient: string): Slot[] {
    const wanted = recipient.toLowerCase();
    return slots.filter((slot) => {
      const mailboxes = buildDetails(this.ctx, slot.meta)?.['affected_mailboxes'] as Array<{ recipient: string }> | undefined;
      return mailboxes?.[slot.index]?.recipient.toLowerCase() === wanted;
    });
  }

  /** The copies of one incident: e-mail incidents with details only (ATO, Teams, quarantine and the seed example have none). */
  private slotsOf(meta: IncidentMeta): Omit<Slot, 'meta' | 'scanback'>[] {
    const known = this.slots.get(meta);
    if (known) return known;
    let made: Omit<Slot, 'meta' | 'scanback'>[] = [];
    if (!meta.example && meta.gone === 0 && meta.reportType === RT_EMAIL) {
      const scanback = this.scanbacks.get(meta.id) === meta;
      const count = buildCore(this.ctx, meta).affectedCount;
      const rng = new Rng(hashInts(this.ctx.seed, meta.id, 23));
      const sentUs = scanback ? meta.createdUs - rng.int(HOUR_US, 14 * DAY_US) : mailOrigin(this.ctx, meta).sentUs;
      // Every copy arrived at least a second before the report; one SMTP transaction often delivers them all at once.
      const room = Math.max(0, Math.min(MAX_DELIVERY_US, meta.createdUs - US_PER_SECOND - sentUs));
      const shared = rng.chance(0.6) ? rng.int(0, room) : undefined;
      const base = mitigationIdBase(this.ctx, meta.id);
      made = Array.from({ length: count }, (_, index) => ({ index, arrivalUs: sentUs + (shared ?? rng.int(0, room)), mitigationId: base + index }));
    }
    this.slots.set(meta, made);
    return made;
  }

  private rows(slots: Slot[]): Record<string, unknown>[] {
    const details = new Map<IncidentMeta, Record<string, unknown> | undefined>();
    return slots.map((slot) => {
      if (!details.has(slot.meta)) details.set(slot.meta, buildDetails(this.ctx, slot.meta));
      return this.row(slot, details.get(slot.meta) as Record<string, unknown>);
    });
  }

  private row(slot: Slot, details: Record<string, unknown>): Record<string, unknown> {
    const { meta, index } = slot;
    const mailbox = (details['affected_mailboxes'] as Array<{ id: number; recipient: string; recipient_id: number; first_reported: boolean }>)[index];
    if (!mailbox) throw new Error(`incident ${meta.id} has no affected mailbox ${index}`);
    const classified = meta.cls !== CLS_REPORT;
    const first = mailbox.first_reported;
    const challenge = first ? (details['challenged_events'] as Array<Record<string, string>>)[0] : undefined;
    const rng = new Rng(hashInts(this.ctx.seed, meta.id, 400 + index));
    const opened = rng.chance(0.55) ? slot.arrivalUs + rng.int(5 * US_PER_SECOND, 6 * HOUR_US) : null;
    const department = hashInts(this.ctx.seed, mailbox.recipient_id, 25) % 8;
    return {
      arrival_date: formatUs(slot.arrivalUs),
      incident_id: meta.id,
      subject: (details['reports'] as Array<{ subject: string }>)[0]?.subject ?? null,
      sender_email: details['sender_email'],
      recipient_name: nameOfAddress(mailbox.recipient),
      recipient_email: mailbox.recipient,
      primary_threat_type: EMAIL_THREAT_TYPES[threatIndex(this.ctx, meta.id)],
      is_scanback: slot.scanback,
      classification: EMAIL_CLASSIFICATIONS[CLASSIFICATION_OF_CLS[meta.cls] ?? 3],
      incident_state: classified ? 'Classified' : 'Unclassified',
      resolution: classified ? (LIST_CLASSIFICATION[meta.cls] ?? null) : null,
      sender_ip: (details['mail_server'] as { ip: string }).ip,
      reported_by: first ? details['first_reported_by'] : null,
      mailbox_id: mailbox.recipient_id,
      department: DEPARTMENTS[department] ?? null,
      remediated_time: classified ? (details['reclassified_on'] ?? details['resolved_on'] ?? null) : null,
      mitigation_id: mailbox.id,
      challenged_type: first ? (CHALLENGE_TYPES[meta.challenged] ?? null) : null,
      challenged_date: challenge?.['challenged_date'] ?? null,
      challenged_by: challenge?.['challenged_by'] ?? null,
      challenged_reason: challenge?.['challenged_reason'] ?? null,
      challenged_comment: challenge?.['challenged_comment'] || null,
      opened_on: opened === null ? null : formatUs(opened),
    };
  }
}

type Parsed = { query: EmailQuery; page: number; pageSize: number } | { error: SimResponse };

const fieldError = (field: string, message: string): { error: SimResponse } => ({ error: json(400, { [field]: [message] }) });

/** The query string as DRF's serializer reads it, with its error bodies (S1 shows the choice and non-field ones). */
function parseQuery(params: URLSearchParams): Parsed {
  const query: EmailQuery = { threatTypes: null, classifications: null };
  for (const [name, field] of [['start_time', 'startUs'], ['end_time', 'endUs']] as const) {
    const raw = params.get(name);
    if (raw === null || raw === '') continue;
    const us = parseIsoUs(raw);
    if (us === null) return fieldError(name, DATE_FORMAT_ERROR);
    query[field] = us;
  }
  const integer = (name: string, min: number, max: number, fallback?: number): number | { error: SimResponse } | undefined => {
    const raw = params.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw)) return fieldError(name, 'A valid integer is required.');
    const value = Number(raw);
    if (value < min) return fieldError(name, `Ensure this value is greater than or equal to ${min}.`);
    if (value > max) return fieldError(name, `Ensure this value is less than or equal to ${max}.`);
    return value;
  };
  const page = integer('page', 1, Number.MAX_SAFE_INTEGER, 1) ?? 1;
  if (typeof page === 'object') return page;
  const pageSize = integer('page_size', 1, EMAILS_MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  if (typeof pageSize === 'object') return pageSize;
  const incident = integer('incident_id', 1, Number.MAX_SAFE_INTEGER);
  if (typeof incident === 'object') return incident;
  if (incident !== undefined) query.incidentId = incident;
  if (query.incidentId === undefined && (query.startUs === undefined || query.endUs === undefined)) {
    return { error: json(400, { non_field_errors: ['Provide incident_id or both start_time and end_time'] }) };
  }
  for (const [name, field, size] of [['threat_type', 'threatTypes', EMAIL_THREAT_TYPES.length], ['classification', 'classifications', EMAIL_CLASSIFICATIONS.length]] as const) {
    const values = params.getAll(name);
    if (values.length === 0) continue;
    const bad = values.findIndex((v) => !/^\d+$/.test(v) || Number(v) >= size);
    if (bad >= 0) return { error: json(400, { [name]: { [String(bad)]: `"${values[bad]}" is not a valid choice.` } }) };
    query[field] = [...new Set(values.map(Number))].sort((a, b) => a - b);
  }
  const scanback = params.get('is_scanback_report');
  if (scanback !== null && scanback !== '') {
    const value = { true: true, '1': true, false: false, '0': false }[scanback.toLowerCase()];
    if (value === undefined) return fieldError('is_scanback_report', 'Must be a valid boolean.');
    query.scanback = value;
  }
  const challenged = params.get('challenged_type');
  if (challenged !== null && challenged !== '') {
    const index = CHALLENGES.indexOf(challenged);
    if (index < 0) return fieldError('challenged_type', `"${challenged}" is not a valid choice.`);
    query.challengedType = index + 1;
  }
  const recipient = params.get('recipient');
  if (recipient) query.recipient = recipient;
  return { query, page, pageSize };
}
