/**
 * The bad input matrix, beyond what test/connector/config.test.ts already covers: configs that are
 * not objects, wrong-typed and out-of-range fields, hosts that try to send the key elsewhere,
 * unreadable or malformed files, odd CLI invocations — and inputs that look odd but must work.
 * Every rejection must be a config_error (CONNECTION_STATUS FAILED for check) whose message
 * names the field, with no stack trace, and no run may print the API key. Every run also passes
 * the protocol checks of runChecked().
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { catalogFor, errorTraces, streamStatuses, tempFile, type RunResult } from '../helpers/connector.js';
import { recordIds, runChecked } from '../helpers/acceptance-protocol.js';

const SECRET = 'bad-input-secret-api-key-4711';
let sim: Simulator;
let badInputsTried = 0;
let badInputsRejected = 0;
let goodInputsTried = 0;
let goodInputsAccepted = 0;

beforeAll(async () => {
  sim = await startSimulator({ seed: 61, incidents: 20, rateLimit: null, goneRatio: 0 });
});
afterAll(async () => {
  await sim.close();
  console.log(
    `Bad input matrix: ${badInputsTried} bad inputs tried, ${badInputsRejected} rejected with a clear config_error; ` +
      `${goodInputsAccepted}/${goodInputsTried} odd-but-valid inputs accepted.`,
  );
});

function good(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: sim.url, company_id: sim.companyId, api_key: sim.apiKey, start_date: '2020-01-01T00:00:00Z', requests_per_minute: 60000, max_retry_seconds: 2, ...extra };
}

/** A config with the secret key and `change` applied (undefined deletes a field). */
function withSecret(change: Record<string, unknown>): Record<string, unknown> {
  const config: Record<string, unknown> = { ...good({ api_key: SECRET }), ...change };
  for (const [k, v] of Object.entries(change)) if (v === undefined) delete config[k];
  return config;
}

/** A stack trace serialized anywhere in the output (a TRACE stack_trace, a LOG, a message). */
const STACK_LINE = /at (?:async )?[\w$.<>]+ \(?(?:file:\/\/|node:|\/)[^)"]*:\d+:\d+\)?/;

function expectConfigErrorTrace(result: RunResult, message: RegExp): void {
  expect(result.code).not.toBe(0);
  const errors = errorTraces(result);
  expect(errors).toHaveLength(1);
  const error = errors[0]!.trace.error;
  expect({ failure_type: error.failure_type, message: error.message }).toEqual({ failure_type: 'config_error', message: expect.stringMatching(message) });
  expect(error.stack_trace).toBeUndefined();
  expect(result.logs.filter((l) => l.log.stack_trace !== undefined)).toEqual([]);
  expect(result.stdout).not.toMatch(STACK_LINE);
  expect(result.records).toHaveLength(0);
  expect(result.states).toHaveLength(0);
  expect(result.stdout).not.toContain(SECRET);
}

function expectCheckFailed(result: RunResult, message: RegExp): void {
  expect(result.code).toBe(0);
  const statuses = result.messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus);
  expect(statuses).toHaveLength(1);
  expect({ status: statuses[0].status, message: statuses[0].message }).toEqual({ status: 'FAILED', message: expect.stringMatching(message) });
  expect(errorTraces(result)).toHaveLength(0);
  expect(result.logs.filter((l) => l.log.stack_trace !== undefined)).toEqual([]);
  expect(result.stdout).not.toMatch(STACK_LINE);
  expect(result.stdout).not.toContain(SECRET);
}

// ---------------------------------------------------------------------------------------------
// Configs: each is tried with check (CONNECTION_STATUS FAILED, exit 0) and read (TRACE config_error, exit ≠ 0).

type ConfigCase = [name: string, config: unknown, message: RegExp, extraSecrets?: string[]];

const configCases: ConfigCase[] = [
  ['the config is a JSON array (holding a valid config)', () => [withSecret({})], /config must be a JSON object/],
  ['the config is a JSON string', () => JSON.stringify(SECRET), /config must be a JSON object/],
  ['the config is JSON null', () => 'null', /config must be a JSON object/],
  ['the config is a JSON number', () => '42', /config must be a JSON object/],
  ['every required field is null', () => withSecret({ host: null, company_id: null, api_key: null }), /'host'.*'company_id'.*'api_key'|'host'[\s\S]*'company_id'[\s\S]*'api_key'/],
  ['company_id is a fraction', () => withSecret({ company_id: 12345.5 }), /'company_id' must be a whole number/],
  ['company_id is a quoted fraction', () => withSecret({ company_id: '12345.0' }), /'company_id' must be a whole number/],
  ['company_id is zero', () => withSecret({ company_id: 0 }), /'company_id' must be a positive number/],
  ['requests_per_minute is huge', () => withSecret({ requests_per_minute: 1_000_000_000 }), /'requests_per_minute' must be at most 600000/],
  ['requests_per_minute is a fraction', () => withSecret({ requests_per_minute: 2.5 }), /'requests_per_minute' must be a whole number/],
  ['scopes is an empty list', () => withSecret({ scopes: [] }), /'scopes' must name at least one scope/],
  ['scopes holds an empty name', () => withSecret({ scopes: [''] }), /'scopes\.0'/],
  ['scopes holds a number', () => withSecret({ scopes: [1] }), /'scopes\.0' must hold scope names as text/],
  ['start_date is not a real date (month 13, day 45)', () => withSecret({ start_date: '2025-13-45T00:00:00Z' }), /'start_date' is not a real date/],
  ['start_date is a day that does not exist (30 February)', () => withSecret({ start_date: '2025-02-30T00:00:00Z' }), /'start_date' is not a real date/],
  ['start_date is a number', () => withSecret({ start_date: 20250101 }), /'start_date' must be a text value/],
  ['host is empty', () => withSecret({ host: '' }), /'host' is empty/],
  ['host is a number', () => withSecret({ host: 443 }), /'host' must be a text value/],
  ['host carries a user name and password', () => withSecret({ host: 'https://admin:hunter2-pw@appapi.ironscales.com' }), /'host' must not contain a user name or password/, ['hunter2-pw']],
  ['host uses ftp://', () => withSecret({ host: 'ftp://appapi.ironscales.com' }), /'host' uses ftp, but IRONSCALES must be reached over https/],
  ['host hides another domain behind @', () => withSecret({ host: 'https://appapi.ironscales.com@evil.example' }), /'host' must be an IRONSCALES API host under ironscales.com/],
  ['host hides another domain behind a backslash', () => withSecret({ host: 'https://evil.example\\.ironscales.com' }), /'host' must be an IRONSCALES API host under ironscales.com/],
  ['host is a look-alike of localhost', () => withSecret({ host: 'http://localhost.evil.example' }), /'host' must be an IRONSCALES API host/],
  ['host has an impossible port', () => withSecret({ host: 'https://appapi.ironscales.com:99999' }), /'host' is not a valid host name/],
  ['api_key is a number', () => withSecret({ api_key: 987654321012 }), /'api_key' must be a text value/, ['987654321012']],
  ['api_key is a list holding the key', () => withSecret({ api_key: [SECRET] }), /'api_key' must be a text value/],
  ['lookback_minutes is negative', () => withSecret({ lookback_minutes: -5 }), /'lookback_minutes' must be at least 0/],
  ['records_per_checkpoint is below 10', () => withSecret({ records_per_checkpoint: 5 }), /'records_per_checkpoint' must be at least 10/],
  ['request_timeout_seconds is 0', () => withSecret({ request_timeout_seconds: 0 }), /'request_timeout_seconds' must be at least 1/],
  ['max_retry_seconds is above the maximum', () => withSecret({ max_retry_seconds: 1_000_000 }), /'max_retry_seconds' must be at most 10800/],
  ['two fields wrong at once', () => withSecret({ company_id: 'acme', host: 'ftp://appapi.ironscales.com' }), /'company_id'[\s\S]*'host'|'host'[\s\S]*'company_id'/],
].map(([name, make, message, secrets]) => [name, make, message, secrets] as ConfigCase);

describe('malformed configs', () => {
  test.each(configCases)('%s → config_error naming the field, no stack, no secret', async (_name, make, message, extraSecrets = []) => {
    badInputsTried += 1;
    const config = (make as () => unknown)();
    const secrets = [SECRET, ...extraSecrets];
    const check = await runChecked('check', { config, secrets });
    expectCheckFailed(check, message);
    const read = await runChecked('read', { config, catalog: catalogFor(), secrets });
    expectConfigErrorTrace(read, message);
    badInputsRejected += 1;
  });
});

// ---------------------------------------------------------------------------------------------
// Files and invocations.

function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'src-ironscales-bad-'));
}

function rawFile(name: string, content: string): string {
  const path = join(emptyDir(), name);
  writeFileSync(path, content);
  return path;
}

const stateFor = (name: string, streamState: unknown) => [{ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } }];

describe('malformed files and invocations', () => {
  test.each([
    ['the config path is a directory', () => ['read', '--config', emptyDir(), '--catalog', tempFile('catalog.json', catalogFor())], /Cannot read the config file .* \(EISDIR\)/],
    ['the config file is empty', () => ['read', '--config', rawFile('config.json', ''), '--catalog', tempFile('catalog.json', catalogFor())], /config file .* is not valid JSON/],
    ['the catalog file is missing', () => ['read', '--config', tempFile('config.json', withSecret({})), '--catalog', '/nonexistent/catalog.json'], /Cannot read the catalog file \/nonexistent\/catalog.json \(ENOENT\)/],
    ['the catalog file is not JSON', () => ['read', '--config', tempFile('config.json', withSecret({})), '--catalog', rawFile('catalog.json', '{"streams": [')], /catalog file .* is not valid JSON/],
    [
      'the catalog stream has no sync_mode',
      () => ['read', '--config', tempFile('config.json', withSecret({})), '--catalog', tempFile('catalog.json', { streams: [{ stream: { name: 'ironscales_incidents' } }] })],
      /sync_mode/,
    ],
    ['the state file is missing', () => ['read', '--config', tempFile('config.json', withSecret({})), '--catalog', tempFile('catalog.json', catalogFor()), '--state', '/nonexistent/state.json'], /Cannot read the state file/],
    [
      'the state stream_state is a list',
      () => ['read', '--config', tempFile('config.json', withSecret({})), '--catalog', tempFile('catalog.json', catalogFor()), '--state', tempFile('state.json', stateFor('ironscales_incidents', ['2025-01-01']))],
      /stream_state of "ironscales_incidents" in entry 0 is an array, not an object/,
    ],
    [
      'a state entry without a stream name',
      () => ['read', '--config', tempFile('config.json', withSecret({})), '--catalog', tempFile('catalog.json', catalogFor()), '--state', tempFile('state.json', [{ type: 'STREAM', stream: { stream_state: {} } }])],
      /no stream_descriptor.name/,
    ],
    [
      'a GLOBAL state without stream_states',
      () => ['read', '--config', tempFile('config.json', withSecret({})), '--catalog', tempFile('catalog.json', catalogFor()), '--state', tempFile('state.json', [{ type: 'GLOBAL', global: { shared_state: {} } }])],
      /GLOBAL state without global.stream_states/,
    ],
    [
      // The key must be right here: the state is read once the stream starts, after authentication.
      'a state cursor that is a number',
      () => ['read', '--config', tempFile('config.json', good()), '--catalog', tempFile('catalog.json', catalogFor()), '--state', tempFile('state.json', stateFor('ironscales_incidents', { first_reported_date: 1700000000 }))],
      /first_reported_date is 1700000000, not an ISO-8601 timestamp/,
    ],
    ['read without --catalog', () => ['read', '--config', tempFile('config.json', withSecret({}))], /needs --catalog/],
    ['an unknown command', () => ['sync', '--config', tempFile('config.json', withSecret({}))], /Unknown command "sync"/],
    ['an unknown option', () => ['read', '--config', tempFile('config.json', withSecret({})), '--catalog', tempFile('catalog.json', catalogFor()), '--bogus'], /--bogus/],
  ])('%s → config_error with a clear message, no stack, no secret', async (_name, makeArgs, message) => {
    badInputsTried += 1;
    const [command, ...args] = (makeArgs as () => string[])();
    const result = await runChecked(command!, { args, secrets: [SECRET, sim.apiKey] });
    expectConfigErrorTrace(result, message);
    badInputsRejected += 1;
  });
});

// ---------------------------------------------------------------------------------------------
// Odd but valid: these must work.

function expectFullRead(result: RunResult): void {
  expect(errorTraces(result)).toEqual([]);
  expect(result.code).toBe(0);
  expect(streamStatuses(result).at(-1)).toBe('COMPLETE');
  expect(new Set(recordIds(result))).toEqual(new Set(sim.incidentIds()));
}

function expectCheckSucceeded(result: RunResult): void {
  expect(result.code).toBe(0);
  expect(result.messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus)).toEqual([{ status: 'SUCCEEDED' }]);
}

describe('odd inputs that must be accepted', () => {
  test('an unknown extra field is ignored: check succeeds and the read is complete', async () => {
    goodInputsTried += 1;
    const config = good({ favourite_colour: 'blue', nested: { api_key: 'not-the-key' } });
    expectCheckSucceeded(await runChecked('check', { config }));
    expectFullRead(await runChecked('read', { config, catalog: catalogFor() }));
    goodInputsAccepted += 1;
  });

  test('company_id given as a quoted number is accepted', async () => {
    goodInputsTried += 1;
    expectCheckSucceeded(await runChecked('check', { config: good({ company_id: ` ${sim.companyId} ` }) }));
    goodInputsAccepted += 1;
  });

  test('the host with the /appapi path IRONSCALES documents is accepted', async () => {
    goodInputsTried += 1;
    expectCheckSucceeded(await runChecked('check', { config: good({ host: `${sim.url}/appapi/` }) }));
    goodInputsAccepted += 1;
  });

  test('the IPv6 loopback [::1] over http is accepted, and works', async () => {
    goodInputsTried += 1;
    // The simulator listens on 127.0.0.1 only: a small proxy on [::1] forwards to it.
    const target = new URL(sim.url);
    const proxy = http.createServer((req, res) => {
      const upstream = http.request({ host: '127.0.0.1', port: Number(target.port), path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    const listening = await new Promise<boolean>((resolve) => {
      proxy.once('error', () => resolve(false));
      proxy.listen(0, '::1', () => resolve(true));
    });
    try {
      if (listening) {
        const config = good({ host: `http://[::1]:${(proxy.address() as AddressInfo).port}` });
        expectCheckSucceeded(await runChecked('check', { config }));
        expectFullRead(await runChecked('read', { config, catalog: catalogFor() }));
      } else {
        console.warn('IPv6 loopback is not available here: checking only that [::1] is accepted as a host.');
        const result = await runChecked('discover', { config: good({ host: 'http://[::1]:9' }) });
        expect(result.code).toBe(0);
        expect(result.messages.map((m) => m.type)).toContain('CATALOG');
      }
      goodInputsAccepted += 1;
    } finally {
      await new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      });
    }
  });

  test.each([
    ['a state for another stream only is ignored: full read', stateFor('some_other_stream', { first_reported_date: '2999-01-01T00:00:00.000000Z' })],
    ['a state whose stream_state is null resets the stream: full read', stateFor('ironscales_incidents', null)],
    ['an empty state list: full read', []],
    ['an empty state object: full read', {}],
    ['a GLOBAL state carrying no cursor for the stream: full read', [{ type: 'GLOBAL', global: { shared_state: {}, stream_states: [{ stream_descriptor: { name: 'ironscales_incidents' }, stream_state: null }] } }]],
    ['a LEGACY object naming the stream with an empty state: full read', { ironscales_incidents: {} }],
  ])('%s', async (_name, state) => {
    goodInputsTried += 1;
    const result = await runChecked('read', { config: good(), catalog: catalogFor(), state });
    expectFullRead(result);
    expect(result.states.every((s) => s.state.stream.stream_descriptor.name === 'ironscales_incidents')).toBe(true);
    goodInputsAccepted += 1;
  });
});
