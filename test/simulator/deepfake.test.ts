/** Contract tests: GET /appapi/deepfake/{cid}/events/ (the deepfake events feed). */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, toUs } from './helpers.js';

/** S1's DeepfakeEvent, in its order. */
const FIELDS = [
  'event_uuid', 'event_type', 'occurred_at', 'name', 'severity', 'deepfake_target_full_name', 'deepfake_attacker_full_name',
  'deepfake_attacker_email', 'ms_meeting_name', 'ms_meeting_id', 'ms_meeting_url', 'host_name', 'participants_count', 'deepfake_type',
  'video_confidence', 'audio_confidence',
];
const TYPES = ['suspicious', 'mfa_started', 'mfa_succeeded', 'mfa_aborted', 'confirmed'];

let sim: Simulator;
let jwt: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 95, deepfakeEvents: 260, rateLimit: null, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

const events = (params: Record<string, string | number> = {}, target = sim, token = jwt) => {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  return api(target, token, `/deepfake/${target.companyId}/events/${search.size > 0 ? `?${search}` : ''}`);
};

/** Follows next_cursor from `since` until an empty page; every page's body. */
async function follow(limit: number, first: Record<string, string | number> = {}): Promise<any[]> {
  const pages: any[] = [];
  let params: Record<string, string | number> = { ...first, limit };
  for (;;) {
    const res = await events(params);
    expect(res.status).toBe(200);
    pages.push(res.body);
    if (res.body.events.length === 0) return pages;
    params = { since_id: res.body.next_cursor, limit };
  }
}

describe('deepfake events', () => {
  test('{events, next_cursor}; 100 events by default; the S1 fields; uuids, types, microsecond times', async () => {
    const res = await events();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['events', 'next_cursor']);
    expect(res.body.events).toHaveLength(100);
    expect(Number.isInteger(res.body.next_cursor)).toBe(true);
    for (const e of res.body.events) {
      expect(Object.keys(e)).toEqual(FIELDS);
      expect(e.event_uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(TYPES).toContain(e.event_type);
      if (e.occurred_at !== null) expect(e.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
      expect(typeof e.participants_count).toBe('object');
    }
  });

  test('following next_cursor (since_id, exclusive) serves every event once in feed order; the end is an empty page with next_cursor null', async () => {
    const pages = await follow(37);
    expect(pages.at(-1)).toEqual({ events: [], next_cursor: null });
    const served = pages.flatMap((p) => p.events);
    expect(served).toEqual(sim.deepfakeEvents());
    expect(new Set(served.map((e) => e.event_uuid)).size).toBe(260);
    const cursors = pages.slice(0, -1).map((p) => p.next_cursor as number);
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(cursors.length);
    // Some events come without a time, as S1 allows.
    expect(served.some((e) => e.occurred_at === null)).toBe(true);
  });

  test('created_after bounds the event time (events without one do not pass it); limit 1..500; bad values → 400', async () => {
    const bound = '2025-02-01T00:00:00Z';
    const after = (await follow(500, { created_after: bound })).flatMap((p) => p.events);
    const expected = sim.deepfakeEvents().filter((e) => e.occurred_at !== null && toUs(e.occurred_at as string) >= toUs(bound));
    expect(after.map((e) => e.event_uuid)).toEqual(expected.map((e) => e.event_uuid));
    expect((await events({ limit: 500 })).body.events).toHaveLength(260);
    const cases: Array<[Record<string, string | number>, unknown]> = [
      [{ limit: 501 }, { limit: ['Ensure this value is less than or equal to 500.'] }],
      [{ limit: 0 }, { limit: ['Ensure this value is greater than or equal to 1.'] }],
      [{ since_id: -1 }, { since_id: ['Ensure this value is greater than or equal to 0.'] }],
      [{ since_id: 'abc' }, { since_id: ['A valid integer is required.'] }],
    ];
    for (const [params, body] of cases) expect(await events(params).then((r) => [r.status, r.body])).toEqual([400, body]);
    expect((await events({ created_after: '2025-02-01 00:00' })).status).toBe(400);
  });

  test('new events (addDeepfakeEvents) come after the last cursor, happened by the simulator’s now', async () => {
    const twin = await startSimulator({ seed: 95, deepfakeEvents: 20, rateLimit: null });
    try {
      const token = await getToken(twin);
      const first = await events({ limit: 500 }, twin, token);
      const added = twin.addDeepfakeEvents(7);
      const next = await events({ since_id: first.body.next_cursor, limit: 500 }, twin, token);
      expect(next.body.events.map((e: any) => e.event_uuid)).toEqual(added);
      for (const e of next.body.events) if (e.occurred_at !== null) expect(toUs(e.occurred_at)).toBeLessThanOrEqual(toUs(twin.now()));
      expect(next.body.next_cursor).toBeGreaterThan(first.body.next_cursor);
    } finally {
      await twin.close();
    }
  });

  test('a company without the feature: 404 in IRONSCALES’ JSON (S1: "Company not found or feature disabled")', async () => {
    sim.setDeepfakeEnabled(false);
    try {
      const res = await events();
      expect(res.status).toBe(404);
      expect(res.body.detail).toMatch(/not enabled/);
    } finally {
      sim.setDeepfakeEnabled(true);
    }
  });

  test('deterministic from the seed; faults name the endpoint "deepfake"; auth required', async () => {
    const twin = await startSimulator({ seed: 95, deepfakeEvents: 260, rateLimit: null, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
    try {
      expect(twin.deepfakeEvents()).toEqual(sim.deepfakeEvents());
    } finally {
      await twin.close();
    }
    sim.resetStats();
    sim.inject({ kind: 'throttle', count: 1, endpoint: 'deepfake' });
    expect((await events()).status).toBe(429);
    expect((await events()).status).toBe(200);
    expect(sim.stats().requests.deepfake).toBe(2);
    expect((await api(sim, null, `/deepfake/${sim.companyId}/events/`)).status).toBe(403);
  });
});
