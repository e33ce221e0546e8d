/**
 * What the config is checked for at run time, beyond the spec (which may not gain constraints:
 * CAT's backward-compatibility test, see test/unit/spec-compat.test.ts): a company_id that is not a
 * safe integer, a start_date after IRONSCALES' now (issue 14 row 9), empty scopes; and a retry
 * budget that would outlast Airbyte's heartbeat is capped with a WARN. Real HTTP, the built connector.
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { effectiveRetrySeconds, HEARTBEAT_SECONDS } from '../../src/spec.js';
import { catalogFor, configFor, errorTraces, runConnector, type RunResult } from '../helpers/connector.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 1571, incidents: 5, rateLimit: null, goneRatio: 0 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => sim.resetStats());

const status = (r: RunResult) => r.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
const firstError = (r: RunResult) => [...errorTraces(r)].sort((a, b) => a.trace.emitted_at - b.trace.emitted_at)[0]?.trace.error;

async function checkAndRead(config: unknown): Promise<{ check: RunResult; read: RunResult }> {
  const check = await runConnector('check', { config });
  const read = await runConnector('read', { config, catalog: catalogFor() });
  return { check, read };
}

describe('company_id must be a positive safe integer', () => {
  test.each([
    ['1e300', '1e300'],
    ['9007199254740993 (JSON carries it as ...992)', '9007199254740993'],
    ['9007199254740993 as text', '"9007199254740993"'],
  ])('%s: check FAILED and read config_error, both naming company_id, no API call', async (_name, literal) => {
    // Written as text: JSON.stringify would already have rounded the number.
    const { company_id: _id, ...rest } = configFor(sim);
    const config = JSON.stringify(rest).replace(/^\{/, `{"company_id": ${literal}, `);
    const { check, read } = await checkAndRead(config);
    expect(check.code).toBe(0);
    expect(status(check)).toEqual({ status: 'FAILED', message: expect.stringMatching(/'company_id' must be your IRONSCALES company ID/) });
    expect(status(check)!.message).not.toMatch(/9007199254740992/);
    expect(read.code).not.toBe(0);
    expect(firstError(read)).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/company_id/) });
    expect(sim.stats().total).toBe(0);
  });

  test('the largest safe company_id passes the config check (IRONSCALES then says whether it exists)', async () => {
    const check = await runConnector('check', { config: configFor(sim, { company_id: Number.MAX_SAFE_INTEGER }) });
    expect(status(check)?.message ?? '').not.toMatch(/'company_id' must/);
  });
});

describe('a start_date after IRONSCALES\' now', () => {
  test('check FAILED naming start_date; read config_error naming start_date, no record, nothing but the token call', async () => {
    const config = configFor(sim, { start_date: '2999-01-01T00:00:00Z' });
    const check = await runConnector('check', { config });
    sim.resetStats();
    const read = await runConnector('read', { config, catalog: catalogFor() });
    expect(sim.stats().requests).toMatchObject({ token: 1, list: 0, details: 0 });
    expect(check.code).toBe(0);
    expect(status(check)).toEqual({ status: 'FAILED', message: expect.stringMatching(/'start_date' \(2999-01-01T00:00:00Z\) lies after IRONSCALES' current time/) });
    expect(read.code).not.toBe(0);
    expect(errorTraces(read).map((e) => e.trace.error)).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/'start_date'/) })]);
    expect(read.records).toEqual([]);
    expect(read.messages.filter((m) => m.type === 'CONTROL')).toEqual([]);
  });

  test("IRONSCALES' clock decides, not this machine's: a start a minute ahead of IRONSCALES is refused", async () => {
    sim.setClockOffset(-10 * 60_000);
    try {
      const ahead = new Date(Date.now() - 5 * 60_000).toISOString().slice(0, 19) + 'Z';
      const { read } = await checkAndRead(configFor(sim, { start_date: ahead }));
      expect(firstError(read)).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/start_date/) });
    } finally {
      sim.setClockOffset(0);
    }
  });
});

describe('scopes are checked at run time (the spec no longer declares minItems and minLength)', () => {
  test.each([
    ['an empty list', [], /'scopes' must name at least one scope, such as company.all/],
    ['an empty scope name', [''], /'scopes.0' must not be empty/],
  ])('%s → FAILED with the same message as 0.2.0, no API call', async (_name, scopes, message) => {
    const check = await runConnector('check', { config: configFor(sim, { scopes }) });
    expect(status(check)).toEqual({ status: 'FAILED', message: expect.stringMatching(message) });
    expect(sim.stats().total).toBe(0);
  });
});

describe('heartbeat: one call stays silent for less than 10,800 s', () => {
  test('the retry budget is capped so that budget + timeout stays under the heartbeat, whatever the spec allows', () => {
    expect(effectiveRetrySeconds(600, 60)).toEqual({ seconds: 600 });
    const capped = effectiveRetrySeconds(10_800, 600);
    expect(capped.seconds + 600).toBeLessThan(HEARTBEAT_SECONDS);
    expect(capped.warning).toMatch(/max_retry_seconds 10800.*request_timeout_seconds 600.*10800 s heartbeat.*at most 10140 s/);
    // Every value the spec allows ends up below the heartbeat.
    for (const timeout of [1, 60, 600]) for (const budget of [1, 600, 10_140, 10_800]) expect(effectiveRetrySeconds(budget, timeout).seconds + timeout).toBeLessThan(HEARTBEAT_SECONDS);
  });

  test('check and read say so in a WARN; the defaults do not', async () => {
    const config = configFor(sim, { max_retry_seconds: 10_800, request_timeout_seconds: 600 });
    const { check, read } = await checkAndRead(config);
    for (const run of [check, read]) expect(run.logs.filter((l) => l.log.level === 'WARN' && /at most 10140 s/.test(l.log.message))).toHaveLength(1);
    expect(read.code).toBe(0);
    const plain = await runConnector('check', { config: configFor(sim, { max_retry_seconds: undefined, request_timeout_seconds: undefined }) });
    expect(plain.logs.filter((l) => /heartbeat/.test(l.log.message))).toEqual([]);
  });
});
