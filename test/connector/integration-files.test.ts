/**
 * The files in integration_tests/ agree with what the connector really does against the seeded
 * simulator that acceptance-test-config.yml describes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPECTED_IDS, SEEDED } from '../../scripts/expected-records.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { REPO_ROOT, runConnector } from '../helpers/connector.js';

const file = (name: string) => join(REPO_ROOT, 'integration_tests', name);
const json = (name: string) => JSON.parse(readFileSync(file(name), 'utf8'));
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ ...SEEDED, rateLimit: null });
});
afterAll(async () => {
  await sim.close();
});

const config = () => ({ host: sim.url, company_id: sim.companyId, api_key: sim.apiKey, start_date: '2023-01-01T00:00:00Z', requests_per_minute: 60000 });

test('expected_records.jsonl is contained, record for record, in a read of the seeded simulator', async () => {
  const expected = readFileSync(file('expected_records.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  expect(expected).toHaveLength(EXPECTED_IDS);
  const result = await runConnector('read', { config: config(), catalog: json('configured_catalog.json') });
  expect(result.code).toBe(0);
  const byId = new Map(result.records.map((r) => [r.record.data.incident_id, r.record.data]));
  expect(byId.size).toBe(sim.incidentIds().length);
  for (const e of expected) expect(byId.get(e.data.incident_id)).toEqual(e.data);
});

test('sample_state.json resumes a read; abnormal_state.json yields no records and a STATE', async () => {
  const sample = await runConnector('read', { config: config(), catalog: json('configured_catalog.json'), state: json('sample_state.json') });
  expect(sample.code).toBe(0);
  const cursor = json('sample_state.json')[0].stream.stream_state.first_reported_date as string;
  expect(sample.records.length).toBeGreaterThan(0);
  expect(sample.records.length).toBeLessThan(sim.incidentIds().length);
  for (const r of sample.records) expect(r.record.data.first_reported_date >= cursor).toBe(true);
  const abnormal = await runConnector('read', { config: config(), catalog: json('configured_catalog.json'), state: json('abnormal_state.json') });
  expect(abnormal.code).toBe(0);
  expect(abnormal.records).toHaveLength(0);
  expect(abnormal.states.length).toBeGreaterThanOrEqual(1);
});

test('invalid_config.json fails check; sample_config.json is a valid config shape', async () => {
  const invalid = await runConnector('check', { config: { ...json('invalid_config.json'), host: sim.url } });
  expect(invalid.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('FAILED');
  // sample_config points at the real API, which CI cannot reach; discover validates the config without calling it.
  const sample = await runConnector('discover', { config: json('sample_config.json') });
  expect(sample.code).toBe(0);
});
