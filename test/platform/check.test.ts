/**
 * The check the platform runs before every retry of a failed sync (and before the first attempt
 * after a failed job): ConnectionManagerWorkflowImpl.checkConnectionsWithCommandApi. Its verdict
 * decides whether the job goes on: a FAILED status is a CONFIG_ERROR that ends it
 * (SyncCheckConnectionResult.buildFailureOutput → FailureHelper.checkFailure; reportFailure), a
 * transient TRACE with a non-zero exit keeps its type and the job is retried
 * (ConnectorMessageProcessor.setOutput). An outage during a retry must not end the job as a
 * configuration problem; a wrong key must. Real HTTP against the simulator.
 */
import net from 'node:net';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { runAsPlatform } from '../helpers/platform-run.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const JOB = { jobId: 81, attempt: 1 };
const configOf = (s: { url: string; companyId: number; apiKey: string }, extra: Record<string, unknown> = {}) => ({ host: s.url, company_id: s.companyId, api_key: s.apiKey, ...extra });

test('IRONSCALES answering 503: the check before a retry fails as transient_error and the job is retried', async () => {
  sim = await startSimulator({ seed: 1551, incidents: 3, rateLimit: null });
  sim.inject({ kind: 'server_error', status: 503, count: 1_000_000 });
  const { report, violations } = await runAsPlatform('check', { config: configOf(sim), job: JOB, beforeRetry: true });
  expect(violations).toEqual([]);
  expect(report.check).toEqual({ status: 'FAILED', failureType: 'transient_error', endsRetries: false });
}, 45_000);

test('a refused connection: transient_error, retried', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const { report, violations } = await runAsPlatform('check', { config: { host: `http://127.0.0.1:${port}`, company_id: 12345, api_key: 'sim-key-x' }, job: JOB, beforeRetry: true });
  expect(violations).toEqual([]);
  expect(report.check).toEqual({ status: 'FAILED', failureType: 'transient_error', endsRetries: false });
}, 45_000);

test('a wrong API key: FAILED, the job ends as a configuration problem (which it is)', async () => {
  sim = await startSimulator({ seed: 1552, incidents: 3, rateLimit: null });
  const { report, violations } = await runAsPlatform('check', { config: configOf(sim, { api_key: 'not-the-key' }), job: JOB, beforeRetry: true });
  expect(report.violations.map((v) => v.rule)).toEqual(['CHECK_ENDS_RETRIES']);
  expect(violations[0]).toMatch(/config_error/);
  expect(report.check).toEqual({ status: 'FAILED', failureType: 'config_error', endsRetries: true });
});

test('a working connection: SUCCEEDED, the attempt goes on', async () => {
  sim = await startSimulator({ seed: 1553, incidents: 3, rateLimit: null });
  const { report, violations } = await runAsPlatform('check', { config: configOf(sim), job: JOB, beforeRetry: true });
  expect(violations).toEqual([]);
  expect(report.check).toEqual({ status: 'SUCCEEDED', endsRetries: false });
});
