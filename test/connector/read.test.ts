/**
 * The connector's read behaviour, proven against the simulator over real HTTP with the built
 * connector running as its own process.
 */
import { expectedIncidentRecord } from '../helpers/records.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { catalogFor, configFor, errorTraces, runConnector, stateFrom, streamStatuses, type RunResult } from '../helpers/connector.js';

let sim: Simulator;

function ids(result: RunResult): number[] {
  return result.records.map((r) => r.record.data.incident_id as number);
}

function assertNoSecrets(result: RunResult, s: Simulator) {
  expect(result.stdout).not.toContain(s.apiKey);
  expect(result.stderr).not.toContain(s.apiKey);
  expect(result.stdout).not.toMatch(/Bearer\s+\S{8,}/);
  const tokens = s.issuedTokens();
  expect(tokens.length).toBeGreaterThan(0);
  for (const jwt of tokens) {
    expect(result.stdout).not.toContain(jwt);
    expect(result.stderr).not.toContain(jwt);
  }
}

afterEach(async () => {
  await sim?.close();
});

describe('read', () => {
  test('full refresh emits every incident exactly as the details endpoint returns it (plus its list entry), with STREAM states and statuses', async () => {
    sim = await startSimulator({ seed: 11, incidents: 120, rateLimit: null, goneRatio: 0 });
    const result = await runConnector('read', { config: configFor(sim), catalog: catalogFor('full_refresh') });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(new Set(ids(result))).toEqual(new Set(sim.incidentIds()));
    expect(ids(result)).toHaveLength(120);
    for (const r of result.records.slice(0, 20)) {
      expect(r.record.stream).toBe('ironscales_incidents');
      expect(Number.isInteger(r.record.emitted_at)).toBe(true);
      expect(r.record.data).toEqual(expectedIncidentRecord(sim, r.record.data.incident_id));
    }
    expect(streamStatuses(result)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(result.states.length).toBeGreaterThanOrEqual(1);
    for (const s of result.states) {
      expect(s.state.type).toBe('STREAM');
      expect(s.state.stream.stream_descriptor.name).toBe('ironscales_incidents');
    }
    const counted = result.states.reduce((n, s) => n + s.state.sourceStats.recordCount, 0);
    expect(counted).toBe(120);
    expect(result.traces.some((t) => t.trace.type === 'ESTIMATE' && t.trace.estimate.row_estimate === 120)).toBe(true);
    assertNoSecrets(result, sim);
  });

  test('sourceStats.recordCount counts the records since the previous state, and states come often on a long backfill', async () => {
    sim = await startSimulator({ seed: 12, incidents: 400, rateLimit: null, goneRatio: 0 });
    const result = await runConnector('read', { config: configFor(sim, { records_per_checkpoint: 50 }), catalog: catalogFor() });
    expect(result.code).toBe(0);
    let sinceState = 0;
    let maxBetween = 0;
    for (const m of result.messages) {
      if (m.type === 'RECORD') sinceState += 1;
      if (m.type === 'STATE') {
        expect(m.state.sourceStats.recordCount).toBe(sinceState);
        maxBetween = Math.max(maxBetween, sinceState);
        sinceState = 0;
      }
    }
    expect(sinceState).toBe(0);
    expect(result.states.length).toBeGreaterThanOrEqual(6);
    // Slices target 80% of the limit; uneven data may overshoot a little but never by a lot.
    expect(maxBetween).toBeLessThanOrEqual(100);
    expect(new Set(ids(result)).size).toBe(400);
  });

  test('the cursor keeps microseconds and is inclusive, and the ids already emitted at it are not sent again; 1 µs neighbours are not lost', async () => {
    sim = await startSimulator({ seed: 13, incidents: 0, rateLimit: null });
    const t = '2025-06-01T12:00:00.000005Z';
    const [a, b] = sim.addIncidents([{ first_reported_date: t }, { first_reported_date: t }]);
    const [before] = sim.addIncidents([{ first_reported_date: '2025-06-01T12:00:00.000004Z' }]);
    const first = await runConnector('read', { config: configFor(sim), catalog: catalogFor() });
    expect(first.code).toBe(0);
    expect(new Set(ids(first))).toEqual(new Set([a, b, before]));
    const state = stateFrom(first) as Array<{ stream: { stream_state: Record<string, string> } }>;
    expect(state[0]!.stream.stream_state.first_reported_date).toBe(t);
    expect(state[0]!.stream.stream_state.ids_at_cursor).toEqual([a, b].sort((x, y) => x! - y!));

    const [after] = sim.addIncidents([{ first_reported_date: '2025-06-01T12:00:00.000006Z' }]);
    const [sameAgain] = sim.addIncidents([{ first_reported_date: t }]);
    const second = await runConnector('read', { config: configFor(sim), catalog: catalogFor(), state });
    expect(second.code).toBe(0);
    // a and b were emitted at the cursor already; the late one at the same µs and the 1 µs-later one arrive; the 1 µs-earlier one is not re-read.
    expect(new Set(ids(second))).toEqual(new Set([sameAgain, after]));
    const next = stateFrom(second) as Array<{ stream: { stream_state: Record<string, string> } }>;
    expect(next[0]!.stream.stream_state.first_reported_date).toBe('2025-06-01T12:00:00.000006Z');
  });

  test('a checkpoint boundary inside runs of equal and 1 µs-apart timestamps loses nothing', async () => {
    sim = await startSimulator({ seed: 14, incidents: 0, rateLimit: null });
    const specs = [];
    for (let i = 0; i < 60; i++) specs.push({ first_reported_date: `2025-06-01T12:00:00.${String(100 + Math.floor(i / 4)).padStart(6, '0')}Z` });
    const all = sim.addIncidents(specs);
    const config = configFor(sim, { records_per_checkpoint: 10 });
    const full = await runConnector('read', { config, catalog: catalogFor() });
    expect(full.code).toBe(0);
    expect(new Set(ids(full))).toEqual(new Set(all));
    expect(full.states.length).toBeGreaterThan(3);
    // Resume from every intermediate state: the resumed read must bring every incident at or after its cursor.
    for (const s of full.states.slice(0, -1)) {
      const cursor = s.state.stream.stream_state.first_reported_date as string | undefined;
      if (!cursor) continue;
      const emittedAtCursor = new Set(s.state.stream.stream_state.ids_at_cursor as number[]);
      const resumed = await runConnector('read', { config, catalog: catalogFor(), state: [{ type: 'STREAM', stream: s.state.stream }] });
      expect(resumed.code).toBe(0);
      const expected = all.filter((id) => (sim.details(id)!.first_reported_date as string) >= cursor && !emittedAtCursor.has(id));
      expect(new Set(ids(resumed))).toEqual(new Set(expected));
    }
  }, 180_000); // one read per intermediate state: generous on a loaded 2-core machine

  test('incremental: a second sync brings the new incidents, and nothing of the history', async () => {
    sim = await startSimulator({ seed: 15, incidents: 150, rateLimit: null, goneRatio: 0 });
    const first = await runConnector('read', { config: configFor(sim), catalog: catalogFor() });
    expect(first.code).toBe(0);
    expect(ids(first)).toHaveLength(150);
    const added = sim.generateIncidents(25, { from: new Date(Date.now() - 30 * 60_000).toISOString(), to: new Date(Date.now() - 60_000).toISOString() });
    sim.resetStats();
    const second = await runConnector('read', { config: configFor(sim), catalog: catalogFor(), state: stateFrom(first) });
    expect(second.code).toBe(0);
    const got = new Set(ids(second));
    for (const id of added) expect(got.has(id)).toBe(true);
    expect(got.size).toBeLessThanOrEqual(added.length + 3);
    // One token, a few list pages, one details call per record.
    const stats = sim.stats();
    expect(stats.requests.token).toBe(1);
    expect(stats.requests.details).toBe(second.records.length);
  });

  test('lookback_minutes re-reads a window before the cursor and catches an incident that showed up late', async () => {
    sim = await startSimulator({ seed: 24, incidents: 0, rateLimit: null });
    const [early, last] = sim.addIncidents([{ first_reported_date: '2025-08-01T09:00:00.000000Z' }, { first_reported_date: '2025-08-01T10:00:00.000000Z' }]);
    const first = await runConnector('read', { config: configFor(sim), catalog: catalogFor() });
    expect(new Set(ids(first))).toEqual(new Set([early, last]));
    // Reported 30 s before the cursor, but visible in the API only now.
    const [late] = sim.addIncidents([{ first_reported_date: '2025-08-01T09:59:30.000000Z' }]);
    const without = await runConnector('read', { config: configFor(sim), catalog: catalogFor(), state: stateFrom(first) });
    expect(ids(without)).not.toContain(late);
    const withLookback = await runConnector('read', { config: configFor(sim, { lookback_minutes: 1 }), catalog: catalogFor(), state: stateFrom(first) });
    expect(withLookback.code).toBe(0);
    // `last` sits on the cursor and was emitted already: only the late arrival comes.
    expect(new Set(ids(withLookback))).toEqual(new Set([late]));
  });

  test('an idle incremental sync costs 3 requests and emits nothing', async () => {
    sim = await startSimulator({ seed: 16, incidents: 80, rateLimit: null });
    const first = await runConnector('read', { config: configFor(sim), catalog: catalogFor() });
    sim.resetStats();
    const idle = await runConnector('read', { config: configFor(sim), catalog: catalogFor(), state: stateFrom(first) });
    expect(idle.code).toBe(0);
    // token + one list page for updates + one for new incidents
    expect(sim.stats().total).toBe(3);
    expect(idle.states.length).toBeLessThanOrEqual(2);
    expect(idle.records).toHaveLength(0);
  });

  test('a far-future state yields no records and one STATE', async () => {
    sim = await startSimulator({ seed: 17, incidents: 50, rateLimit: null });
    const state = [{ type: 'STREAM', stream: { stream_descriptor: { name: 'ironscales_incidents' }, stream_state: { first_reported_date: '2999-01-01T00:00:00.000000Z' } } }];
    const result = await runConnector('read', { config: configFor(sim), catalog: catalogFor(), state });
    expect(result.code).toBe(0);
    expect(result.records).toHaveLength(0);
    expect(result.states).toHaveLength(1);
    expect(result.states[0]!.state.stream.stream_state.first_reported_date).toBe('2999-01-01T00:00:00.000000Z');
    expect(streamStatuses(result)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  test('a reclassified incident is re-emitted by the next sync with its new classification', async () => {
    sim = await startSimulator({ seed: 18, incidents: 100, rateLimit: null, goneRatio: 0 });
    const first = await runConnector('read', { config: configFor(sim), catalog: catalogFor() });
    expect(first.code).toBe(0);
    const target = sim.incidentIds()[10]!;
    const before = first.records.find((r) => r.record.data.incident_id === target)!.record.data.classification;
    const newClass = before === 'False Positive' ? 'Attack' : 'False Positive';
    sim.reclassify(target, newClass);
    // Windows end 2 s behind IRONSCALES' clock (writes land late): let the change settle.
    await new Promise((r) => setTimeout(r, 2_500));
    const second = await runConnector('read', { config: configFor(sim), catalog: catalogFor(), state: stateFrom(first) });
    expect(second.code).toBe(0);
    const again = second.records.filter((r) => r.record.data.incident_id === target);
    expect(again).toHaveLength(1);
    expect(again[0]!.record.data.classification).toBe(newClass);
    // Only the reclassified incident comes again, not the history.
    expect(second.records).toHaveLength(1);
  });

  test('incidents without details (404/410) are emitted from their list entry with a WARN, nothing skipped', async () => {
    sim = await startSimulator({ seed: 19, incidents: 30, rateLimit: null, goneRatio: 0 });
    const gone = sim.addIncidents([
      { first_reported_date: '2025-07-01T10:00:00.123456Z', gone: true },
      { first_reported_date: '2025-07-01T10:00:01.654321Z', gone: true },
    ]);
    const result = await runConnector('read', { config: configFor(sim), catalog: catalogFor() });
    expect(result.code).toBe(0);
    expect(ids(result)).toHaveLength(32);
    for (const id of gone) {
      const record = result.records.find((r) => r.record.data.incident_id === id)!.record.data;
      expect(record.company_id).toBe(sim.companyId);
      expect(typeof record.classification).toBe('string');
      expect(record.first_reported_date).toMatch(/^2025-07-01T10:00:0\d\.\d{6}Z$/);
      expect(record.details_unavailable).toMatch(/HTTP (404|410)/);
      expect(result.logs.some((l) => l.log.level === 'WARN' && l.log.message.includes(String(id)))).toBe(true);
      // Both are account takeovers (the simulator's default for gone incidents): their ATO details come along.
      expect(record.account_takeover).toMatchObject({ id, alerts: expect.any(Array) });
      expect(record.details_unavailable).toMatch(/account-takeover details attached/);
    }
    expect(sim.stats().requests.ato).toBeGreaterThanOrEqual(2);
  });

  test('a Teams incident (no details, no account-takeover details) keeps the list-entry fallback', async () => {
    sim = await startSimulator({ seed: 25, incidents: 5, rateLimit: null, goneRatio: 0 });
    const [teams] = sim.addIncidents([{ first_reported_date: '2025-07-02T10:00:00.000001Z', gone: true, reportType: 'teams' }]);
    const result = await runConnector('read', { config: configFor(sim), catalog: catalogFor() });
    expect(result.code).toBe(0);
    const record = result.records.find((r) => r.record.data.incident_id === teams)!.record.data;
    expect(record.details_unavailable).toMatch(/HTTP (404|410)/);
    expect(record.account_takeover).toBeUndefined();
    expect(record.list_entry).toMatchObject({ incidentID: teams });
  });

  test('a token that expires mid-sync is refreshed and the sync completes', async () => {
    sim = await startSimulator({ seed: 20, incidents: 150, rateLimit: null, tokenTtlMs: 400, latencyMs: 5, goneRatio: 0 });
    const result = await runConnector('read', { config: configFor(sim, { requests_per_minute: 12000 }), catalog: catalogFor() });
    expect(result.code).toBe(0);
    expect(new Set(ids(result)).size).toBe(150);
    expect(sim.stats().requests.token).toBeGreaterThanOrEqual(2);
    assertNoSecrets(result, sim);
  });

  test('429 with Retry-After: the connector waits as told, reports RATE_LIMITED, and loses nothing', async () => {
    sim = await startSimulator({ seed: 21, incidents: 60, rateLimit: null, goneRatio: 0 });
    sim.inject({ kind: 'throttle', count: 2, retryAfterSeconds: 1, endpoint: 'details' });
    const started = Date.now();
    const result = await runConnector('read', { config: configFor(sim), catalog: catalogFor() });
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(new Set(ids(result)).size).toBe(60);
    const limited = result.traces.filter((t) => t.trace.type === 'STREAM_STATUS' && t.trace.stream_status.reasons?.[0]?.type === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.trace.stream_status.status).toBe('RUNNING');
  });

  test('the client-side limiter keeps under the server limit: no 429 is ever served', async () => {
    sim = await startSimulator({ seed: 22, incidents: 100, rateLimit: { limit: 40, windowMs: 2000 }, goneRatio: 0 });
    const result = await runConnector('read', { config: configFor(sim, { requests_per_minute: 1200 }), catalog: catalogFor() });
    expect(result.code).toBe(0);
    expect(new Set(ids(result)).size).toBe(100);
    expect(sim.stats().throttled).toBe(0);
    expect(sim.stats().maxCallsInWindow).toBeLessThanOrEqual(40);
  });

  test('killed with SIGKILL mid-sync and resumed from the last STATE, nothing is lost', async () => {
    sim = await startSimulator({ seed: 23, incidents: 300, rateLimit: null, goneRatio: 0 });
    const config = configFor(sim, { records_per_checkpoint: 40 });
    for (const killAt of [37, 151]) {
      const killed = await runConnector('read', { config, catalog: catalogFor(), killAfterRecords: killAt });
      expect(killed.signal).toBe('SIGKILL');
      const seen = new Set(ids(killed));
      const state = killed.states.length > 0 ? stateFrom(killed) : undefined;
      const resumed = await runConnector('read', { config, catalog: catalogFor(), ...(state ? { state } : {}) });
      expect(resumed.code).toBe(0);
      for (const id of ids(resumed)) seen.add(id);
      expect(seen.size).toBe(300);
      expect(new Set([...seen])).toEqual(new Set(sim.incidentIds()));
      expect(errorTraces(resumed)).toHaveLength(0);
    }
  });
});
