/**
 * What the wild sends (issue 14), part 2: incidents and tables. The incident at the cursor with a
 * lookback, broken incidents among healthy ones (5xx, 4xx, account-takeover failures), more
 * broken incidents than the state used to keep, a slow token answer that skews the clock
 * estimate, and one table's endpoint down for several syncs. Built connector, real HTTP.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.js';
import { runChecked } from '../helpers/acceptance-protocol.js';
import { carryState, catalogFor, configFor, errorTraces, stateFrom, type Message, type RunResult } from '../helpers/connector.js';
import { sleep } from '../helpers/faults-harness.js';

const INCIDENTS = 'ironscales_incidents';
const IOCS = 'ironscales_incident_iocs';
const MITIGATIONS = 'ironscales_mitigations';
const INCIDENT_TABLES = [INCIDENTS, IOCS, MITIGATIONS];
/** Windows end 2 s (and up to a second of clock estimate) behind IRONSCALES' clock. */
const SERVER_MARGIN_MS = 3_200;

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function simulator(options: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator({ rateLimit: null, goneRatio: 0, extraFieldRatio: 0, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z', ...options });
  return sim;
}

const rows = (result: RunResult, stream: string): Message[] => result.records.filter((r) => r.record.stream === stream).map((r) => r.record.data);
const incidentsOf = (result: RunResult): Message[] => rows(result, INCIDENTS);
const idsOf = (result: RunResult): number[] => incidentsOf(result).map((d) => d.incident_id as number);
const lastStateOf = (result: RunResult, stream: string): Record<string, any> =>
  result.states.filter((s) => s.state.stream.stream_descriptor.name === stream).at(-1)?.state.stream.stream_state ?? {};

describe('row 3: with a lookback, the incident at the cursor gets its reclassification', () => {
  test.each([10, 120])('lookback_minutes %i: the newest incident reclassified after a sync is emitted again, with IOC and mitigation rows', async (lookback) => {
    const s = await simulator({ seed: 1430 });
    const [older, newest] = s.addIncidents([
      { first_reported_date: new Date(Date.now() - 120_000).toISOString() },
      { first_reported_date: new Date(Date.now() - 60_000).toISOString() },
    ]) as [number, number];
    const config = configFor(s, { lookback_minutes: lookback, start_date: '2024-01-01T00:00:00Z' });
    const catalog = catalogFor('incremental', INCIDENT_TABLES);
    const first = await runChecked('read', { config, catalog });
    expect(first.code).toBe(0);
    expect(lastStateOf(first, INCIDENTS).ids_at_cursor).toEqual([newest]);
    s.reclassify(newest, 'Spam');
    await sleep(SERVER_MARGIN_MS);
    const second = await runChecked('read', { config, catalog, state: stateFrom(first) });
    expect(second.code).toBe(0);
    const again = incidentsOf(second).filter((d) => d.incident_id === newest);
    expect(again.map((d) => d.classification)).toEqual(['Spam']);
    expect(rows(second, IOCS).filter((r) => r.incident_id === newest).every((r) => r.classification === 'Spam')).toBe(true);
    expect(rows(second, IOCS).some((r) => r.incident_id === newest)).toBe(true);
    expect(rows(second, MITIGATIONS).some((r) => r.incidentID === newest && r.resolution === 'Spam')).toBe(true);
    // The lookback re-reads the older one too (that is what a lookback costs); nothing is lost or stale.
    expect(idsOf(second)).toContain(older);
  });
});

describe('rows 4 and 5: one broken incident is one broken incident', () => {
  test('three incidents whose details always fail among five new ones: the sync succeeds, the healthy two are not sent again', async () => {
    const s = await simulator({ seed: 1440, incidents: 30 });
    const config = configFor(s, { max_retry_seconds: 2, request_timeout_seconds: 2 });
    const first = await runChecked('read', { config, catalog: catalogFor() });
    expect(first.code).toBe(0);
    const fresh = s.addIncidents(Array.from({ length: 5 }, (_, i) => ({ first_reported_date: new Date(Date.now() - 10_000 + i * 1000).toISOString() })));
    const broken = fresh.slice(0, 3);
    for (const id of broken) s.failDetails(id, 500);
    await sleep(SERVER_MARGIN_MS);
    const second = await runChecked('read', { config, catalog: catalogFor(), state: stateFrom(first) });
    expect(errorTraces(second)).toEqual([]);
    expect(second.code).toBe(0);
    expect(idsOf(second).sort()).toEqual([...fresh].sort());
    for (const id of broken) expect(incidentsOf(second).find((d) => d.incident_id === id)?.details_unavailable).toMatch(/\S/);
    expect([...lastStateOf(second, INCIDENTS).details_pending].sort()).toEqual([...broken].sort());

    const third = await runChecked('read', { config, catalog: catalogFor(), state: stateFrom(second) });
    expect(third.code).toBe(0);
    expect(idsOf(third)).toEqual([]);
    for (const id of broken) s.healDetails(id);
    const fourth = await runChecked('read', { config, catalog: catalogFor(), state: stateFrom(third) });
    expect(idsOf(fourth).sort()).toEqual([...broken].sort());
    for (const d of incidentsOf(fourth)) expect(d.details_unavailable).toBeUndefined();
    expect(lastStateOf(fourth, INCIDENTS).details_pending ?? []).toEqual([]);
  });

  test.each([
    ['403 (JSON)', 403, 'json'],
    ['400 (JSON)', 400, 'json'],
    ['422 (JSON)', 422, 'json'],
    ['502 (HTML)', 502, 'html'],
  ] as const)('details answering %s for one incident: list-entry record and details_pending, for all three tables', async (_label, status, body) => {
    const s = await simulator({ seed: 1441, incidents: 40 });
    const target = s.incidentIds()[11] as number;
    s.failDetails(target, status, body);
    const result = await runChecked('read', { config: configFor(s, { max_retry_seconds: 2 }), catalog: catalogFor('incremental', INCIDENT_TABLES) });
    expect(errorTraces(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect(new Set(idsOf(result))).toEqual(new Set(s.incidentIds()));
    expect(incidentsOf(result).find((d) => d.incident_id === target)?.details_unavailable).toMatch(/\S/);
    for (const stream of [INCIDENTS, IOCS]) expect(lastStateOf(result, stream).details_pending).toEqual([target]);
  });

  test.each([
    ['500 (HTML)', 500, 'html'],
    ['403 (JSON)', 403, 'json'],
  ] as const)('the account-takeover endpoint answering %s for one incident: the sync goes on, the incident is completed later', async (_label, status, body) => {
    const s = await simulator({ seed: 1442, incidents: 20 });
    const [ato] = s.addIncidents([{ first_reported_date: '2025-02-10T10:00:00.123456Z', reportType: 'ato' }]) as [number];
    s.failAccountTakeover(ato, status, body);
    const config = configFor(s, { max_retry_seconds: 2 });
    const first = await runChecked('read', { config, catalog: catalogFor('incremental', INCIDENT_TABLES) });
    expect(errorTraces(first)).toEqual([]);
    expect(first.code).toBe(0);
    expect(incidentsOf(first).find((d) => d.incident_id === ato)?.account_takeover).toBeUndefined();
    expect(lastStateOf(first, INCIDENTS).details_pending).toEqual([ato]);
    s.healAccountTakeover(ato);
    const second = await runChecked('read', { config, catalog: catalogFor('incremental', INCIDENT_TABLES), state: stateFrom(first) });
    const completed = incidentsOf(second).find((d) => d.incident_id === ato);
    expect(completed?.account_takeover).toBeDefined();
    expect(rows(second, IOCS).some((r) => r.incident_id === ato && r.ioc_type === 'login_ip')).toBe(true);
    expect(lastStateOf(second, INCIDENTS).details_pending ?? []).toEqual([]);
  });

  test('details down for every incident while the list answers: an outage (transient), nothing checkpointed past it', async () => {
    const s = await simulator({ seed: 1443, incidents: 60 });
    const config = configFor(s, { max_retry_seconds: 2, request_timeout_seconds: 2, records_per_checkpoint: 20 });
    const first = await runChecked('read', { config, catalog: catalogFor() });
    expect(first.code).toBe(0);
    s.addIncidents(Array.from({ length: 10 }, (_, i) => ({ first_reported_date: new Date(Date.now() - 20_000 + i * 1000).toISOString() })));
    await sleep(SERVER_MARGIN_MS);
    s.inject({ kind: 'server_error', status: 503, endpoint: 'details', count: 1_000_000 });
    const second = await runChecked('read', { config, catalog: catalogFor(), state: stateFrom(first) });
    expect(second.code).not.toBe(0);
    expect(errorTraces(second).map((e) => e.trace.error.failure_type)).toContain('transient_error');
    expect(lastStateOf(second, INCIDENTS).first_reported_date ?? lastStateOf(first, INCIDENTS).first_reported_date).toBe(lastStateOf(first, INCIDENTS).first_reported_date);
  });
});

describe('row 6: details_pending never drops an incident silently', () => {
  test('600 incidents refused, then served: every one gets its full record', async () => {
    const s = await simulator({ seed: 1460, incidents: 0 });
    const at = (i: number) => new Date(Date.parse('2025-02-01T00:00:00Z') + i * 60_000).toISOString();
    const all = s.addIncidents(Array.from({ length: 620 }, (_, i) => ({ first_reported_date: at(i) })));
    const broken = all.slice(10, 610);
    for (const id of broken) s.failDetails(id, 403, 'json');
    const config = configFor(s, { max_retry_seconds: 2 });
    let result = await runChecked('read', { config, catalog: catalogFor() });
    expect(result.code).toBe(0);
    expect(new Set(lastStateOf(result, INCIDENTS).details_pending)).toEqual(new Set(broken));
    for (const id of broken) s.healDetails(id);
    const full = new Set<number>();
    for (let sync = 0; sync < 5 && full.size < broken.length; sync++) {
      result = await runChecked('read', { config, catalog: catalogFor(), state: stateFrom(result) });
      expect(result.code).toBe(0);
      for (const d of incidentsOf(result)) if (d.details_unavailable === undefined) full.add(d.incident_id as number);
    }
    expect(broken.filter((id) => !full.has(id))).toEqual([]);
    expect(lastStateOf(result, INCIDENTS).details_pending ?? []).toEqual([]);
  });
});

describe('row 7: a slow answer never places a window in IRONSCALES\' future', () => {
  test('an 8 s token answer: a reclassification made right after the sync is delivered by the next one', async () => {
    const s = await simulator({ seed: 1470, incidents: 30 });
    // A timeout longer than the slow answer, so it arrives (and its Date header is read).
    const config = configFor(s, { request_timeout_seconds: 30 });
    const warm = await runChecked('read', { config, catalog: catalogFor() });
    s.inject({ kind: 'delay', ms: 8_000, endpoint: 'token', count: 1 });
    const first = await runChecked('read', { config, catalog: catalogFor(), state: stateFrom(warm) });
    expect(first.code).toBe(0);
    const target = s.incidentIds()[3] as number;
    s.reclassify(target, 'Spam');
    await sleep(SERVER_MARGIN_MS);
    const second = await runChecked('read', { config, catalog: catalogFor(), state: stateFrom(first) });
    expect(incidentsOf(second).filter((d) => d.incident_id === target).map((d) => d.classification)).toEqual(['Spam']);
  }, 40_000);
});

describe('row 8: a failing table holds back only itself', () => {
  test('mitigations down for two syncs: incidents and IOCs get each change once and no details call is repeated', async () => {
    const s = await simulator({ seed: 1480, incidents: 80 });
    const config = configFor(s, { max_retry_seconds: 1, request_timeout_seconds: 2 });
    const catalog = catalogFor('incremental', INCIDENT_TABLES);
    const first = await runChecked('read', { config, catalog });
    expect(first.code).toBe(0);

    s.inject({ kind: 'server_error', status: 503, endpoint: 'mitigations', count: 1_000_000 });
    const changed = s.incidentIds().slice(5, 10);
    for (const id of changed) s.reclassify(id, 'Spam');
    const added = s.addIncidents(Array.from({ length: 4 }, (_, i) => ({ first_reported_date: new Date(Date.now() - 10_000 + i * 1000).toISOString() })));
    await sleep(SERVER_MARGIN_MS);
    // The platform keeps each stream's last state, also that of a stream that failed before checkpointing.
    const firstState = stateFrom(first);
    const second = await runChecked('read', { config, catalog, state: firstState });
    expect(second.code).not.toBe(0);
    expect(new Set(idsOf(second))).toEqual(new Set([...changed, ...added]));
    const secondState = carryState(firstState, second);

    s.resetStats();
    const third = await runChecked('read', { config, catalog, state: secondState });
    expect(third.code).not.toBe(0);
    expect({ incidents: idsOf(third), iocs: rows(third, IOCS).length, details: s.stats().requests.details }).toEqual({ incidents: [], iocs: 0, details: 0 });

    s.clearFaults();
    const fourth = await runChecked('read', { config, catalog, state: carryState(secondState, third) });
    expect(fourth.code).toBe(0);
    expect(idsOf(fourth)).toEqual([]);
    const mitigated = new Set(rows(fourth, MITIGATIONS).map((r) => r.incidentID as number));
    for (const id of [...changed, ...added]) expect({ id, has: mitigated.has(id) }).toEqual({ id, has: true });
  }, 60_000);
});
