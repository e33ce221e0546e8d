/**
 * The escalated e-mails, scanback incidents and deepfake events streams over time, and what they
 * cost: an idle sync of all seven streams, new rows arriving (e-mails escalated after a sync read
 * past their arrival among them), full refreshes that resume or start over, and a backfill of the
 * escalated e-mails under IRONSCALES' real limits that never draws a 429. Built connector, separate
 * process, simulator over real HTTP.
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { catalogFor, configFor, errorTraces, stateFrom, type Message, type RunResult } from '../helpers/connector.js';
import { runChecked } from '../helpers/acceptance-protocol.js';
import { sleep } from '../helpers/faults-harness.js';
import { micros } from '../acceptance/cat-helpers.js';

const EMAILS = 'ironscales_escalated_emails';
const SCANBACK = 'ironscales_scanback_incidents';
const DEEPFAKE = 'ironscales_deepfake_events';
const NEW_STREAMS = [EMAILS, SCANBACK, DEEPFAKE];
const SEVEN = ['ironscales_incidents', 'ironscales_incident_iocs', 'ironscales_mitigations', 'ironscales_mailboxes', ...NEW_STREAMS];
const KEYS: Record<string, string> = { [EMAILS]: 'mitigation_id', [SCANBACK]: 'incidentID', [DEEPFAKE]: 'event_uuid' };
/** Windows end 1 s behind IRONSCALES' clock (whole-second Date headers): a change made now is seen this much later. */
const SETTLE_MS = 2_500;
const MINUTE_MS = 60_000;

const rows = (result: RunResult, stream: string) => result.records.filter((r) => r.record.stream === stream).map((r) => r.record.data);
const keys = (result: RunResult, stream: string) => rows(result, stream).map((d) => String(d[KEYS[stream]!]));

async function read(sim: Simulator, streams: string[], options: { state?: unknown; mode?: 'incremental' | 'full_refresh'; extra?: Record<string, unknown> } = {}) {
  sim.resetStats();
  const result = await runChecked('read', {
    config: configFor(sim, { records_per_checkpoint: 10, ...options.extra }),
    catalog: catalogFor(options.mode ?? 'incremental', streams),
    ...(options.state === undefined ? {} : { state: options.state }),
  });
  expect(errorTraces(result)).toEqual([]);
  expect(result.code).toBe(0);
  return { result, stats: sim.stats() };
}

describe('an idle incremental sync of all seven streams', () => {
  test('costs 3 calls for the incident tables, 1 per other incremental stream and the mailboxes pages: 7 with 50 mailboxes, and sends nothing again', async () => {
    const sim = await startSimulator({ seed: 31, incidents: 40, scanbackIncidents: 12, deepfakeEvents: 30, rateLimit: null, emailsRateLimit: null, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
    try {
      const first = await read(sim, SEVEN);
      for (const stream of SEVEN) expect({ stream, some: rows(first.result, stream).length > 0 }).toEqual({ stream, some: true });
      let state = stateFrom(first.result);
      for (let sync = 1; sync <= 2; sync++) {
        const idle = await read(sim, SEVEN, { state });
        const mailboxPages = Math.ceil(50 / 100);
        const target = 3 + NEW_STREAMS.length + mailboxPages;
        expect({ sync, requests: idle.stats.requests, total: idle.stats.total }).toEqual({
          sync,
          requests: { token: 1, list: 2, open: 0, details: 0, ato: 0, mitigations: 0, mailboxes: mailboxPages, emails: 1, scanback: 1, deepfake: 1, other: 0 },
          total: target,
        });
        for (const stream of SEVEN.filter((s) => s !== 'ironscales_mailboxes')) expect({ stream, again: rows(idle.result, stream) }).toEqual({ stream, again: [] });
        state = stateFrom(idle.result);
      }
    } finally {
      await sim.close();
    }
  }, 60_000);
});

describe('new rows arriving', () => {
  let sim: Simulator;
  let first: RunResult;

  beforeAll(async () => {
    // A history that reaches a minute before now, so the saved cursors are recent.
    sim = await startSimulator({ seed: 33, incidents: 80, scanbackIncidents: 10, deepfakeEvents: 40, rateLimit: null, emailsRateLimit: null, from: new Date(Date.now() - 2 * 86_400_000).toISOString(), to: new Date(Date.now() - MINUTE_MS).toISOString() });
    await sleep(SETTLE_MS);
    first = (await read(sim, NEW_STREAMS)).result;
  }, 60_000);
  afterAll(() => sim.close());

  test('each stream sends exactly what arrived; e-mails escalated after the sync read past their arrival come too, and nothing comes twice', async () => {
    const saved = stateFrom(first);
    const cursor = (saved as Message[]).find((s) => s.stream.stream_descriptor.name === EMAILS)!.stream.stream_state.arrival_date as string;
    const incidents = sim.addIncidents([{ reportType: 'email' }, { reportType: 'email' }, { reportType: 'email' }]);
    const scanbacks = sim.generateScanbackIncidents(2, { from: new Date(Date.now() - 10 * MINUTE_MS).toISOString(), to: new Date(Date.now() - MINUTE_MS).toISOString() });
    const events = sim.addDeepfakeEvents(5);
    await sleep(SETTLE_MS);
    const second = (await read(sim, NEW_STREAMS, { state: saved })).result;

    const newRows = sim.escalatedEmails().filter((r) => incidents.includes(r.incident_id as number));
    // The reported e-mails arrived before their report, most before the cursor the first sync saved.
    expect(newRows.some((r) => micros(r.arrival_date as string) < micros(cursor))).toBe(true);
    const scanbackRows = sim.escalatedEmails().filter((r) => scanbacks.includes(r.incident_id as number) && micros(r.arrival_date as string) >= micros(cursor) - 24 * 3_600_000_000);
    expect(keys(second, EMAILS).sort()).toEqual([...newRows, ...scanbackRows].map((r) => String(r.mitigation_id)).sort());
    expect(keys(second, SCANBACK).sort()).toEqual(scanbacks.map(String).sort());
    expect(keys(second, DEEPFAKE)).toEqual(events);
    // The same rows as the API serves them.
    for (const data of rows(second, EMAILS)) expect(data).toEqual(sim.escalatedEmails().find((r) => r.mitigation_id === data.mitigation_id));

    const third = (await read(sim, NEW_STREAMS, { state: stateFrom(second) })).result;
    expect(third.records).toEqual([]);
  }, 60_000);
});

describe('saved states are read strictly', () => {
  test.each([
    [EMAILS, { arrival_date: '2025-01-01T00:00:00.000000Z', cursor: 5 }, /it has the key\(s\) "cursor"; this connector writes only arrival_date, ids_at_cursor, max_incident_id, full_refresh_complete/],
    [EMAILS, { arrival_date: 'yesterday' }, /arrival_date is "yesterday", not an ISO-8601 timestamp/],
    [EMAILS, { arrival_date: '2025-01-01T00:00:00.000000Z', max_incident_id: -3 }, /max_incident_id is -3, not a non-negative integer/],
    [EMAILS, { ids_at_cursor: [1] }, /ids_at_cursor is set without arrival_date/],
    [SCANBACK, { created: '2025-01-01T00:00:00Z', ids_at_cursor: ['x'] }, /ids_at_cursor must be a list of incident ids/],
    [SCANBACK, { first_reported_date: '2025-01-01T00:00:00Z' }, /it has the key\(s\) "first_reported_date"/],
    [DEEPFAKE, { since_id: 'abc' }, /since_id is "abc", not a non-negative integer/],
    [DEEPFAKE, { since_id: 5, next_cursor: 6 }, /it has the key\(s\) "next_cursor"; this connector writes only since_id, full_refresh_complete/],
  ])('%s with %j: a config error that names it and says how to reset, before any call', async (stream, streamState, message) => {
    const sim = await startSimulator({ seed: 39, rateLimit: null });
    try {
      const result = await runChecked('read', {
        config: configFor(sim),
        catalog: catalogFor('incremental', [stream]),
        state: [{ type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: streamState } }],
      });
      expect(result.code).not.toBe(0);
      const [error] = errorTraces(result);
      expect(error!.trace.error.failure_type).toBe('config_error');
      expect(error!.trace.error.message).toMatch(message);
      expect(error!.trace.error.message).toMatch(new RegExp(`The saved state of ${stream} cannot be read: .*Clear data`));
      expect(sim.stats().total).toBe(0);
    } finally {
      await sim.close();
    }
  });
});

describe('full refresh', () => {
  test('given the state of an unfinished attempt it resumes (nothing committed sent again); given a finished one it starts over', async () => {
    // Enough output that a kill lands mid-way (stdout comes in chunks of many records).
    const sim = await startSimulator({ seed: 35, incidents: 200, scanbackIncidents: 600, deepfakeEvents: 1600, rateLimit: null, emailsRateLimit: null, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
    try {
      for (const stream of NEW_STREAMS) {
        const whole = (await read(sim, [stream], { mode: 'full_refresh' })).result;
        const all = keys(whole, stream);
        expect(whole.states.at(-1)!.state.stream.stream_state.full_refresh_complete).toBe(true);
        // The feed checkpoints after each page of 500 events.
        const killed = await runChecked('read', { config: configFor(sim, { records_per_checkpoint: 10 }), catalog: catalogFor('full_refresh', [stream]), killAfterRecords: stream === DEEPFAKE ? 700 : Math.floor(all.length / 4) });
        let last = -1;
        killed.messages.forEach((m, i) => (last = m.type === 'STATE' ? i : last));
        // An attempt that did not finish, with a checkpoint to resume from.
        expect({ stream, checkpointed: last >= 0, finished: killed.messages[last]?.state.stream.stream_state.full_refresh_complete }).toEqual({ stream, checkpointed: true, finished: undefined });
        const committed = killed.messages.slice(0, last + 1).filter((m) => m.type === 'RECORD').map((m) => String(m.record.data[KEYS[stream]!]));
        const resumed = (await read(sim, [stream], { mode: 'full_refresh', state: [{ type: 'STREAM', stream: killed.messages[last]!.state.stream }] })).result;
        expect({ stream, union: [...committed, ...keys(resumed, stream)].sort() }).toEqual({ stream, union: [...all].sort() });
        const again = (await read(sim, [stream], { mode: 'full_refresh', state: stateFrom(whole) })).result;
        expect({ stream, again: keys(again, stream) }).toEqual({ stream, again: all });
      }
    } finally {
      await sim.close();
    }
  }, 90_000);
});

describe("the escalated e-mails' own limit of 20 calls a minute", () => {
  // A backfill of more than 20 e-mails calls: IRONSCALES (here) serves pages of 100 rows, the company allows 120 calls and
  // the endpoint 20 a minute, and the connector runs with its defaults. Without the limiter's e-mails budget its 120/min
  // would send the 21st call within 11 s and draw a 429.
  test('a backfill of 23 pages with the default 120 calls/min: no 429, at most 20 e-mails calls in any minute, every row once, pages of 5,000 asked', async () => {
    const sim = await startSimulator({ seed: 37, incidents: 520, emailsPageCap: 100, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
    try {
      const expected = sim.escalatedEmails().map((r) => String(r.mitigation_id));
      expect(expected.length).toBeGreaterThan(20 * 100);
      const { result, stats } = await read(sim, [EMAILS], { extra: { requests_per_minute: undefined, records_per_checkpoint: undefined } });
      expect(stats.throttled).toBe(0);
      expect(stats.requests.emails).toBeGreaterThan(20);
      expect(stats.emailsMaxCallsInWindow).toBeLessThanOrEqual(20);
      expect(keys(result, EMAILS).sort()).toEqual([...expected].sort());
      const asked = stats.log.filter((e) => e.endpoint === 'emails').map((e) => Number(new URL(e.path, sim.url).searchParams.get('page_size')));
      expect(asked.every((size) => size >= 1000)).toBe(true);
    } finally {
      await sim.close();
    }
  }, 150_000);
});
