/**
 * The files in integration_tests/ agree with what the connector really does against the seeded
 * simulator that acceptance-test-config.yml describes, stream by stream.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BY_INCIDENT, EXPECTED_DEEPFAKES, EXPECTED_IDS, EXPECTED_MAILBOXES, EXPECTED_SCANBACKS, incidentOf, SEEDED, selectExpected } from '../../scripts/expected-records.js';
import { micros } from '../acceptance/cat-helpers.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { REPO_ROOT, runConnector, type Message, type RunResult } from '../helpers/connector.js';

const file = (name: string) => join(REPO_ROOT, 'integration_tests', name);
const json = (name: string) => JSON.parse(readFileSync(file(name), 'utf8'));
const INCREMENTAL = ['ironscales_incidents', 'ironscales_incident_iocs', 'ironscales_mitigations', 'ironscales_escalated_emails', 'ironscales_scanback_incidents', 'ironscales_deepfake_events'];
const ALL = [...INCREMENTAL.slice(0, 3), 'ironscales_mailboxes', ...INCREMENTAL.slice(3)];
/** Per stream read by time: the state's cursor key and the record's cursor field. */
const TIME_CURSORS: Record<string, [string, string]> = {
  ironscales_incidents: ['first_reported_date', 'first_reported_date'],
  ironscales_incident_iocs: ['first_reported_date', 'first_reported_date'],
  ironscales_mitigations: ['first_reported_date', 'first_reported_date'],
  ironscales_escalated_emails: ['arrival_date', 'arrival_date'],
  ironscales_scanback_incidents: ['created', 'created'],
};
let sim: Simulator;
let full: RunResult;

const config = () => ({ host: sim.url, company_id: sim.companyId, api_key: sim.apiKey, start_date: '2023-01-01T00:00:00Z', requests_per_minute: 60000 });
const catalog = () => json('configured_catalog.json');
/** Each stream's primary key, as the configured catalog declares it. */
const primaryKeys = (): Map<string, string[][]> => new Map(catalog().streams.map((s: Message) => [s.stream.name, s.primary_key]));
const keyOf = (stream: string, data: Record<string, unknown>) => JSON.stringify(primaryKeys().get(stream)!.map(([field]) => data[field!]));
const ofStream = (result: RunResult, stream: string) => result.records.filter((r) => r.record.stream === stream);

beforeAll(async () => {
  sim = await startSimulator({ ...SEEDED, rateLimit: null });
  full = await runConnector('read', { config: config(), catalog: catalog() });
});
afterAll(async () => {
  await sim.close();
});

test('the configured catalog lists the seven streams, incremental where the stream supports it', () => {
  const modes = catalog().streams.map((s: Message) => [s.stream.name, s.sync_mode]);
  expect(modes).toEqual(ALL.map((name) => [name, name === 'ironscales_mailboxes' ? 'full_refresh' : 'incremental']));
  expect(full.code).toBe(0);
});

test('expected_records.jsonl holds rows of every stream, each found equal (by primary key) in a read of the seeded simulator', () => {
  const expected = readFileSync(file('expected_records.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const streams = ALL;
  for (const stream of streams) {
    const mine = expected.filter((e) => e.stream === stream);
    expect({ stream, some: mine.length > 0 }).toEqual({ stream, some: true });
    const read = new Map(ofStream(full, stream).map((r) => [keyOf(stream, r.record.data), r.record.data]));
    for (const e of mine) expect({ stream, data: read.get(keyOf(stream, e.data)) }).toEqual({ stream, data: e.data });
  }
  expect(expected.every((e) => streams.includes(e.stream))).toBe(true);
  // The file holds exactly the chosen rows: the first incidents with ALL their IOC rows and mitigations, the first mailboxes.
  const first = new Set(sim.incidentIds().slice(0, EXPECTED_IDS));
  expect(new Set(expected.filter((e) => e.stream === 'ironscales_incidents').map((e) => e.data.incident_id))).toEqual(first);
  expect(expected.filter((e) => e.stream === 'ironscales_mailboxes')).toHaveLength(EXPECTED_MAILBOXES);
  expect(expected.filter((e) => e.stream === 'ironscales_scanback_incidents')).toHaveLength(EXPECTED_SCANBACKS);
  expect(expected.filter((e) => e.stream === 'ironscales_deepfake_events')).toHaveLength(EXPECTED_DEEPFAKES);
  const reread = full.records.map((r) => ({ stream: r.record.stream as string, data: r.record.data }));
  expect(expected.map((e) => ({ stream: e.stream, data: e.data }))).toEqual(selectExpected(reread, sim.incidentIds()));
  for (const stream of BY_INCIDENT.slice(1)) {
    const rows = expected.filter((e) => e.stream === stream);
    expect(rows.every((e) => first.has(incidentOf(e) as number))).toBe(true);
    expect(rows.length).toBe(ofStream(full, stream).filter((r) => first.has(incidentOf(r.record) as number)).length);
  }
});

test('sample_state.json resumes every incremental stream from its cursor; mailboxes read in full', async () => {
  const state = json('sample_state.json');
  expect(state.map((s: Message) => s.stream.stream_descriptor.name)).toEqual(INCREMENTAL);
  const sample = await runConnector('read', { config: config(), catalog: catalog(), state });
  expect(sample.code).toBe(0);
  for (const stream of INCREMENTAL) {
    const saved = state.find((s: Message) => s.stream.stream_descriptor.name === stream).stream.stream_state;
    const rows = ofStream(sample, stream);
    expect({ stream, some: rows.length > 0, fewer: rows.length < ofStream(full, stream).length }).toEqual({ stream, some: true, fewer: true });
    const cursor = TIME_CURSORS[stream];
    if (cursor === undefined) continue;
    const [key, field] = cursor;
    const after = (r: Message) => micros(r.record.data[field]) >= micros(saved[key]);
    expect(rows.filter((r) => !after(r))).toEqual([]);
    // Nothing at or after the cursor is left out.
    expect(rows.length).toBe(ofStream(full, stream).filter(after).length);
  }
  // The feed resumes after its position: the events that follow it in feed order, each once.
  const events = (r: RunResult) => ofStream(r, 'ironscales_deepfake_events').map((m) => m.record.data.event_uuid);
  expect(events(sample)).toEqual(events(full).slice(-events(sample).length));
  expect(ofStream(sample, 'ironscales_deepfake_events').every((r) => r.record.data.feed_cursor > state.at(-1).stream.stream_state.since_id)).toBe(true);
  expect(ofStream(sample, 'ironscales_mailboxes').length).toBe(ofStream(full, 'ironscales_mailboxes').length);
});

test('abnormal_state.json: no record of any incremental stream and a STATE for each', async () => {
  const state = json('abnormal_state.json');
  expect(state.map((s: Message) => s.stream.stream_descriptor.name)).toEqual(INCREMENTAL);
  const incrementalOnly = { streams: catalog().streams.filter((s: Message) => s.sync_mode === 'incremental') };
  const abnormal = await runConnector('read', { config: config(), catalog: incrementalOnly, state });
  expect(abnormal.code).toBe(0);
  expect(abnormal.records).toHaveLength(0);
  expect(new Set(abnormal.states.map((s) => s.state.stream.stream_descriptor.name))).toEqual(new Set(INCREMENTAL));
});

test('invalid_config.json fails check; sample_config.json is a valid config shape', async () => {
  const invalid = await runConnector('check', { config: { ...json('invalid_config.json'), host: sim.url } });
  expect(invalid.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('FAILED');
  // sample_config points at the real API, which CI cannot reach; discover validates the config without calling it.
  const sample = await runConnector('discover', { config: json('sample_config.json') });
  expect(sample.code).toBe(0);
});
