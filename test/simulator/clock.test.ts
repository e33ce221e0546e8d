/** Contract tests: the simulator's own clock (clockOffsetMs) and the HTTP Date header. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, http, listAll, listPath, postToken, toUs } from './helpers.js';

const OFFSET_MS = -30_000;
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

let sim: Simulator;
let jwt: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 31, incidents: 20, rateLimit: null, clockOffsetMs: OFFSET_MS, goneRatio: 0 });
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

/** The Date header as epoch ms, checked for the RFC 7231 format first. */
function dateOf(headers: Headers): number {
  const value = headers.get('date');
  expect(value).toMatch(IMF_FIXDATE);
  return Date.parse(value as string);
}

/** `ms` is within `slackMs` of local now + offset (whole seconds in the header cost up to 1 s). */
function expectServerTime(ms: number, offsetMs: number, slackMs = 2500): void {
  expect(Math.abs(ms - (Date.now() + offsetMs))).toBeLessThanOrEqual(slackMs);
}

describe('Date header', () => {
  test('every kind of answer carries one, in RFC 7231 format, from the simulated clock', async () => {
    const id = sim.incidentIds()[0] as number;
    sim.inject({ kind: 'throttle', count: 1, endpoint: 'open' });
    sim.inject({ kind: 'server_error', count: 1, endpoint: 'mailboxes' });
    sim.inject({ kind: 'truncate', count: 1, endpoint: 'details' });
    const answers = [
      await postToken(sim, { key: sim.apiKey, scopes: ['company.all'] }),
      await postToken(sim, { key: 'wrong', scopes: ['company.all'] }),
      await api(sim, jwt, listPath(sim)),
      await api(sim, null, listPath(sim)),
      await api(sim, jwt, `/incident/${sim.companyId}/list`),
      await api(sim, jwt, `/incident/${sim.companyId}/open/`),
      await api(sim, jwt, `/mailboxes/${sim.companyId}/list/`),
      await api(sim, jwt, `/incident/${sim.companyId}/details/${id}`),
      await http(`${sim.url}/nothing/`),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 403, 200, 403, 301, 429, 502, 200, 404]);
    for (const answer of answers) expectServerTime(dateOf(answer.headers), OFFSET_MS);
  });

  test('setClockOffset moves it at runtime', async () => {
    sim.setClockOffset(6 * 3_600_000);
    try {
      expectServerTime(dateOf((await api(sim, jwt, listPath(sim))).headers), 6 * 3_600_000);
      expectServerTime(toUs(sim.now()) / 1000, 6 * 3_600_000, 50);
    } finally {
      sim.setClockOffset(OFFSET_MS);
    }
    expectServerTime(dateOf((await api(sim, jwt, listPath(sim))).headers), OFFSET_MS);
  });

  test('whole seconds: the header never runs ahead of the simulated clock', async () => {
    const res = await api(sim, jwt, listPath(sim));
    const header = dateOf(res.headers);
    expect(header % 1000).toBe(0);
    expect(header).toBeLessThanOrEqual(Date.now() + OFFSET_MS);
  });
});

describe('what the simulator stamps uses its clock', () => {
  test('now() is local time plus the offset, with microseconds', () => {
    expect(sim.now()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    expectServerTime(toUs(sim.now()) / 1000, OFFSET_MS, 50);
  });

  test('addIncidents without a date: first reported at the simulated now', async () => {
    const [id] = sim.addIncidents([{}]);
    const item = (await listAll(sim, jwt, { incidentID: id as number }))[0];
    expectServerTime(toUs(item.created) / 1000, OFFSET_MS, 100);
  });

  test('reclassify: the last-update time is the simulated now (the last_update filters see it there)', async () => {
    const id = sim.incidentIds()[3] as number;
    sim.reclassify(id, 'Spam');
    const reclassifiedOn = sim.details(id)?.['reclassified_on'] as string;
    expectServerTime(toUs(reclassifiedOn) / 1000, OFFSET_MS, 100);
    const iso = (ms: number): string => new Date(ms).toISOString();
    // 10 s before the simulated now: found. 10 s before local now (20 s after the simulated now): not found.
    const fromServer = await listAll(sim, jwt, { last_update_start_time: iso(Date.now() + OFFSET_MS - 10_000) });
    expect(fromServer.map((i) => i.incidentID)).toContain(id);
    const fromLocal = await listAll(sim, jwt, { last_update_start_time: iso(Date.now() - 10_000) });
    expect(fromLocal.map((i) => i.incidentID)).not.toContain(id);
  });

  test('generated incidents end an hour before the simulated now', async () => {
    const behind = await startSimulator({ seed: 32, incidents: 200, rateLimit: null, clockOffsetMs: -2 * 86_400_000 });
    try {
      const token = await getToken(behind);
      const items = await listAll(behind, token, { sort: 'created', order: 'desc', items_per_page: 200 });
      const newest = toUs(items[0].created) / 1000;
      expect(newest).toBeLessThanOrEqual(Date.now() - 2 * 86_400_000 - 3_600_000);
      expect(newest).toBeGreaterThan(Date.now() - 2 * 86_400_000 - 2 * 86_400_000);
    } finally {
      await behind.close();
    }
  });

  test('tokens: iat/exp from the simulated clock, and expiry judged by it', async () => {
    const local = await startSimulator({ rateLimit: null, clockOffsetMs: OFFSET_MS, tokenTtlMs: 600_000 });
    try {
      const token = await getToken(local);
      const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
      expectServerTime(payload.iat * 1000, OFFSET_MS);
      expect(payload.exp - payload.iat).toBe(600);
      expect((await api(local, token, `/incident/${local.companyId}/open/`)).status).toBe(200);
      // Move the server's clock past exp: the token is expired without waiting.
      local.setClockOffset(OFFSET_MS + 601_000);
      const expired = await api(local, token, `/incident/${local.companyId}/open/`);
      expect(expired.status).toBe(403);
      expect(expired.body).toEqual({ detail: 'JWT expired' });
    } finally {
      await local.close();
    }
  });

  test('the period filter counts back from the simulated now', async () => {
    const ahead = await startSimulator({ seed: 33, rateLimit: null, clockOffsetMs: 3 * 86_400_000 });
    try {
      const token = await getToken(ahead);
      // 12 h before local now, but 3.5 days before the server's now: outside its "last 24 h" (period 0), inside 7 days.
      const [id] = ahead.addIncidents([{ first_reported_date: new Date(Date.now() - 12 * 3_600_000).toISOString() }]);
      expect((await listAll(ahead, token, { period: 0 })).map((i) => i.incidentID)).not.toContain(id);
      expect((await listAll(ahead, token, { period: 1 })).map((i) => i.incidentID)).toContain(id);
    } finally {
      await ahead.close();
    }
  });
});

test('clockOffsetMs must be an integer', async () => {
  await expect(startSimulator({ clockOffsetMs: 1.5 })).rejects.toThrow(RangeError);
  expect(() => sim.setClockOffset(Number.NaN)).toThrow(RangeError);
});
