/**
 * Faults in a sync of all four streams: a SIGKILL anywhere resumes per stream without loss, faults
 * on the mitigations, mailboxes and account-takeover endpoints are survived, and an endpoint that
 * keeps failing fails its stream alone (INCOMPLETE, a transient error naming it, non-zero exit)
 * while the other streams COMPLETE. Built connector, separate process, simulator over real HTTP.
 */
import { startSimulator, type Endpoint, type Fault, type Simulator } from '../../simulator/index.js';
import { catalogFor, configFor as simulatorConfig, errorTraces, type Message, type RunResult } from '../helpers/connector.js';
import { runChecked } from '../helpers/acceptance-protocol.js';
import { drainFaults, pickPoints } from '../helpers/faults-harness.js';

const INCIDENTS = 'ironscales_incidents';
const IOCS = 'ironscales_incident_iocs';
const MITIGATIONS = 'ironscales_mitigations';
const MAILBOXES = 'ironscales_mailboxes';
const ALL = [INCIDENTS, IOCS, MITIGATIONS, MAILBOXES];
const KEYS: Record<string, string[]> = { [INCIDENTS]: ['incident_id'], [IOCS]: ['incident_id', 'ioc_type', 'value'], [MITIGATIONS]: ['mitigationID'], [MAILBOXES]: ['id'] };

let sim: Simulator;
/** Per stream, the primary keys and the records of a clean read. */
const reference = new Map<string, { keys: Set<string>; records: string[] }>();

const config = (extra: Record<string, unknown> = {}) => simulatorConfig(sim, { records_per_checkpoint: 10, max_retry_seconds: 20, ...extra });
const catalog = () => catalogFor('incremental', ALL);
const keyOf = (stream: string, data: Record<string, unknown>) => JSON.stringify(KEYS[stream]!.map((k) => data[k]));
const rowsOf = (result: RunResult | Message[], stream: string) =>
  (Array.isArray(result) ? result : result.messages).filter((m) => m.type === 'RECORD' && m.record.stream === stream).map((m) => m.record.data);
const statusesOf = (result: RunResult, stream: string) =>
  result.traces.filter((t) => t.trace.type === 'STREAM_STATUS' && t.trace.stream_status.stream_descriptor.name === stream).map((t) => t.trace.stream_status.status);

beforeAll(async () => {
  sim = await startSimulator({ seed: 77, incidents: 40, rateLimit: null, goneRatio: 0, extraFieldRatio: 0, mailboxes: 30, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
  sim.addIncidents([
    { first_reported_date: '2025-01-10T10:10:10.101010Z', gone: true },
    { first_reported_date: '2025-02-20T20:20:20.202020Z', gone: true },
  ]);
  const clean = await runChecked('read', { config: config(), catalog: catalog() });
  expect(clean.code).toBe(0);
  for (const stream of ALL) {
    const rows = rowsOf(clean, stream);
    reference.set(stream, { keys: new Set(rows.map((d) => keyOf(stream, d))), records: rows.map((d) => JSON.stringify(d)).sort() });
  }
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

/**
 * What the platform holds of a killed run, per stream: that stream's records before its own last
 * STATE (a destination commits a stream's records on its STATE), and that STATE, the resume point.
 */
function committedPerStream(result: RunResult): { keys: Map<string, string[]>; states: Map<string, Message> } {
  const keys = new Map<string, string[]>();
  const states = new Map<string, Message>();
  for (const stream of ALL) {
    let last = -1;
    result.messages.forEach((m, i) => {
      if (m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream) last = i;
    });
    if (last < 0) continue;
    keys.set(stream, rowsOf(result.messages.slice(0, last + 1), stream).map((d) => keyOf(stream, d)));
    states.set(stream, result.messages[last]!.state.stream);
  }
  return { keys, states };
}

const asInput = (states: Map<string, Message>) => [...states.values()].map((stream) => ({ type: 'STREAM', stream }));

/** A completed read: exit 0, no error, every stream COMPLETE, and (with `delivered`) no row of any stream missing. */
function expectComplete(result: RunResult, delivered: Map<string, string[]> = new Map()): void {
  expect(errorTraces(result)).toEqual([]);
  expect(result.code).toBe(0);
  for (const stream of ALL) {
    expect({ stream, last: statusesOf(result, stream).at(-1) }).toEqual({ stream, last: 'COMPLETE' });
    const seen = new Set([...(delivered.get(stream) ?? []), ...rowsOf(result, stream).map((d) => keyOf(stream, d))]);
    const missing = [...reference.get(stream)!.keys].filter((k) => !seen.has(k));
    expect({ stream, missing }).toEqual({ stream, missing: [] });
  }
}

describe('SIGKILL in a sync of all four streams', () => {
  test('killed at 4 points (in every stream), each resumed from the per-stream last STATEs: nothing lost per stream', async () => {
    const total = [...reference.values()].reduce((n, r) => n + r.records.length, 0);
    const mailboxesFrom = total - reference.get(MAILBOXES)!.records.length;
    // Seeded points in the incident tables, and one among the mailboxes (read last, with no STATE).
    const points = [...pickPoints(0x57ea, 3, 1, mailboxesFrom - 5), mailboxesFrom + 10];
    for (const killAt of points) {
      const killed = await runChecked('read', { config: config(), catalog: catalog(), killAfterRecords: killAt });
      expect({ killAt, signal: killed.signal }).toEqual({ killAt, signal: 'SIGKILL' });
      const safe = committedPerStream(killed);
      const resumed = await runChecked('read', { config: config(), catalog: catalog(), ...(safe.states.size > 0 ? { state: asInput(safe.states) } : {}) });
      expectComplete(resumed, safe.keys);
    }
  }, 60_000);

  test('killed three times in a row, each run resumed from the per-stream states so far', async () => {
    const delivered = new Map<string, string[]>();
    const states = new Map<string, Message>();
    for (const killAt of pickPoints(0xc4a1, 3, 20, 200)) {
      const killed = await runChecked('read', { config: config(), catalog: catalog(), killAfterRecords: killAt, ...(states.size > 0 ? { state: asInput(states) } : {}) });
      expect(killed.signal).toBe('SIGKILL');
      const safe = committedPerStream(killed);
      for (const [stream, keys] of safe.keys) delivered.set(stream, [...(delivered.get(stream) ?? []), ...keys]);
      // A stream that printed no STATE this time keeps the state the platform already had.
      for (const [stream, state] of safe.states) states.set(stream, state);
    }
    const final = await runChecked('read', { config: config(), catalog: catalog(), state: asInput(states) });
    expectComplete(final, delivered);
  }, 60_000);
});

describe('faults on the mitigations, mailboxes and account-takeover endpoints', () => {
  const faultsOf = (kind: 'throttle' | 'server_error' | 'reset' | 'truncate'): Fault[] =>
    (['mitigations', 'mailboxes', 'ato'] as Endpoint[]).map((endpoint) =>
      kind === 'throttle' ? { kind, count: 1, retryAfterSeconds: 1, endpoint } : kind === 'server_error' ? { kind, count: 1, status: 502, endpoint } : { kind, count: 1, endpoint },
    );

  test.each(['throttle', 'server_error', 'reset', 'truncate'] as const)('%s: survived, every stream identical to a clean read, every fault consumed', async (kind) => {
    sim.resetStats();
    const faults = faultsOf(kind);
    for (const f of faults) sim.inject(f);
    const result = await runChecked('read', { config: config(), catalog: catalog() });
    expectComplete(result);
    for (const stream of ALL) {
      expect({ stream, same: rowsOf(result, stream).map((d) => JSON.stringify(d)).sort() }).toEqual({ stream, same: reference.get(stream)!.records });
    }
    expect(sim.stats().injectedFaults).toBe(faults.reduce((n, f) => n + f.count, 0));
    if (kind === 'throttle') {
      // A wait is reported on the streams being read: the incident tables' pass and the mailboxes.
      const limited = new Set(result.traces.filter((t) => t.trace.stream_status?.reasons?.[0]?.type === 'RATE_LIMITED').map((t) => t.trace.stream_status.stream_descriptor.name));
      expect(limited.has(MITIGATIONS) && limited.has(MAILBOXES)).toBe(true);
    } else {
      const warnings = result.logs.filter((l) => l.log.level === 'WARN').map((l) => String(l.log.message));
      for (const what of ['mitigation', 'mailbox', 'account-takeover']) expect({ what, retried: warnings.some((w) => w.includes(what)) }).toEqual({ what, retried: true });
    }
  }, 60_000);
});

describe('an endpoint that keeps failing', () => {
  /** Reads all four streams while `endpoint` answers 503 to every call; the fault is drained afterwards. */
  async function readWithOutage(endpoint: Endpoint): Promise<RunResult> {
    sim.inject({ kind: 'server_error', count: 100, status: 503, endpoint });
    try {
      return await runChecked('read', { config: config({ max_retry_seconds: 2, request_timeout_seconds: 2 }), catalog: catalog() });
    } finally {
      await drainFaults(sim, endpoint === 'mailboxes' ? `/appapi/mailboxes/${sim.companyId}/list/` : `/appapi/mitigation/${sim.companyId}/details/`);
    }
  }

  function expectFailedAlone(result: RunResult, failed: string[]): void {
    expect(result.code).not.toBe(0);
    for (const stream of ALL) {
      const last = statusesOf(result, stream).at(-1);
      expect({ stream, last }).toEqual({ stream, last: failed.includes(stream) ? 'INCOMPLETE' : 'COMPLETE' });
      if (failed.includes(stream)) continue;
      expect({ stream, same: rowsOf(result, stream).map((d) => JSON.stringify(d)).sort() }).toEqual({ stream, same: reference.get(stream)!.records });
    }
    const errors = errorTraces(result);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.trace.error.failure_type)).toEqual(errors.map(() => 'transient_error'));
    // The stream is named: on the error's stream_descriptor or in its message.
    for (const stream of failed) {
      expect({ stream, named: errors.some((e) => e.trace.error.stream_descriptor?.name === stream || String(e.trace.error.message).includes(stream)) }).toEqual({ stream, named: true });
    }
    expect(result.messages.at(-1)?.type).toBe('TRACE');
  }

  test('mailboxes answering 503 every time: mailboxes INCOMPLETE, the three incident tables COMPLETE and whole, exit non-zero', async () => {
    const result = await readWithOutage('mailboxes');
    expectFailedAlone(result, [MAILBOXES]);
    expect(rowsOf(result, MAILBOXES)).toHaveLength(0);
  }, 60_000);

  // The three incident tables share one pass: a mitigations outage must not cost the incidents.
  test('mitigations answering 503 every time fails mitigations alone; incidents, IOCs and mailboxes COMPLETE', async () => {
    const result = await readWithOutage('mitigations');
    expectFailedAlone(result, [MITIGATIONS]);
  }, 60_000);
});
