/**
 * The fault matrix: the built connector, run as a process against the simulator over real HTTP,
 * meets every kind of failure IRONSCALES or the network can produce. Each surviving case must end
 * with the COMPLETE set of incidents (the union of record ids equals the simulator's ids) and
 * nothing lost. The failure side (a persistent outage, a server that always throttles) must end
 * within bounded time with a transient_error, and the last STATE before it must be a safe place
 * to resume. Every run also passes the protocol checks of runChecked().
 */
import { startSimulator, type Fault, type Simulator, type SimulatorOptions } from '../../simulator/index.js';
import { catalogFor, configFor as simulatorConfig, errorTraces, stateFrom, streamStatuses, type RunResult } from '../helpers/connector.js';
import { recordIds, runChecked } from '../helpers/acceptance-protocol.js';
import { committed, drainFaults, missingIds, pickPoints, runDuring, waitUntil } from '../helpers/faults-harness.js';

let sim: Simulator | undefined;

const totals = { casesSurvived: 0, faultsSurvived: 0, tokenExpiries: 0, killPointsTried: 0, recordsLost: 0, failureCases: 0, killPoints: [] as string[] };

async function startSim(options: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator({ rateLimit: null, goneRatio: 0, extraFieldRatio: 0, largeBodyRatio: 0.02, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

afterAll(() => {
  console.log(
    `Fault matrix: ${totals.casesSurvived} cases survived, faults survived: ${totals.faultsSurvived} injected faults + ${totals.tokenExpiries} token expiries, ` +
      `kill points tried: ${totals.killPointsTried} (after N records: ${totals.killPoints.join(', ')}), records lost: ${totals.recordsLost}, failure-side cases: ${totals.failureCases}.`,
  );
});

function configFor(s: Simulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return simulatorConfig(s, { records_per_checkpoint: 25, max_retry_seconds: 30, ...extra });
}

const injectAll = (s: Simulator, faults: Fault[]) => faults.forEach((f) => s.inject(f));
const faultCount = (faults: Fault[]) => faults.reduce((n, f) => n + f.count, 0);

/** A completed run: exit 0, no error, COMPLETE, every incident present; adds what it lost to the total (must be 0). */
function expectComplete(result: RunResult, s: Simulator, alsoSeen: number[] = []): void {
  expect(errorTraces(result)).toEqual([]);
  expect(result.code).toBe(0);
  expect(streamStatuses(result).at(-1)).toBe('COMPLETE');
  const lost = missingIds(s.incidentIds(), [...alsoSeen, ...recordIds(result)]);
  totals.recordsLost += lost.length;
  expect(lost).toEqual([]);
  // Nothing that is not an incident of the simulator, and every record covered by a STATE.
  const known = new Set(s.incidentIds());
  expect(recordIds(result).filter((id) => !known.has(id))).toEqual([]);
  expect(result.states.length).toBeGreaterThanOrEqual(1);
  expect(committed(result).ids).toHaveLength(result.records.length);
  expect(result.states.reduce((n, m) => n + m.state.sourceStats.recordCount, 0)).toBe(result.records.length);
}

/** Injects `faults`, reads everything, and expects the complete set with every fault consumed. */
async function surviveFaults(s: Simulator, faults: Fault[], config: Record<string, unknown>): Promise<RunResult> {
  injectAll(s, faults);
  const result = await runChecked('read', { config, catalog: catalogFor() });
  expectComplete(result, s);
  // Every injected fault really happened (none left queued).
  expect(s.stats().injectedFaults).toBe(faultCount(faults));
  totals.faultsSurvived += s.stats().injectedFaults;
  totals.casesSurvived += 1;
  return result;
}

const warnings = (result: RunResult) => result.logs.filter((l) => l.log.level === 'WARN').map((l) => l.log.message as string);

describe('faults the connector survives, losing nothing', () => {
  test('429 storms with Retry-After on get-token, list and details', async () => {
    const s = await startSim({ seed: 101, incidents: 120 });
    const started = Date.now();
    const result = await surviveFaults(
      s,
      [
        { kind: 'throttle', count: 1, retryAfterSeconds: 1, endpoint: 'token' },
        { kind: 'throttle', count: 2, retryAfterSeconds: 1, endpoint: 'list' },
        { kind: 'throttle', count: 4, retryAfterSeconds: 1, endpoint: 'details' },
      ],
      configFor(s),
    );
    // Retry-After was honoured: at least the token's and the first list's 1 s waits happened one after the other.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const limited = result.traces.filter((t) => t.trace.type === 'STREAM_STATUS' && t.trace.stream_status.reasons?.[0]?.type === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(warnings(result).some((w) => /rate limit/i.test(w))).toBe(true);
  }, 60_000);

  test('5xx with HTML bodies (502/503/500) on get-token, list and details', async () => {
    const s = await startSim({ seed: 102, incidents: 120 });
    const result = await surviveFaults(
      s,
      [
        { kind: 'server_error', count: 1, status: 502, endpoint: 'token' },
        { kind: 'server_error', count: 1, status: 503, endpoint: 'list' },
        { kind: 'server_error', count: 1, status: 502, endpoint: 'details' },
        { kind: 'server_error', count: 1, status: 503, endpoint: 'details' },
        { kind: 'server_error', count: 1, status: 500, endpoint: 'details' },
      ],
      configFor(s),
    );
    const retried = warnings(result).filter((w) => /retry \d+ with exponential backoff/.test(w));
    expect(retried.some((w) => /get-token.*HTTP 502/.test(w))).toBe(true);
    expect(retried.some((w) => /HTTP 503/.test(w))).toBe(true);
    expect(retried.some((w) => /HTTP 500/.test(w))).toBe(true);
  }, 60_000);

  test('connection resets on get-token, list and details', async () => {
    const s = await startSim({ seed: 103, incidents: 120 });
    const result = await surviveFaults(
      s,
      [
        { kind: 'reset', count: 1, endpoint: 'token' },
        { kind: 'reset', count: 2, endpoint: 'list' },
        { kind: 'reset', count: 4, endpoint: 'details' },
      ],
      configFor(s),
    );
    expect(warnings(result).some((w) => /network error/.test(w))).toBe(true);
  }, 60_000);

  test('a hung response: no answer within request_timeout_seconds=1, then the retry succeeds', async () => {
    const s = await startSim({ seed: 104, incidents: 100 });
    const result = await surviveFaults(
      s,
      [
        { kind: 'delay', count: 1, ms: 2500, endpoint: 'token' },
        { kind: 'delay', count: 1, ms: 2500, endpoint: 'list' },
        { kind: 'delay', count: 2, ms: 2500, endpoint: 'details' },
      ],
      configFor(s, { request_timeout_seconds: 1 }),
    );
    expect(warnings(result).filter((w) => /no answer within 1 s/.test(w)).length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  test('truncated JSON bodies on get-token, list and details', async () => {
    const s = await startSim({ seed: 105, incidents: 120 });
    const result = await surviveFaults(
      s,
      [
        { kind: 'truncate', count: 1, endpoint: 'token' },
        { kind: 'truncate', count: 2, endpoint: 'list' },
        { kind: 'truncate', count: 4, endpoint: 'details' },
      ],
      configFor(s),
    );
    expect(warnings(result).filter((w) => /incomplete JSON body/.test(w)).length).toBeGreaterThanOrEqual(7);
  }, 60_000);

  test('every token expires mid-sync, twice: the connector gets a new one and goes on', async () => {
    const s = await startSim({ seed: 106, incidents: 150, latencyMs: 2 });
    // 3000 calls/minute: about 3 s of details calls, time to expire the tokens under the running sync.
    const result = await runDuring('read', { config: configFor(s, { requests_per_minute: 3000 }), catalog: catalogFor() }, async (ended) => {
      for (const atDetails of [30, 90]) {
        expect(await waitUntil(() => s.stats().requests.details >= atDetails, ended)).toBe(true);
        s.expireAllTokens();
        totals.tokenExpiries += 1;
      }
    });
    expectComplete(result, s);
    expect(s.stats().requests.token).toBeGreaterThanOrEqual(3);
    expect(result.logs.filter((l) => /getting a new token/.test(l.log.message)).length).toBeGreaterThanOrEqual(2);
    totals.casesSurvived += 1;
  }, 60_000);

  test('details 404/410: those incidents are still emitted, from their list entry, with details_unavailable and a WARN', async () => {
    const s = await startSim({ seed: 107, incidents: 100, goneRatio: 0.15 });
    const gone = s.incidentIds().filter((id) => s.details(id) === undefined);
    expect(gone.length).toBeGreaterThanOrEqual(5);
    const result = await runChecked('read', { config: configFor(s), catalog: catalogFor() });
    expectComplete(result, s);
    const unavailable = result.records.filter((r) => r.record.data.details_unavailable !== undefined);
    expect(unavailable.map((r) => r.record.data.incident_id).sort()).toEqual([...gone].sort());
    const reasons = new Set(unavailable.map((r) => /HTTP (404|410)/.exec(r.record.data.details_unavailable)?.[1]));
    expect(reasons).toEqual(new Set(['404', '410']));
    for (const id of gone) expect(warnings(result).some((w) => w.includes(`Incident ${id} `))).toBe(true);
    totals.faultsSurvived += gone.length;
    totals.casesSurvived += 1;
  }, 60_000);

  test('SIGKILL at 7 points (the first output, then 6 seeded random ones), each resumed from the last STATE printed before the kill', async () => {
    const s = await startSim({ seed: 108, incidents: 200 });
    const all = s.incidentIds();
    const config = configFor(s, { records_per_checkpoint: 20 });
    const killPoints = [0, ...pickPoints(0x5eed, 6, 1, all.length - 10)];
    for (const killAt of killPoints) {
      const killed = await runChecked('read', { config, catalog: catalogFor(), killAfterRecords: killAt });
      expect({ killAt, signal: killed.signal }).toEqual({ killAt, signal: 'SIGKILL' });
      totals.killPointsTried += 1;
      totals.killPoints.push(String(killAt));
      // Only what came before the last STATE counts as delivered: a destination commits on STATE.
      const safe = committed(killed);
      const resumed = await runChecked('read', { config, catalog: catalogFor(), ...(safe.state ? { state: safe.state } : {}) });
      expectComplete(resumed, s, safe.ids);
    }
    totals.casesSurvived += 1;
  }, 60_000);

  test('SIGKILL three times in a row, each run resumed from the previous run’s last STATE', async () => {
    const s = await startSim({ seed: 109, incidents: 200 });
    const config = configFor(s, { records_per_checkpoint: 20 });
    const seen: number[] = [];
    let state: unknown[] | undefined;
    for (const killAt of pickPoints(0xbad5eed, 3, 5, 50)) {
      const killed = await runChecked('read', { config, catalog: catalogFor(), killAfterRecords: killAt, ...(state ? { state } : {}) });
      expect(killed.signal).toBe('SIGKILL');
      totals.killPointsTried += 1;
      totals.killPoints.push(`${killAt} (chained)`);
      const safe = committed(killed);
      seen.push(...safe.ids);
      // A run killed before its first STATE leaves the platform with the state it had.
      state = safe.state ?? state;
    }
    const final = await runChecked('read', { config, catalog: catalogFor(), ...(state ? { state } : {}) });
    expectComplete(final, s, seen);
    totals.casesSurvived += 1;
  }, 60_000);

  test('SIGKILL during an incremental sync that re-emits reclassified incidents (updates pass): nothing lost, the new classification arrives', async () => {
    const s = await startSim({ seed: 113, incidents: 150 });
    const config = configFor(s, { records_per_checkpoint: 20 });
    const first = await runChecked('read', { config, catalog: catalogFor() });
    expectComplete(first, s);
    const baseState = stateFrom(first);
    // Between the syncs: 50 incidents spread over the history are reclassified, 30 new ones arrive.
    const newClass = new Map<number, string>();
    for (const id of s.incidentIds().filter((_, i) => i % 3 === 0).slice(0, 50)) {
      const target = s.details(id)!.classification === 'False Positive' ? 'Attack' : 'False Positive';
      s.reclassify(id, target);
      newClass.set(id, target);
    }
    const added = s.generateIncidents(30, { from: new Date(Date.now() - 30 * 60_000).toISOString(), to: new Date(Date.now() - 60_000).toISOString() });
    const expected = [...newClass.keys(), ...added];
    // Windows end 2 s behind IRONSCALES' clock (writes land late): let the changes settle.
    await new Promise((r) => setTimeout(r, 2_500));
    for (const killAt of pickPoints(0x1ec1a55, 3, 1, 70)) {
      const killed = await runChecked('read', { config, catalog: catalogFor(), state: baseState, killAfterRecords: killAt });
      expect({ killAt, signal: killed.signal }).toEqual({ killAt, signal: 'SIGKILL' });
      totals.killPointsTried += 1;
      totals.killPoints.push(`${killAt} (incremental)`);
      const safe = committed(killed);
      const resumed = await runChecked('read', { config, catalog: catalogFor(), state: safe.state ?? baseState });
      expect(errorTraces(resumed)).toEqual([]);
      expect(resumed.code).toBe(0);
      // The latest version of each incident the destination holds (append + dedup on incident_id).
      const latest = new Map<number, Record<string, unknown>>();
      for (const r of [...safe.records, ...resumed.records]) latest.set(r.record.data.incident_id, r.record.data);
      const lost = missingIds(expected, latest.keys());
      totals.recordsLost += lost.length;
      expect({ killAt, lost }).toEqual({ killAt, lost: [] });
      const stale = [...newClass].filter(([id, cls]) => latest.get(id)?.classification !== cls).map(([id]) => id);
      expect({ killAt, stale }).toEqual({ killAt, stale: [] });
    }
    totals.casesSurvived += 1;
  }, 60_000);

  test('chaos: throttles, 5xx, resets, truncation, hangs, 404/410, token expiry and a SIGKILL in one sync', async () => {
    const s = await startSim({ seed: 110, incidents: 200, goneRatio: 0.05, latencyMs: 1 });
    const config = configFor(s, { records_per_checkpoint: 20, request_timeout_seconds: 1, requests_per_minute: 12000 });
    type Step = Fault | 'expire tokens';
    /** Applies each step once the sync has made that many details calls, so the faults spread over the whole sync. */
    const schedule = (steps: Array<[number, Step[]]>) => async (ended: () => boolean) => {
      for (const [atDetails, actions] of steps) {
        if (!(await waitUntil(() => s.stats().requests.details >= atDetails, ended))) return;
        for (const action of actions) {
          if (action === 'expire tokens') {
            s.expireAllTokens();
            totals.tokenExpiries += 1;
          } else {
            s.inject(action);
            injected += action.count;
          }
        }
      }
    };
    let injected = 0;

    // First sync: faults all along, then the process is killed.
    const killed = await runDuring(
      'read',
      { config, catalog: catalogFor(), killAfterRecords: 150 },
      schedule([
        [0, [{ kind: 'truncate', count: 1, endpoint: 'token' }, { kind: 'throttle', count: 1, retryAfterSeconds: 1, endpoint: 'list' }]],
        [15, [{ kind: 'server_error', count: 1, status: 503, endpoint: 'details' }]],
        [30, ['expire tokens']],
        [45, [{ kind: 'reset', count: 1, endpoint: 'details' }]],
        [60, [{ kind: 'truncate', count: 1, endpoint: 'details' }, { kind: 'server_error', count: 1, status: 502, endpoint: 'list' }]],
        [75, [{ kind: 'delay', count: 1, ms: 1500, endpoint: 'details' }]],
        [90, [{ kind: 'throttle', count: 1, retryAfterSeconds: 1, endpoint: 'details' }]],
      ]),
    );
    expect(killed.signal).toBe('SIGKILL');
    totals.killPointsTried += 1;
    totals.killPoints.push('150 (chaos)');
    expect(s.stats().injectedFaults).toBe(injected);
    totals.faultsSurvived += injected;
    const safe = committed(killed);
    expect(safe.state).toBeDefined();

    // The resumed sync meets more faults, and completes the set.
    s.resetStats();
    injected = 0;
    const resumed = await runDuring(
      'read',
      { config, catalog: catalogFor(), state: safe.state },
      // A split window's parts are listed before their incidents' details are fetched: the list faults come first.
      schedule([
        [0, [
          { kind: 'server_error', count: 1, status: 502, endpoint: 'token' },
          { kind: 'reset', count: 1, endpoint: 'list' },
          { kind: 'truncate', count: 1, endpoint: 'list' },
          { kind: 'delay', count: 1, ms: 1500, endpoint: 'list' },
        ]],
        [5, [{ kind: 'throttle', count: 1, retryAfterSeconds: 1, endpoint: 'details' }]],
        [12, ['expire tokens']],
        [20, [{ kind: 'truncate', count: 1, endpoint: 'details' }]],
      ]),
    );
    expectComplete(resumed, s, safe.ids);
    expect(s.stats().injectedFaults).toBe(injected);
    totals.faultsSurvived += injected;
    const gone = s.incidentIds().filter((id) => s.details(id) === undefined);
    expect(gone.length).toBeGreaterThanOrEqual(1);
    totals.faultsSurvived += gone.length;
    totals.casesSurvived += 1;
  }, 60_000);
});

describe('faults the connector cannot outlast: bounded failure, safe resume point', () => {
  /** The failed run's shape: transient_error TRACE, INCOMPLETE, non-zero exit, and the time it took. */
  function expectTransientFailure(result: RunResult, message: RegExp): void {
    expect(result.code).not.toBe(0);
    expect(result.signal).toBeNull();
    const errors = errorTraces(result);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.trace.error.failure_type)).toEqual(errors.map(() => 'transient_error'));
    expect(errors[0]!.trace.error.message).toMatch(message);
    const statuses = streamStatuses(result);
    expect(statuses[0]).toBe('STARTED');
    expect(statuses.at(-1)).toBe('INCOMPLETE');
    expect(statuses).not.toContain('COMPLETE');
    // The error is the last word: nothing after it but the end of the output.
    expect(result.messages.at(-1)?.type).toBe('TRACE');
  }

  test.each([
    ['a persistent outage (every call answers 503)', { kind: 'server_error', count: 1000, status: 503 } as Fault, /IRONSCALES API unavailable/],
    ['a server that always throttles (429, Retry-After 1 s)', { kind: 'throttle', count: 1000, retryAfterSeconds: 1 } as Fault, /kept throttling/],
  ])(
    '%s starting mid-sync ends within bounded time with transient_error; resuming from its last STATE loses nothing',
    async (_name, fault, message) => {
      const s = await startSim({ seed: 111, incidents: 200 });
      const config = configFor(s, { records_per_checkpoint: 20, max_retry_seconds: 3, request_timeout_seconds: 1, requests_per_minute: 3000 });
      let injectedAt = 0;
      const failed = await runDuring('read', { config, catalog: catalogFor() }, async (ended) => {
        expect(await waitUntil(() => s.stats().requests.details >= 60, ended)).toBe(true);
        s.inject(fault);
        injectedAt = Date.now();
      });
      const failedAfterMs = Date.now() - injectedAt;
      expectTransientFailure(failed, message);
      expect(failedAfterMs).toBeLessThan(20_000);
      totals.failureCases += 1;

      // The last STATE printed before the failure is a safe place to resume.
      const safe = committed(failed);
      expect(safe.state).toBeDefined();
      expect(safe.ids.length).toBeGreaterThanOrEqual(20);
      // The outage was still on when the connector gave up; it ends now.
      expect(await drainFaults(s)).toBeGreaterThan(0);
      const resumed = await runChecked('read', { config: { ...config, requests_per_minute: 60000 }, catalog: catalogFor(), state: safe.state });
      expectComplete(resumed, s, safe.ids);
    },
    60_000,
  );

  test('a server that always throttles from the first call ends within bounded time with transient_error and no STATE to mislead', async () => {
    const s = await startSim({ seed: 112, incidents: 50 });
    s.inject({ kind: 'throttle', count: 1000, retryAfterSeconds: 1 });
    const started = Date.now();
    const failed = await runChecked('read', { config: configFor(s, { max_retry_seconds: 3, request_timeout_seconds: 1 }), catalog: catalogFor() });
    expect(Date.now() - started).toBeLessThan(20_000);
    expectTransientFailure(failed, /kept throttling/);
    expect(failed.records).toHaveLength(0);
    expect(failed.states).toHaveLength(0);
    totals.failureCases += 1;
    expect(await drainFaults(s)).toBeGreaterThan(0);
    const retried = await runChecked('read', { config: configFor(s), catalog: catalogFor() });
    expectComplete(retried, s);
  }, 60_000);
});
