/**
 * Faults in the escalated e-mails, scanback incidents and deepfake events streams: a SIGKILL at
 * seeded points of each resumes from the last committed STATE with nothing lost and nothing
 * committed sent again; throttles, 5xx, resets, truncated bodies and a gateway's HTML 404 on their
 * endpoints are survived; an endpoint that keeps failing, or a company without deepfake
 * protection, fails its stream alone. Built connector, separate process, simulator over real HTTP.
 */
import { startSimulator, type Endpoint, type Fault, type Simulator } from '../../simulator/index.js';
import { catalogFor, configFor as simulatorConfig, errorTraces, type Message, type RunResult } from '../helpers/connector.js';
import { runChecked } from '../helpers/acceptance-protocol.js';
import { drainFaults, pickPoints } from '../helpers/faults-harness.js';

const EMAILS = 'ironscales_escalated_emails';
const SCANBACK = 'ironscales_scanback_incidents';
const DEEPFAKE = 'ironscales_deepfake_events';
const ALL = [EMAILS, SCANBACK, DEEPFAKE];
const KEYS: Record<string, string> = { [EMAILS]: 'mitigation_id', [SCANBACK]: 'incidentID', [DEEPFAKE]: 'event_uuid' };
const ENDPOINTS: Record<string, Endpoint> = { [EMAILS]: 'emails', [SCANBACK]: 'scanback', [DEEPFAKE]: 'deepfake' };

let sim: Simulator;
/** Per stream, the keys and the records of a clean read. */
const reference = new Map<string, { keys: Set<string>; records: string[] }>();

// 10 incidents per checkpoint: slices of 50 e-mails and 10 scanback incidents; the feed's pages hold 500 events.
const config = (extra: Record<string, unknown> = {}) => simulatorConfig(sim, { records_per_checkpoint: 10, max_retry_seconds: 20, ...extra });
const keyOf = (stream: string, data: Record<string, unknown>) => String(data[KEYS[stream]!]);
const rowsOf = (messages: Message[], stream: string) => messages.filter((m) => m.type === 'RECORD' && m.record.stream === stream).map((m) => m.record.data);
/** A record as the destination keeps it: the feed's position of an event depends on the page it came in. */
const canonical = (stream: string, data: Record<string, unknown>) => JSON.stringify(stream === DEEPFAKE ? { ...data, feed_cursor: undefined } : data);
const statusesOf = (result: RunResult, stream: string) =>
  result.traces.filter((t) => t.trace.type === 'STREAM_STATUS' && t.trace.stream_status.stream_descriptor.name === stream).map((t) => t.trace.stream_status.status);

beforeAll(async () => {
  sim = await startSimulator({
    // Enough of each that a kill lands mid-way: stdout reaches the harness in chunks of many records.
    seed: 78, incidents: 200, scanbackIncidents: 600, deepfakeEvents: 1300, rateLimit: null, emailsRateLimit: null, goneRatio: 0, mailboxes: 10,
    from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z',
  });
  const clean = await runChecked('read', { config: config(), catalog: catalogFor('incremental', ALL) });
  expect(clean.code).toBe(0);
  for (const stream of ALL) {
    const rows = rowsOf(clean.messages, stream);
    reference.set(stream, { keys: new Set(rows.map((d) => keyOf(stream, d))), records: rows.map((d) => canonical(stream, d)).sort() });
  }
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

/** What the platform holds of a killed run of one stream: its records before its last STATE, and that STATE. */
function committed(result: RunResult, stream: string): { keys: string[]; state: Message | undefined } {
  let last = -1;
  result.messages.forEach((m, i) => {
    if (m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream) last = i;
  });
  return { keys: rowsOf(result.messages.slice(0, last + 1), stream).map((d) => keyOf(stream, d)), state: last < 0 ? undefined : result.messages[last]!.state.stream };
}

describe('SIGKILL at seeded points of each stream, resumed from the last committed STATE', () => {
  test('the reference read: each stream has rows, the feed more than two pages', () => {
    expect(reference.get(EMAILS)!.keys.size).toBeGreaterThan(800);
    expect(reference.get(SCANBACK)!.keys.size).toBe(600);
    expect(reference.get(DEEPFAKE)!.keys.size).toBe(1300);
  });

  test.each(ALL.map((s, i) => [s, 0x5eed + i] as const))('%s: killed at 4 points, each resumed: nothing lost, nothing committed sent again', async (stream, seed) => {
    const total = reference.get(stream)!.keys.size;
    // Within the first 60 %: the last chunks of output may reach the harness after the run ended.
    for (const killAt of pickPoints(seed, 4, 1, Math.floor(total * 0.6))) {
      const killed = await runChecked('read', { config: config(), catalog: catalogFor('incremental', [stream]), killAfterRecords: killAt });
      expect({ killAt, signal: killed.signal }).toEqual({ killAt, signal: 'SIGKILL' });
      const safe = committed(killed, stream);
      const resumed = await runChecked('read', {
        config: config(),
        catalog: catalogFor('incremental', [stream]),
        ...(safe.state ? { state: [{ type: 'STREAM', stream: safe.state }] } : {}),
      });
      expect(errorTraces(resumed)).toEqual([]);
      expect(resumed.code).toBe(0);
      const again = rowsOf(resumed.messages, stream).map((d) => keyOf(stream, d));
      const delivered = new Set([...safe.keys, ...again]);
      const missing = [...reference.get(stream)!.keys].filter((k) => !delivered.has(k));
      const repeated = again.filter((k) => safe.keys.includes(k));
      expect({ stream, killAt, missing, repeated, duplicates: again.length - new Set(again).size }).toEqual({ stream, killAt, missing: [], repeated: [], duplicates: 0 });
    }
  }, 90_000);

  test('all three killed three times in a row, each run resumed from the states so far: nothing lost, nothing committed twice', async () => {
    const delivered = new Map<string, string[]>();
    const states = new Map<string, Message>();
    // Each run is killed within its first 500 records: every run has that many left.
    for (const killAt of pickPoints(0xd1e, 3, 30, 500)) {
      const killed = await runChecked('read', {
        config: config(),
        catalog: catalogFor('incremental', ALL),
        killAfterRecords: killAt,
        ...(states.size > 0 ? { state: [...states.values()].map((stream) => ({ type: 'STREAM', stream })) } : {}),
      });
      expect(killed.signal).toBe('SIGKILL');
      for (const stream of ALL) {
        const safe = committed(killed, stream);
        delivered.set(stream, [...(delivered.get(stream) ?? []), ...safe.keys]);
        if (safe.state) states.set(stream, safe.state);
      }
    }
    const final = await runChecked('read', { config: config(), catalog: catalogFor('incremental', ALL), state: [...states.values()].map((stream) => ({ type: 'STREAM', stream })) });
    expect(final.code).toBe(0);
    for (const stream of ALL) {
      const all = [...(delivered.get(stream) ?? []), ...rowsOf(final.messages, stream).map((d) => keyOf(stream, d))];
      expect({ stream, count: all.length, distinct: new Set(all).size }).toEqual({ stream, count: reference.get(stream)!.keys.size, distinct: reference.get(stream)!.keys.size });
    }
  }, 90_000);
});

describe('faults on the escalated-emails, scanback-list and deepfake endpoints', () => {
  const faultsOf = (kind: 'throttle' | 'server_error' | 'reset' | 'truncate' | 'html_404'): Fault[] =>
    Object.values(ENDPOINTS).map((endpoint): Fault => {
      if (kind === 'throttle') return { kind, count: 1, retryAfterSeconds: 1, endpoint };
      if (kind === 'server_error') return { kind, count: 1, status: 502, endpoint };
      // A gateway's page: not IRONSCALES' "nothing there", so retried rather than read as empty.
      if (kind === 'html_404') return { kind: 'error_page', status: 404, body: 'html', count: 1, endpoint };
      return { kind, count: 1, endpoint };
    });

  test.each(['throttle', 'server_error', 'reset', 'truncate', 'html_404'] as const)('%s on each endpoint: survived, every stream identical to a clean read, every fault consumed', async (kind) => {
    sim.resetStats();
    const faults = faultsOf(kind);
    for (const f of faults) sim.inject(f);
    const result = await runChecked('read', { config: config(), catalog: catalogFor('incremental', ALL) });
    expect(errorTraces(result)).toEqual([]);
    expect(result.code).toBe(0);
    for (const stream of ALL) {
      expect({ stream, last: statusesOf(result, stream).at(-1) }).toEqual({ stream, last: 'COMPLETE' });
      expect({ stream, same: rowsOf(result.messages, stream).map((d) => canonical(stream, d)).sort() }).toEqual({ stream, same: reference.get(stream)!.records });
    }
    expect(sim.stats().injectedFaults).toBe(faults.length);
    const warnings = result.logs.filter((l) => l.log.level === 'WARN').map((l) => String(l.log.message));
    if (kind === 'throttle') {
      const limited = new Set(result.traces.filter((t) => t.trace.stream_status?.reasons?.[0]?.type === 'RATE_LIMITED').map((t) => t.trace.stream_status.stream_descriptor.name));
      expect([...limited].sort()).toEqual([...ALL].sort());
    } else {
      for (const what of ['escalated emails', 'scanback incident list', 'deepfake events']) expect({ what, retried: warnings.some((w) => w.includes(what)) }).toEqual({ what, retried: true });
    }
  }, 60_000);
});

describe('an endpoint that keeps failing fails its stream alone', () => {
  test('the escalated-emails endpoint answering 503 every time: that stream INCOMPLETE (transient, named), the other two COMPLETE and whole', async () => {
    sim.inject({ kind: 'server_error', count: 100, status: 503, endpoint: 'emails' });
    let result: RunResult;
    try {
      result = await runChecked('read', { config: config({ max_retry_seconds: 2, request_timeout_seconds: 2 }), catalog: catalogFor('incremental', ALL) });
    } finally {
      await drainFaults(sim, `/appapi/emails/${sim.companyId}/`);
    }
    expect(result.code).not.toBe(0);
    expect(statusesOf(result, EMAILS).at(-1)).toBe('INCOMPLETE');
    expect(rowsOf(result.messages, EMAILS)).toHaveLength(0);
    for (const stream of [SCANBACK, DEEPFAKE]) {
      expect({ stream, last: statusesOf(result, stream).at(-1) }).toEqual({ stream, last: 'COMPLETE' });
      expect(rowsOf(result.messages, stream).map((d) => canonical(stream, d)).sort()).toEqual(reference.get(stream)!.records);
    }
    const errors = errorTraces(result);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.trace.error.failure_type)).toEqual(errors.map(() => 'transient_error'));
    expect(errors.some((e) => e.trace.error.stream_descriptor?.name === EMAILS || String(e.trace.error.message).includes(EMAILS))).toBe(true);
  }, 60_000);

  test('a company without deepfake protection (S1: 404 "feature disabled"): a config error that says so at once, the other streams whole', async () => {
    sim.setDeepfakeEnabled(false);
    let result: RunResult;
    try {
      result = await runChecked('read', { config: config(), catalog: catalogFor('incremental', ALL) });
    } finally {
      sim.setDeepfakeEnabled(true);
    }
    expect(result.code).not.toBe(0);
    expect(statusesOf(result, DEEPFAKE).at(-1)).toBe('INCOMPLETE');
    for (const stream of [EMAILS, SCANBACK]) expect({ stream, last: statusesOf(result, stream).at(-1) }).toEqual({ stream, last: 'COMPLETE' });
    const [error] = errorTraces(result);
    expect(error!.trace.error.failure_type).toBe('config_error');
    expect(error!.trace.error.message).toMatch(/Deepfake protection.*deselect the ironscales_deepfake_events stream/);
    // Not retried as an outage: one call.
    expect(result.logs.filter((l) => /deepfake events failed/.test(String(l.log.message)))).toEqual([]);
  }, 60_000);
});
