/**
 * A second sync handed its state in every shape a connection can hold (platform-state.ts):
 * the STREAM list the platform keeps today, the LEGACY raw object, a list with a typed LEGACY
 * entry, a GLOBAL message carrying this stream's state, and a reset (stream_state null). Each
 * usable shape must resume exactly where the STREAM list does; a reset reads everything; a state
 * with nothing usable for this stream is a config_error that says what was found and how to reset,
 * before any API call. Every run passes the platform replica.
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { configFor } from '../helpers/connector.js';
import { platformCatalog } from '../helpers/platform-catalog.js';
import { discoveredStreams, receivedRecords, runAsPlatform } from '../helpers/platform-run.js';
import { fromRun } from '../helpers/platform-replica.js';
import { asGlobal, asLegacyObject, asResetStreams, asTypedLegacyList, entriesOf, stateForNextSync, type GlobalStateMessage, type StreamStateMessage } from '../helpers/platform-state.js';

const STREAM = 'ironscales_incidents';
const JOB = { jobId: 50, attempt: 0, supportsRefreshes: true };
let sim: Simulator;
let catalog: unknown;
let saved: StreamStateMessage[] | GlobalStateMessage[];
/** What the second sync brings from the STREAM list: the reference every other shape must match. */
let expected: Set<number>;

const ids = (records: Array<Record<string, unknown>>) => new Set(records.map((r) => (r.data as { incident_id: number }).incident_id));

beforeAll(async () => {
  sim = await startSimulator({ seed: 902, incidents: 80, rateLimit: null, goneRatio: 0 });
  const streams = await discoveredStreams(configFor(sim));
  catalog = platformCatalog(streams, { syncMode: 'incremental', destinationSyncMode: 'append_dedup', generation: 1 }, JOB);
  const first = await runAsPlatform('read', { config: configFor(sim), catalog, job: JOB });
  saved = stateForNextSync(fromRun(first.result), catalog);
  // New incidents after the first sync, so a resumed sync has something to find.
  sim.generateIncidents(12, { from: new Date(Date.now() - 20 * 60_000).toISOString(), to: new Date(Date.now() - 60_000).toISOString() });
  const second = await runAsPlatform('read', { config: configFor(sim), catalog, state: saved, job: { ...JOB, jobId: 51 } });
  expected = ids(receivedRecords(second.report).all);
});

afterAll(async () => {
  await sim?.close();
});

test('the reference: the platform kept one STREAM state, and resuming from it brings the new incidents, not the history', () => {
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ type: 'STREAM', stream: { stream_descriptor: { name: STREAM } } });
  expect(expected.size).toBeGreaterThanOrEqual(12);
  expect(expected.size).toBeLessThan(sim.incidentIds().length);
});

describe('usable state shapes resume where the STREAM list does', () => {
  test.each<[string, () => unknown]>([
    ['the STREAM list', () => saved],
    ['a LEGACY raw object {stream: state}', () => asLegacyObject(entriesOf(saved))],
    ['a list with one typed LEGACY entry', () => asTypedLegacyList(entriesOf(saved))],
    ['a GLOBAL message carrying this stream in stream_states', () => asGlobal(entriesOf(saved))],
  ])('%s', async (_name, shape) => {
    const { report, violations } = await runAsPlatform('read', { config: configFor(sim), catalog, state: shape(), job: { ...JOB, jobId: 52 } });
    expect(violations).toEqual([]);
    expect(report.failed).toBe(false);
    expect(ids(receivedRecords(report).all)).toEqual(expected);
  });
});

test('a reset (stream_state null) reads the whole history again', async () => {
  const { report, violations } = await runAsPlatform('read', { config: configFor(sim), catalog, state: asResetStreams([STREAM]), job: { ...JOB, jobId: 53 } });
  expect(violations).toEqual([]);
  expect(report.failed).toBe(false);
  expect(ids(receivedRecords(report).all)).toEqual(new Set(sim.incidentIds()));
});

describe('a state with nothing usable for this stream is a config_error naming what was found and how to reset', () => {
  test.each<[string, unknown, RegExp]>([
    ['a LEGACY object without this stream', { other_stream: { cursor: '2025-01-01T00:00:00Z' } }, /LEGACY|object/i],
    ['a GLOBAL message without this stream', asGlobal([{ stream_descriptor: { name: 'other_stream' }, stream_state: { cursor: 'x' } }]), /GLOBAL/],
    ['an entry of an unknown state type', [{ type: 'BOGUS', stream: { stream_descriptor: { name: STREAM }, stream_state: {} } }], /BOGUS/],
    // runConnector writes a string as-is: this file holds the JSON string "first_reported_date=...".
    ['a bare JSON string', JSON.stringify('first_reported_date=2025-01-01'), /string/i],
  ])('%s', async (_name, state, found) => {
    sim.resetStats();
    const { report, violations } = await runAsPlatform('read', { config: configFor(sim), catalog, state, job: { ...JOB, jobId: 54 } });
    expect(violations).toEqual([]);
    expect(report.failed).toBe(true);
    expect(report.failures.map((f) => f.failureType)).toEqual(['config_error']);
    expect(report.failures[0]!.message).toMatch(found);
    expect(report.failures[0]!.message).toMatch(/reset/i);
    expect(receivedRecords(report).all).toHaveLength(0);
    expect(sim.stats().total).toBe(0);
  });
});
