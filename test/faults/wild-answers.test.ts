/**
 * What the wild sends (issue 14), part 1: answers nobody modelled. A gateway's 404 (HTML, empty,
 * or JSON on a page that must exist), a list part that claims to be empty, incidents that really
 * vanish between two calls, a throttle longer than one incident's retry budget, a server that
 * allows fewer calls than the connector's budget, undocumented page limits, and configs that look
 * healthy but sync nothing. The built connector in its own process against the simulator.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.js';
import { runChecked } from '../helpers/acceptance-protocol.js';
import { catalogFor, configFor, errorTraces, stateFrom, type Message, type RunResult } from '../helpers/connector.js';
import { runDuring, waitUntil } from '../helpers/faults-harness.js';

const INCIDENTS = 'ironscales_incidents';
const MITIGATIONS = 'ironscales_mitigations';
const MAILBOXES = 'ironscales_mailboxes';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function simulator(options: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator({ rateLimit: null, goneRatio: 0, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z', ...options });
  return sim;
}

/** Windows start where the data does, so every list call carries incidents (parts are equal slices of time). */
const config = (s: Simulator, extra: Record<string, unknown> = {}) => configFor(s, { start_date: '2025-01-01T00:00:00Z', ...extra });
const rows = (result: RunResult, stream: string): Message[] => result.records.filter((r) => r.record.stream === stream).map((r) => r.record.data);
const incidentIds = (result: RunResult): number[] => rows(result, INCIDENTS).map((d) => d.incident_id as number);
const missing = (expected: number[], got: number[]): number[] => {
  const seen = new Set(got);
  return expected.filter((id) => !seen.has(id));
};
const statusesOf = (result: RunResult, stream: string): string[] =>
  result.traces.filter((t) => t.trace.type === 'STREAM_STATUS' && t.trace.stream_status.stream_descriptor.name === stream).map((t) => t.trace.stream_status.status);
/** The mitigation rows IRONSCALES holds for these incidents, by mitigationID (read from the simulator's details). */
function mitigationIdsOf(s: Simulator, ids: number[]): number[] {
  return ids.flatMap((id) => ((s.details(id)?.['affected_mailboxes'] as Array<{ id: number }> | undefined) ?? []).map((m) => m.id)).sort((a, b) => a - b);
}

describe('row 1: a 404 is "nothing there" only where IRONSCALES documents it, in its own JSON', () => {
  test.each([
    ['an HTML', 2, 'html'],
    ['an empty', 4, 'empty'],
    ['an HTML', 6, 'html'],
    ['a JSON (on a page that must exist)', 3, 'json'],
  ] as const)('%s 404 on list call #%i of a 1,500-incident backfill: every incident and mitigation delivered', async (_label, call, body) => {
    const s = await simulator({ seed: 1401, incidents: 1500 });
    s.inject({ kind: 'error_page', status: 404, body, endpoint: 'list', skip: call - 1, count: 1 });
    const result = await runChecked('read', { config: config(s), catalog: catalogFor('incremental', [INCIDENTS, MITIGATIONS]) });
    expect(errorTraces(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect({ lostIncidents: missing(s.incidentIds(), incidentIds(result)) }).toEqual({ lostIncidents: [] });
    const mitigations = rows(result, MITIGATIONS).map((r) => r.mitigationID as number);
    expect({ lostMitigations: missing(mitigationIdsOf(s, s.incidentIds()), mitigations) }).toEqual({ lostMitigations: [] });
    expect(s.stats().injectedFaults).toBe(1);
  });

  test('an HTML 404 on mitigations call #3: no mitigation row lost', async () => {
    const s = await simulator({ seed: 1402, incidents: 300 });
    s.inject({ kind: 'error_page', status: 404, endpoint: 'mitigations', skip: 2, count: 1 });
    const result = await runChecked('read', { config: config(s), catalog: catalogFor('incremental', [MITIGATIONS]) });
    expect(result.code).toBe(0);
    const got = rows(result, MITIGATIONS).map((r) => r.mitigationID as number);
    expect({ lost: missing(mitigationIdsOf(s, s.incidentIds()), got) }).toEqual({ lost: [] });
  });

  test('an HTML 404 on mailboxes page 1: the snapshot is complete, never an empty one', async () => {
    const s = await simulator({ seed: 1403, incidents: 5, mailboxes: 250 });
    s.inject({ kind: 'error_page', status: 404, endpoint: 'mailboxes', count: 1 });
    const result = await runChecked('read', { config: config(s), catalog: catalogFor('full_refresh', [MAILBOXES]) });
    expect(result.code).toBe(0);
    expect(new Set(rows(result, MAILBOXES).map((r) => r.id)).size).toBe(250);
  });

  test('a persistent HTML 404 on mailboxes: the stream fails (transient), it is never COMPLETE with no rows', async () => {
    const s = await simulator({ seed: 1404, incidents: 5, mailboxes: 20 });
    s.inject({ kind: 'error_page', status: 404, endpoint: 'mailboxes', count: 1_000_000 });
    const result = await runChecked('read', { config: config(s, { max_retry_seconds: 2 }), catalog: catalogFor('full_refresh', [MAILBOXES]) });
    expect(result.code).not.toBe(0);
    expect(statusesOf(result, MAILBOXES)).not.toContain('COMPLETE');
    expect(errorTraces(result).map((e) => e.trace.error.failure_type)).toContain('transient_error');
    expect(rows(result, MAILBOXES)).toEqual([]);
  });

  test('an HTML 404 on the updates pass: every reclassification is delivered', async () => {
    const s = await simulator({ seed: 1405, incidents: 200 });
    const cfg = config(s);
    const first = await runChecked('read', { config: cfg, catalog: catalogFor() });
    expect(first.code).toBe(0);
    const changed = s.incidentIds().slice(20, 30);
    for (const id of changed) s.reclassify(id, 'Spam');
    await new Promise((r) => setTimeout(r, 2500)); // windows end 2 s behind IRONSCALES' clock
    s.inject({ kind: 'error_page', status: 404, endpoint: 'list', count: 1 });
    const second = await runChecked('read', { config: cfg, catalog: catalogFor(), state: stateFrom(first) });
    expect(second.code).toBe(0);
    const spam = rows(second, INCIDENTS).filter((r) => r.classification === 'Spam').map((r) => r.incident_id as number);
    expect({ undelivered: missing(changed, spam) }).toEqual({ undelivered: [] });
  });

  test('a list part that answers 200 "empty" while its window announced incidents: re-read, none lost', async () => {
    const s = await simulator({ seed: 1406, incidents: 1500 });
    // Call 1 is the whole window's page 1 (1,500 announced: split in parts); call 2 is the first part's page 1.
    s.inject({ kind: 'canned', status: 200, body: { page: 1, total_pages: 0, total_count: 0, incidents: [] }, endpoint: 'list', skip: 1, count: 1 });
    const result = await runChecked('read', { config: config(s), catalog: catalogFor() });
    expect(result.code).toBe(0);
    expect({ lost: missing(s.incidentIds(), incidentIds(result)) }).toEqual({ lost: [] });
  });

  test('incidents that really vanish between two calls do not fail the sync', async () => {
    const s = await simulator({ seed: 1407, incidents: 1500, latencyMs: 1 });
    const doomed = s.incidentIds().slice(10, 20);
    // The first part's page 1 (list call 2) is held back while ten of its incidents are deleted.
    s.inject({ kind: 'delay', ms: 600, endpoint: 'list', skip: 1, count: 1 });
    const result = await runDuring('read', { config: config(s), catalog: catalogFor() }, async (ended) => {
      await waitUntil(() => s.stats().requests.list >= 2, ended);
      s.removeIncidents(doomed);
    });
    expect(errorTraces(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect({ lost: missing(s.incidentIds(), incidentIds(result)) }).toEqual({ lost: [] });
    expect(s.incidentIds()).toHaveLength(1490);
  });
});

describe('row 2: a throttle is waited out, never a reason to fail a details call', () => {
  test('a server that allows 20 calls per 45 s against the default 120/min: the sync completes, saying how long it waited', async () => {
    const s = await simulator({ seed: 1408, incidents: 25, rateLimit: { limit: 20, windowMs: 45_000 } });
    const result = await runChecked('read', { config: config(s, { requests_per_minute: 120, max_retry_seconds: 600 }), catalog: catalogFor(), timeoutMs: 110_000 });
    expect(errorTraces(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect(new Set(incidentIds(result))).toEqual(new Set(s.incidentIds()));
    expect(s.stats().throttled).toBeGreaterThan(0);
    const waits = result.logs.filter((l) => /rate limit/i.test(l.log.message) && /\d+ s/.test(l.log.message));
    expect(waits.length).toBeGreaterThan(0);
  }, 120_000);

  test('a throttle longer than max_retry_seconds fails the sync (transient), saying what IRONSCALES asked and what was waited', async () => {
    const s = await simulator({ seed: 1409, incidents: 5 });
    s.inject({ kind: 'throttle', retryAfterSeconds: 9, endpoint: 'details', count: 1000 });
    const result = await runChecked('read', { config: config(s, { max_retry_seconds: 3 }), catalog: catalogFor() });
    expect(result.code).not.toBe(0);
    const [error] = errorTraces(result);
    expect(error?.trace.error.failure_type).toBe('transient_error');
    expect(error?.trace.error.message).toMatch(/9 s/);
    expect(error?.trace.error.message).not.toMatch(/retrying for 0 s/);
  });
});

describe('check waits out a throttle', () => {
  test('a 30 s 429 on the token call: check answers SUCCEEDED after the wait, not FAILED', async () => {
    const s = await simulator({ seed: 1417, incidents: 3 });
    s.inject({ kind: 'throttle', retryAfterSeconds: 30, endpoint: 'token', count: 1 });
    const started = Date.now();
    const check = await runChecked('check', { config: config(s), timeoutMs: 70_000 });
    expect(check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus).toEqual({ status: 'SUCCEEDED' });
    expect(check.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29_500);
  }, 80_000);
});

describe('undocumented limits made safe', () => {
  test('IRONSCALES serves fewer incidents per page than asked: nothing lost, said once', async () => {
    const s = await simulator({ seed: 1410, incidents: 700, listPageCap: 120 });
    const result = await runChecked('read', { config: config(s), catalog: catalogFor() });
    expect(result.code).toBe(0);
    expect({ lost: missing(s.incidentIds(), incidentIds(result)) }).toEqual({ lost: [] });
    expect(result.logs.filter((l) => /per page/i.test(l.log.message) && /120/.test(l.log.message))).toHaveLength(1);
  });

  test('IRONSCALES refuses items_per_page=500 with a 400 naming it: the connector pages by 100, said once', async () => {
    const s = await simulator({ seed: 1411, incidents: 450, listMaxItemsPerPage: 100 });
    const result = await runChecked('read', { config: config(s), catalog: catalogFor() });
    expect(errorTraces(result)).toEqual([]);
    expect(result.code).toBe(0);
    expect({ lost: missing(s.incidentIds(), incidentIds(result)) }).toEqual({ lost: [] });
    expect(result.logs.filter((l) => /items_per_page/.test(l.log.message))).toHaveLength(1);
  });

  test('IRONSCALES caps mitigation rows per page and ids per call: every row delivered, said once', async () => {
    const s = await simulator({ seed: 1412, incidents: 300, mitigationsPerPage: 30, mitigationsMaxIncidents: 20 });
    const result = await runChecked('read', { config: config(s), catalog: catalogFor('incremental', [MITIGATIONS]) });
    expect(errorTraces(result)).toEqual([]);
    expect(result.code).toBe(0);
    const got = rows(result, MITIGATIONS).map((r) => r.mitigationID as number);
    expect({ lost: missing(mitigationIdsOf(s, s.incidentIds()), got) }).toEqual({ lost: [] });
    expect(result.logs.filter((l) => /at most 20/i.test(l.log.message))).toHaveLength(1);
  });
});

describe('row 9: a misconfigured connection never looks healthy', () => {
  const status = (result: RunResult) => result.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;

  test.each([
    ['1e300', 1e300],
    ['9007199254740993 (not exactly representable)', 9007199254740993],
  ])('company_id %s: check FAILED and read config_error, both naming company_id, no API call', async (_label, companyId) => {
    const s = await simulator({ seed: 1413, incidents: 3 });
    const config = configFor(s, { company_id: companyId });
    const check = await runChecked('check', { config });
    expect(status(check)).toMatchObject({ status: 'FAILED', message: expect.stringMatching(/company_id/) });
    const read = await runChecked('read', { config, catalog: catalogFor() });
    expect(read.code).not.toBe(0);
    expect(errorTraces(read)[0]?.trace.error).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/company_id/) });
    expect(s.stats().total).toBe(0);
  });

  test('a start_date after IRONSCALES\' now: check FAILED and read config_error, naming start_date', async () => {
    const s = await simulator({ seed: 1414, incidents: 3 });
    const config = configFor(s, { start_date: '2999-01-01T00:00:00Z' });
    const check = await runChecked('check', { config });
    expect(status(check)).toMatchObject({ status: 'FAILED', message: expect.stringMatching(/start_date/) });
    const read = await runChecked('read', { config, catalog: catalogFor() });
    expect(read.code).not.toBe(0);
    expect(errorTraces(read)[0]?.trace.error).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/start_date/) });
    expect(read.records).toEqual([]);
  });

  test('check: a list answered 404 in IRONSCALES\' JSON for the company is a failure, not success', async () => {
    const s = await simulator({ seed: 1415, incidents: 3 });
    s.inject({ kind: 'canned', status: 404, body: { message: 'Company not found' }, endpoint: 'list', count: 1000 });
    const check = await runChecked('check', { config: config(s) });
    expect(status(check)).toMatchObject({ status: 'FAILED', message: expect.stringMatching(/company/i) });
  });

  test('check: a list answer of the wrong shape is a failure (system error), not success', async () => {
    const s = await simulator({ seed: 1416, incidents: 3 });
    s.inject({ kind: 'canned', status: 200, body: { results: [] }, endpoint: 'list', count: 1000 });
    const check = await runChecked('check', { config: config(s) });
    expect(status(check)?.status).not.toBe('SUCCEEDED');
    expect(check.code === 0 ? status(check)?.status : errorTraces(check)[0]?.trace.error.failure_type).toMatch(/FAILED|system_error/);
  });
});
