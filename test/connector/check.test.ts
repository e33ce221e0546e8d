/**
 * check as the platform needs it. The platform runs check before every retry of a sync
 * (airbyte-platform ConnectionManagerWorkflowImpl.checkConnectionsWithCommandApi): a
 * CONNECTION_STATUS FAILED there becomes a CONFIG_ERROR that ends the job without retry
 * (SyncCheckConnectionResult.buildFailureOutput → FailureHelper.checkFailure), while a TRACE ERROR
 * with a non-zero exit and no status keeps the trace's failure type
 * (ConnectorMessageProcessor.setOutput) and a transient one is retried. So FAILED is only for
 * what the user must fix; an outage is a transient TRACE. Real HTTP against the simulator.
 */
import net from 'node:net';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { errorTraces, runConnector, type RunResult } from '../helpers/connector.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const statuses = (r: RunResult) => r.messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus);

/** The spec's defaults for timeouts and retries: what a user's check meets. */
const configOf = (s: { url: string; companyId: number; apiKey: string }, extra: Record<string, unknown> = {}) => ({
  host: s.url,
  company_id: s.companyId,
  api_key: s.apiKey,
  ...extra,
});

async function timed(config: unknown): Promise<{ result: RunResult; elapsedMs: number }> {
  const started = Date.now();
  const result = await runConnector('check', { config, timeoutMs: 40_000 });
  return { result, elapsedMs: Date.now() - started };
}

function expectTransientTrace(result: RunResult, message: RegExp) {
  expect(statuses(result)).toEqual([]);
  expect(result.code).not.toBe(0);
  const errors = errorTraces(result);
  expect(errors).toHaveLength(1);
  expect(errors[0]!.trace.error.failure_type).toBe('transient_error');
  expect(errors[0]!.trace.error.message).toMatch(message);
  expect(result.stderr).toBe('');
}

test('IRONSCALES answering 503 to every call: no CONNECTION_STATUS, a transient TRACE naming the 503, non-zero exit, within 30 s', async () => {
  sim = await startSimulator({ seed: 1501, incidents: 3, rateLimit: null });
  sim.inject({ kind: 'server_error', status: 503, count: 1_000_000 });
  const { result, elapsedMs } = await timed(configOf(sim));
  expectTransientTrace(result, /503/);
  expect(elapsedMs).toBeLessThan(30_000);
  expect(result.stdout).not.toContain(sim.apiKey);
}, 45_000);

test('a refused connection: no CONNECTION_STATUS, a transient TRACE saying so, non-zero exit, within 30 s', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const { result, elapsedMs } = await timed({ host: `http://127.0.0.1:${port}`, company_id: 12345, api_key: 'sim-key-check-refused' });
  expectTransientTrace(result, /refused|ECONNREFUSED/i);
  expect(elapsedMs).toBeLessThan(30_000);
  expect(result.stdout).not.toContain('sim-key-check-refused');
}, 45_000);

test('a wrong API key: CONNECTION_STATUS FAILED with what to fix, exit 0, no TRACE', async () => {
  sim = await startSimulator({ seed: 1502, incidents: 3, rateLimit: null });
  const { result } = await timed(configOf(sim, { api_key: 'a-key-ironscales-does-not-know' }));
  expect(result.code).toBe(0);
  expect(statuses(result)).toEqual([{ status: 'FAILED', message: expect.stringMatching(/API key/) }]);
  expect(errorTraces(result)).toEqual([]);
  expect(result.stdout).not.toContain('a-key-ironscales-does-not-know');
});

test('the outage heals: the next check succeeds', async () => {
  sim = await startSimulator({ seed: 1503, incidents: 3, rateLimit: null });
  sim.inject({ kind: 'server_error', status: 503, count: 1_000_000 });
  expectTransientTrace((await timed(configOf(sim))).result, /503/);
  sim.clearFaults();
  const { result } = await timed(configOf(sim));
  expect(result.code).toBe(0);
  expect(statuses(result)).toEqual([{ status: 'SUCCEEDED' }]);
}, 60_000);
