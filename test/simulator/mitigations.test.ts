/** Contract tests: POST /appapi/mitigation/{cid}/details/ (one row per affected mailbox). */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { getToken, http, type HttpResult } from './helpers.js';

const ROW_FIELDS = [
  'incidentID', 'mitigationID', 'incidentState', 'remediatedTime', 'mailboxId', 'mailboxEmail', 'subject', 'senderEmail',
  'senderIP', 'reportedBy', 'resolution', 'spfResult',
];

const RANGE = { from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z' };

let sim: Simulator;
let jwt: string;
let ids: number[];

beforeAll(async () => {
  sim = await startSimulator({ seed: 61, incidents: 40, ...RANGE, rateLimit: null, goneRatio: 0, mitigationsPerPage: 7, mitigationsMaxIncidents: 10 });
  jwt = await getToken(sim);
  ids = sim.incidentIds();
});
afterAll(() => sim.close());

function post(body: unknown, options: { token?: string | null; path?: string; contentType?: string; target?: Simulator } = {}): Promise<HttpResult> {
  const target = options.target ?? sim;
  const token = options.token === undefined ? jwt : options.token;
  const headers: Record<string, string> = { 'Content-Type': options.contentType ?? 'application/json' };
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  return http(`${target.url}/appapi${options.path ?? `/mitigation/${target.companyId}/details/`}`, {
    method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

type Affected = { id: number; recipient: string; recipient_id: number };
const affectedOf = (id: number): Affected[] => sim.details(id)?.['affected_mailboxes'] as Affected[];

async function allRows(incidents: number[]): Promise<any[]> {
  const rows: any[] = [];
  for (let page = 1; ; page++) {
    const res = await post({ incidents, page });
    expect(res.status).toBe(200);
    rows.push(...res.body.mitigations);
    if (page >= res.body.total_pages) return rows;
  }
}

describe('rows', () => {
  test('one row per affected mailbox, derived from the details, ordered by (incidentID, mitigationID)', async () => {
    const chosen = ids.slice(0, 6);
    const rows = await allRows([...chosen].reverse());
    const expected = chosen.flatMap((id) => affectedOf(id).map((a) => [id, a.id, a.recipient_id, a.recipient]));
    expect(rows.map((r) => [r.incidentID, r.mitigationID, r.mailboxId, r.mailboxEmail])).toEqual(expected);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(ROW_FIELDS);
      const details = sim.details(row.incidentID)!;
      expect(row.senderEmail).toBe(details['sender_email']);
      expect(row.senderIP).toBe((details['mail_server'] as { ip: string }).ip);
      expect(row.spfResult).toBe(details['spf_result']);
      expect(row.subject).toBe((details['reports'] as { subject: string }[])[0]?.subject);
      const open = details['classification'] === 'Report';
      expect(row.incidentState).toBe(open ? 'Unclassified' : 'Classified');
      expect(row.remediatedTime).toBe(open ? null : details['resolved_on'] ?? details['reclassified_on']);
      expect(row.resolution === null).toBe(open);
    }
  });

  test('paged by mitigationsPerPage; the page envelope; messages is empty', async () => {
    const chosen = ids.slice(0, 10);
    const total = chosen.reduce((n, id) => n + affectedOf(id).length, 0);
    const first = await post({ incidents: chosen, page: 1, period: '6' });
    expect(Object.keys(first.body)).toEqual(['page', 'total_pages', 'mitigations', 'messages']);
    expect(first.body.page).toBe(1);
    expect(first.body.total_pages).toBe(Math.ceil(total / 7));
    expect(first.body.mitigations).toHaveLength(Math.min(7, total));
    expect(first.body.messages).toEqual([]);
    expect(await allRows(chosen)).toHaveLength(total);
    const past = await post({ incidents: chosen, page: first.body.total_pages + 1 });
    expect(past.status).toBe(404);
  });

  test('unknown ids are simply absent, duplicates count once, no page means page 1', async () => {
    const [id] = ids as [number];
    const res = await post({ incidents: [999, id, id, 12345678] });
    expect(res.status).toBe(200);
    expect(res.body.page).toBe(1);
    expect(new Set(res.body.mitigations.map((r: { incidentID: number }) => r.incidentID))).toEqual(new Set([id]));
    expect(res.body.mitigations).toHaveLength(Math.min(7, affectedOf(id).length));
  });

  test('nothing to show: page 1 is an empty 200 with total_pages 0', async () => {
    const res = await post({ incidents: [], page: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ page: 1, total_pages: 0, mitigations: [], messages: [] });
    expect((await post({ incidents: [1], page: 2 })).status).toBe(404);
  });

  test('incidents without details (ATO, Teams) have no rows', async () => {
    const [ato, teams] = sim.addIncidents([{ reportType: 'ato' }, { reportType: 'teams' }]);
    const res = await post({ incidents: [ato, teams] });
    expect(res.body.total_pages).toBe(0);
  });

  test('deterministic: the same seed gives the same rows', async () => {
    const twin = await startSimulator({ seed: 61, incidents: 40, ...RANGE, rateLimit: null, goneRatio: 0 });
    try {
      const token = await getToken(twin);
      const body = { incidents: ids.slice(0, 3) };
      const a = await post(body, { target: twin, token });
      const b = await post(body, { target: twin, token });
      expect(a.body).toEqual(b.body);
      expect(a.body.mitigations.slice(0, 7)).toEqual((await post(body)).body.mitigations);
    } finally {
      await twin.close();
    }
  });
});

describe('bad requests', () => {
  test.each([
    ['no incidents', { page: 1 }, { incidents: ['This field is required.'] }],
    ['incidents not a list', { incidents: '1,2' }, { incidents: ['Expected a list of items but got type "string".'] }],
    ['a non-integer id', { incidents: [1, 'x'] }, { incidents: { 1: ['A valid integer is required.'] } }],
    ['page 0', { incidents: [1], page: 0 }, { page: ['A valid integer is required.'] }],
  ])('%s → 400', async (_label, body, expected) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
  });

  test('more ids than mitigationsMaxIncidents → 400; exactly the maximum is fine', async () => {
    expect((await post({ incidents: ids.slice(0, 10) })).status).toBe(200);
    const res = await post({ incidents: ids.slice(0, 11) });
    expect(res.status).toBe(400);
    expect(res.body.error_message).toMatch(/at most 10/);
  });

  test('not JSON → 400; another content type → 415; GET → 405; no slash → 301', async () => {
    expect((await post('{"incidents": [')).status).toBe(400);
    expect((await post('incidents=1', { contentType: 'text/plain' })).status).toBe(415);
    const get = await http(`${sim.url}/appapi/mitigation/${sim.companyId}/details/`, { headers: { Authorization: `Bearer ${jwt}` } });
    expect(get.status).toBe(405);
    expect((await post({ incidents: [1] }, { path: `/mitigation/${sim.companyId}/details` })).status).toBe(301);
  });

  test('authentication as everywhere: no token → 403, another company → 403', async () => {
    expect((await post({ incidents: [1] }, { token: null })).body).toEqual({ detail: 'Missing JWT' });
    expect((await post({ incidents: [1] }, { path: '/mitigation/9/details/' })).status).toBe(403);
  });
});
