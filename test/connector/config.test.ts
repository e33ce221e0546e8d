/**
 * spec, check and discover, and every kind of bad configuration: each gets a clear message with
 * the right failure type, never a stack trace for a user mistake, never a secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { catalogFor, errorTraces, REPO_ROOT, runConnector } from '../helpers/connector.js';

let sim: Simulator;
const SECRET = 'top-secret-api-key-value-123';

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, incidents: 20, rateLimit: null });
});
afterAll(async () => {
  await sim.close();
});

function good(extra: Record<string, unknown> = {}) {
  return { host: sim.url, company_id: sim.companyId, api_key: sim.apiKey, start_date: '2020-01-01T00:00:00Z', max_retry_seconds: 5, ...extra };
}

describe('spec', () => {
  test('prints one SPEC equal to spec.json at the repository root', async () => {
    const result = await runConnector('spec');
    expect(result.code).toBe(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]!.type).toBe('SPEC');
    const onDisk = JSON.parse(readFileSync(join(REPO_ROOT, 'spec.json'), 'utf8'));
    expect(result.messages[0]!.spec).toEqual(onDisk);
    const props = result.messages[0]!.spec.connectionSpecification.properties;
    expect(props.api_key.airbyte_secret).toBe(true);
  });
});

describe('check', () => {
  test('succeeds against the simulator with a valid config', async () => {
    const result = await runConnector('check', { config: good() });
    expect(result.code).toBe(0);
    expect(result.messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus.status)).toEqual(['SUCCEEDED']);
  });

  test.each([
    ['wrong API key', { api_key: SECRET }, /rejected the API key \(No company found for API key\)/],
    ['another company', { company_id: 999 }, /no permission for company 999/],
    ['missing company_id', { company_id: undefined }, /'company_id' is required but missing/],
    ['missing api_key', { api_key: undefined }, /'api_key' is required but missing/],
    ['empty api_key', { api_key: '  ' }, /'api_key' is empty/],
    ['missing host', { host: undefined }, /'host' is required but missing/],
    ['company_id as text', { company_id: 'acme' }, /'company_id' must be a whole number/],
    ['company_id negative', { company_id: -4 }, /'company_id' must be a positive number/],
    ['host of another domain', { host: 'appapi.ironscales.com.evil.example' }, /must be an IRONSCALES API host under ironscales.com/],
    ['http on a public host', { host: 'http://appapi.ironscales.com' }, /uses http, but IRONSCALES must be reached over https/],
    ['host with a path', { host: 'https://appapi.ironscales.com/v2/x' }, /host name only/],
    ['start_date in another format', { start_date: '2024-01-01' }, /'start_date' must have the format YYYY-MM-DDTHH:mm:ssZ/],
    ['requests_per_minute as text', { requests_per_minute: 'fast' }, /'requests_per_minute' must be a whole number/],
    ['requests_per_minute zero', { requests_per_minute: 0 }, /'requests_per_minute' must be at least 1/],
    ['scopes not a list', { scopes: 'company.all' }, /'scopes' must be a list of scope names/],
  ])('%s → CONNECTION_STATUS FAILED with an actionable message, exit 0', async (_name, change, message) => {
    const config: Record<string, unknown> = good(change);
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete config[k];
    const result = await runConnector('check', { config });
    expect(result.code).toBe(0);
    const statuses = result.messages.filter((m) => m.type === 'CONNECTION_STATUS');
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.connectionStatus.status).toBe('FAILED');
    expect(statuses[0]!.connectionStatus.message).toMatch(message);
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain(sim.apiKey);
    expect(result.stderr).toBe('');
  });

  test('an unreachable loopback port fails check within the retry budget: a transient TRACE (not FAILED), non-zero exit, no secret', async () => {
    const result = await runConnector('check', { config: good({ host: 'http://127.0.0.1:9', max_retry_seconds: 2, api_key: SECRET }) });
    expect(result.code).not.toBe(0);
    expect(result.messages.filter((m) => m.type === 'CONNECTION_STATUS')).toEqual([]);
    const errors = errorTraces(result);
    expect(errors.map((e) => e.trace.error.failure_type)).toEqual(['transient_error']);
    expect(errors[0]!.trace.error.message).toMatch(/IRONSCALES API unavailable/);
    expect(result.stdout).not.toContain(SECRET);
  });
});

describe('discover', () => {
  test('lists seven streams; the incidents stream with cursor, primary key and resumability', async () => {
    const result = await runConnector('discover', { config: good() });
    expect(result.code).toBe(0);
    const catalog = result.messages.find((m) => m.type === 'CATALOG')!.catalog;
    expect(catalog.streams.map((s: { name: string }) => s.name)).toEqual([
      'ironscales_incidents',
      'ironscales_incident_iocs',
      'ironscales_mitigations',
      'ironscales_mailboxes',
      'ironscales_escalated_emails',
      'ironscales_scanback_incidents',
      'ironscales_deepfake_events',
    ]);
    const byName = new Map(catalog.streams.map((s: { name: string }) => [s.name, s]));
    expect(byName.get('ironscales_incident_iocs')).toMatchObject({
      source_defined_primary_key: [['incident_id'], ['ioc_type'], ['value']],
      default_cursor_field: ['first_reported_date'],
      is_resumable: true,
    });
    expect(byName.get('ironscales_mitigations')).toMatchObject({ source_defined_primary_key: [['mitigationID']], default_cursor_field: ['first_reported_date'] });
    expect(byName.get('ironscales_mailboxes')).toMatchObject({ supported_sync_modes: ['full_refresh'], source_defined_primary_key: [['id']], is_resumable: false });
    const stream = catalog.streams[0];
    expect(stream.name).toBe('ironscales_incidents');
    expect(stream.supported_sync_modes).toEqual(['full_refresh', 'incremental']);
    expect(stream.source_defined_cursor).toBe(true);
    expect(stream.default_cursor_field).toEqual(['first_reported_date']);
    expect(stream.source_defined_primary_key).toEqual([['incident_id']]);
    expect(stream.is_resumable).toBe(true);
    expect(stream.json_schema.additionalProperties).toBe(true);
  });

  test('a bad config is a config_error TRACE and a non-zero exit', async () => {
    const result = await runConnector('discover', { config: good({ host: 'example.com' }) });
    expect(result.code).not.toBe(0);
    expect(errorTraces(result)[0]!.trace.error.failure_type).toBe('config_error');
  });
});

describe('read with bad input', () => {
  test('a wrong API key is a config_error, the stream INCOMPLETE, exit non-zero, no secret printed', async () => {
    const result = await runConnector('read', { config: good({ api_key: SECRET }), catalog: catalogFor() });
    expect(result.code).not.toBe(0);
    const errors = errorTraces(result);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.trace.error.failure_type).every((t) => t === 'config_error')).toBe(true);
    // The one the platform sorts first (by emitted_at) says what to fix.
    const first = [...errors].sort((a, b) => a.trace.emitted_at - b.trace.emitted_at)[0]!;
    expect(first.trace.error.message).toMatch(/rejected the API key/);
    expect(result.stdout).not.toContain(SECRET);
    expect(result.records).toHaveLength(0);
  });

  test.each([
    ['a catalog naming an unknown stream', { catalog: { streams: [{ stream: { name: 'mailboxes', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] } }, /does not offer/],
    ["CAT's bogus catalog", { catalog: { streams: [{ stream: { name: '__AIRBYTE__stream_that_does_not_exist', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'INVALID', destination_sync_mode: 'INVALID' }] } }, /sync_mode "INVALID"/],
    ['a catalog that is not a catalog', { catalog: [1, 2] }, /not a configured catalog/],
    ['a LEGACY object that names no stream', { state: { first_reported_date: '2024-01-01T00:00:00Z' } }, /LEGACY state object has the keys "first_reported_date", none of which names a stream/],
    ['a state with a broken cursor', { state: [{ type: 'STREAM', stream: { stream_descriptor: { name: 'ironscales_incidents' }, stream_state: { first_reported_date: 'yesterday' } } }] }, /not an ISO-8601 timestamp/],
    ['a state that is not JSON', { state: '{"type": "STREAM", ' }, /state file .* is not valid JSON/],
  ])('%s → config_error TRACE', async (_name, input, message) => {
    const result = await runConnector('read', { config: good(), catalog: catalogFor(), ...input });
    expect(result.code).not.toBe(0);
    const errors = errorTraces(result);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]!.trace.error.failure_type).toBe('config_error');
    expect(errors[0]!.trace.error.message).toMatch(message);
    expect(result.stderr).toBe('');
  });

  test('an unreadable config file and invalid JSON config get clear messages', async () => {
    const missing = await runConnector('check', { args: ['--config', '/nonexistent/config.json'] });
    expect(missing.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.message ?? errorTraces(missing)[0]?.trace.error.message).toMatch(
      /Cannot read the config file \/nonexistent\/config.json \(ENOENT\)/,
    );
    const broken = await runConnector('read', { config: `{"api_key": "${SECRET}", `, catalog: catalogFor() });
    expect(broken.code).not.toBe(0);
    expect(errorTraces(broken)[0]!.trace.error.message).toMatch(/config file .* is not valid JSON/);
    expect(broken.stdout).not.toContain(SECRET);
  });
});
