/** Contract tests: GET /appapi/emails/{cid}/ (escalated e-mails) and its 20 calls/min limit. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { EMAIL_THREAT_TYPES } from '../../simulator/escalated-emails.js';
import { api, getToken, toUs } from './helpers.js';

/** S1's EmailsDetailFromElastic, in its order. */
const FIELDS = [
  'arrival_date', 'incident_id', 'subject', 'sender_email', 'recipient_name', 'recipient_email', 'primary_threat_type', 'is_scanback',
  'classification', 'incident_state', 'resolution', 'sender_ip', 'reported_by', 'mailbox_id', 'department', 'remediated_time',
  'mitigation_id', 'challenged_type', 'challenged_date', 'challenged_by', 'challenged_reason', 'challenged_comment', 'opened_on',
];
const RANGE = { from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' };
const ALL_TIME = { start_time: '2024-01-01T00:00:00Z', end_time: '2026-01-01T00:00:00Z' };
const HOUR_US = 3_600_000_000;

let sim: Simulator;
let jwt: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 91, incidents: 120, scanbackIncidents: 10, rateLimit: null, emailsRateLimit: null, ...RANGE });
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

const path = (target: Simulator, params: Record<string, string | number | string[]>): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  return `/emails/${target.companyId}/?${search}`;
};
const emails = (params: Record<string, string | number | string[]>, target = sim, token = jwt) => api(target, token, path(target, params));

async function everyRow(params: Record<string, string | number | string[]>, pageSize: number): Promise<any[]> {
  const rows: any[] = [];
  for (let page = 1; ; page++) {
    const res = await emails({ ...params, page, page_size: pageSize });
    expect(res.status).toBe(200);
    rows.push(...res.body.emails);
    if (page >= res.body.total_pages) return rows;
  }
}

describe('shape and agreement with the incidents', () => {
  test('the S1 page shape and row fields, microsecond arrival dates, default page size 50', async () => {
    const res = await emails(ALL_TIME);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['emails', 'page', 'total_pages', 'total_count']);
    expect(res.body.emails).toHaveLength(50);
    expect(res.body.total_pages).toBe(Math.ceil(res.body.total_count / 50));
    for (const row of res.body.emails) {
      expect(Object.keys(row)).toEqual(FIELDS);
      expect(row.arrival_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
      expect(Number.isInteger(row.mitigation_id) && Number.isInteger(row.incident_id) && Number.isInteger(row.mailbox_id)).toBe(true);
      expect(typeof row.is_scanback).toBe('boolean');
    }
    expect(res.body.emails.some((r: any) => /\.\d{6}Z$/.test(r.arrival_date))).toBe(true);
  });

  test("one row per affected mailbox of every e-mail incident, as its details and mitigations name them, arrived before the report", async () => {
    const rows = await everyRow(ALL_TIME, 300_000);
    expect(rows.length).toBe(sim.escalatedEmails().length);
    const byIncident = new Map<number, any[]>();
    for (const r of rows) byIncident.set(r.incident_id, [...(byIncident.get(r.incident_id) ?? []), r]);
    const scanbacks = new Set(sim.scanbackIncidentIds());
    for (const id of [...sim.incidentIds(), ...scanbacks]) {
      const details = sim.details(id) ?? {};
      const mine = (byIncident.get(id) ?? []).sort((a, b) => a.mitigation_id - b.mitigation_id);
      const affected = ((details.affected_mailboxes ?? []) as any[]).map((m) => [m.id, m.recipient_id, m.recipient]);
      expect({ id, rows: mine.map((r) => [r.mitigation_id, r.mailbox_id, r.recipient_email]) }).toEqual({ id, rows: affected });
      for (const r of mine) {
        const reported = toUs(String(details.first_reported_date));
        const age = reported - toUs(r.arrival_date);
        expect({ id, scanback: r.is_scanback, early: age > 0 && age <= (scanbacks.has(id) ? 14 * 24 + 3 : 2.1) * HOUR_US }).toEqual({ id, scanback: scanbacks.has(id), early: true });
        expect(r.sender_email).toBe(details.sender_email);
        expect(r.reported_by).toBe(r.recipient_email === (details.affected_mailboxes as any[])[0].recipient ? details.first_reported_by : null);
      }
    }
    // Copies delivered in one transaction share an arrival instant: ties exist.
    expect(new Set(rows.map((r) => r.arrival_date)).size).toBeLessThan(rows.length);
  });

  test('ordered by arrival_date, then mitigation_id; pages join up to the whole; a page past the end is a 404', async () => {
    const whole = (await emails({ ...ALL_TIME, page_size: 300_000 })).body.emails as any[];
    const keys = whole.map((r) => [toUs(r.arrival_date), r.mitigation_id]);
    expect(keys).toEqual([...keys].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    expect(await everyRow(ALL_TIME, 37)).toEqual(whole);
    const past = await emails({ ...ALL_TIME, page: Math.ceil(whole.length / 37) + 1, page_size: 37 });
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ detail: 'Invalid page.' });
  });

  test('the time window is inclusive to the microsecond; an empty one is a 200 with total_pages 0', async () => {
    const row = sim.escalatedEmails()[40]!;
    const at = toUs(row.arrival_date as string);
    const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d{3}Z$/, `.${String(us % 1_000_000).padStart(6, '0')}Z`);
    const exact = await emails({ start_time: iso(at), end_time: iso(at), page_size: 1000 });
    expect(exact.body.emails.map((r: any) => r.mitigation_id)).toContain(row.mitigation_id);
    expect(exact.body.emails.every((r: any) => r.arrival_date === row.arrival_date)).toBe(true);
    const before = await emails({ start_time: iso(at - 1_000_000), end_time: iso(at - 1), page_size: 1000 });
    expect(before.body.emails.map((r: any) => r.mitigation_id)).not.toContain(row.mitigation_id);
    const none = await emails({ start_time: '2030-01-01T00:00:00Z', end_time: '2030-01-02T00:00:00Z' });
    expect(none.body).toEqual({ emails: [], page: 1, total_pages: 0, total_count: 0 });
  });

  test('emailsPageCap: a page holds at most that many rows whatever page_size asks; total_pages follows it', async () => {
    const capped = await startSimulator({ seed: 91, incidents: 120, scanbackIncidents: 10, rateLimit: null, emailsRateLimit: null, emailsPageCap: 100, ...RANGE });
    try {
      const token = await getToken(capped);
      const res = await emails({ ...ALL_TIME, page_size: 5000 }, capped, token);
      expect(res.body.emails).toHaveLength(100);
      expect(res.body.total_pages).toBe(Math.ceil(res.body.total_count / 100));
      expect(res.body.total_count).toBe(sim.escalatedEmails().length);
    } finally {
      await capped.close();
    }
  });

  test('incident_id alone gives that incident’s rows', async () => {
    const id = sim.incidentIds().find((i) => ((sim.details(i)?.affected_mailboxes as unknown[]) ?? []).length > 2)!;
    const res = await emails({ incident_id: id });
    expect(res.status).toBe(200);
    expect(res.body.emails.map((r: any) => r.incident_id)).toEqual(res.body.emails.map(() => id));
    expect(res.body.total_count).toBe((sim.details(id)?.affected_mailboxes as unknown[]).length);
  });

  test('a new incident’s rows exist at once, with arrival dates before its report (they arrive late for a cursor on arrival_date)', async () => {
    const twin = await startSimulator({ seed: 91, rateLimit: null, emailsRateLimit: null });
    try {
      const [id] = twin.addIncidents([{ reportType: 'email' }]);
      const rows = twin.escalatedEmails().filter((r) => r.incident_id === id);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      const reported = toUs(String(twin.details(id!)?.first_reported_date));
      for (const r of rows) expect(toUs(r.arrival_date as string)).toBeLessThan(reported);
    } finally {
      await twin.close();
    }
  });
});

describe('parameters', () => {
  test('start_time and end_time (or incident_id) are required: S1’s non_field_errors 400', async () => {
    const incomplete: Array<Record<string, string>> = [{}, { start_time: ALL_TIME.start_time }, { end_time: ALL_TIME.end_time }];
    for (const params of incomplete) {
      const res = await emails(params);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ non_field_errors: ['Provide incident_id or both start_time and end_time'] });
    }
  });

  test('bad values: 400 naming the field (choices as in S1’s example)', async () => {
    const cases: Array<[Record<string, string | number | string[]>, unknown]> = [
      [{ ...ALL_TIME, threat_type: ['1', '99'] }, { threat_type: { '1': '"99" is not a valid choice.' } }],
      [{ ...ALL_TIME, classification: '99' }, { classification: { '0': '"99" is not a valid choice.' } }],
      [{ ...ALL_TIME, page_size: 300_001 }, { page_size: ['Ensure this value is less than or equal to 300000.'] }],
      [{ ...ALL_TIME, page: 0 }, { page: ['Ensure this value is greater than or equal to 1.'] }],
      [{ ...ALL_TIME, is_scanback_report: 'maybe' }, { is_scanback_report: ['Must be a valid boolean.'] }],
      [{ ...ALL_TIME, challenged_type: 'appeal' }, { challenged_type: ['"appeal" is not a valid choice.'] }],
      [{ start_time: '2025-01-01 00:00:00', end_time: ALL_TIME.end_time }, { start_time: [expect.stringMatching(/^Datetime has wrong format/)] }],
    ];
    for (const [params, body] of cases) {
      const res = await emails(params);
      expect({ params, status: res.status, body: res.body }).toEqual({ params, status: 400, body });
    }
    expect((await emails({ ...ALL_TIME, page_size: 300_000 })).status).toBe(200);
  });

  test('filters: scanback, classification, threat type, recipient, challenge; combined with AND', async () => {
    const all = sim.escalatedEmails();
    const count = async (params: Record<string, string | number | string[]>) => (await emails({ ...ALL_TIME, ...params, page_size: 300_000 })).body.emails as any[];
    expect((await count({ is_scanback_report: 'true' })).length).toBe(all.filter((r) => r.is_scanback).length);
    expect((await count({ is_scanback_report: 'false' })).length).toBe(all.filter((r) => !r.is_scanback).length);
    expect(all.some((r) => r.is_scanback)).toBe(true);
    expect((await count({ classification: ['1', '2'] })).map((r) => r.mitigation_id)).toEqual(all.filter((r) => r.classification === 'Spam' || r.classification === 'Safe').map((r) => r.mitigation_id));
    // 11 and 19 share a label (S1): take a row whose label is one threat type's alone.
    const threat = all.find((r) => r.primary_threat_type !== 'Vendor Scam')!.primary_threat_type as string;
    const withThreat = await count({ threat_type: String(EMAIL_THREAT_TYPES.indexOf(threat)) });
    expect(withThreat.map((r) => r.mitigation_id)).toEqual(all.filter((r) => r.primary_threat_type === threat).map((r) => r.mitigation_id));
    const recipient = all[7]!.recipient_email as string;
    expect((await count({ recipient: recipient.toUpperCase() })).map((r) => r.mitigation_id)).toEqual(all.filter((r) => r.recipient_email === recipient).map((r) => r.mitigation_id));
    const challenged = await count({ challenged_type: 'release_request' });
    expect(challenged.map((r) => r.mitigation_id)).toEqual(all.filter((r) => r.challenged_type === 'release_request').map((r) => r.mitigation_id));
    expect((await count({ is_scanback_report: 'true', classification: '3' })).every((r) => r.is_scanback && r.classification === 'Unclassified')).toBe(true);
  });

  test('deterministic from the seed; auth required; missing slash → 301', async () => {
    const twin = await startSimulator({ seed: 91, incidents: 120, scanbackIncidents: 10, rateLimit: null, emailsRateLimit: null, ...RANGE });
    try {
      expect(twin.escalatedEmails()).toEqual(sim.escalatedEmails());
    } finally {
      await twin.close();
    }
    expect((await api(sim, null, path(sim, ALL_TIME))).status).toBe(403);
    expect((await api(sim, jwt, `/emails/${sim.companyId}?start_time=x`)).status).toBe(301);
  });
});

describe('20 calls per minute of its own, on top of the company budget', () => {
  test('the 21st call within a minute → 429 with Retry-After and the DRF text; other endpoints go on', async () => {
    const limited = await startSimulator({ seed: 91, incidents: 5, rateLimit: { limit: 120, windowMs: 60_000 } });
    try {
      const token = await getToken(limited);
      for (let i = 0; i < 20; i++) expect((await emails(ALL_TIME, limited, token)).status).toBe(200);
      const refused = await emails(ALL_TIME, limited, token);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(55);
      expect(refused.body.detail).toMatch(/^Request was throttled\. Expected available in \d+ seconds\.$/);
      expect((await api(limited, token, `/incident/${limited.companyId}/list/`)).status).toBe(200);
      expect(limited.stats()).toMatchObject({ throttled: 1, emailsMaxCallsInWindow: 20 });
    } finally {
      await limited.close();
    }
  });

  test('as DRF runs both throttles: a call the e-mails limit refuses still counts against the company’s', async () => {
    const tight = await startSimulator({ seed: 91, rateLimit: { limit: 4, windowMs: 60_000 }, emailsRateLimit: { limit: 2, windowMs: 60_000 } });
    try {
      const token = await getToken(tight); // company call 1
      expect((await emails(ALL_TIME, tight, token)).status).toBe(200); // 2
      expect((await emails(ALL_TIME, tight, token)).status).toBe(200); // 3
      expect((await emails(ALL_TIME, tight, token)).status).toBe(429); // 4: refused by the e-mails limit, logged by the company's
      expect((await api(tight, token, `/incident/${tight.companyId}/list/`)).status).toBe(429);
      expect(tight.stats().throttled).toBe(2);
    } finally {
      await tight.close();
    }
  });

  test('faults name the endpoint "emails": an HTML 404 from a gateway, counted per endpoint', async () => {
    sim.resetStats();
    sim.inject({ kind: 'error_page', status: 404, endpoint: 'emails', count: 1 });
    const page = await emails(ALL_TIME);
    expect(page.status).toBe(404);
    expect(page.text).toMatch(/^<html>/);
    expect((await emails(ALL_TIME)).status).toBe(200);
    expect(sim.stats().requests).toMatchObject({ emails: 2, list: 0 });
    expect(sim.stats().injectedFaults).toBe(1);
  });
});
