/**
 * Which failure decides a failed sync, the platform's way: it sorts the trace failures by
 * emitted_at (orchestrator/bookkeeping/AirbyteMessageTracker.kt errorTraceMessageFailure) and
 * retries unless the first is a config error (ConnectionManagerWorkflowImpl.reportFailure). Two
 * streams fail in one sync, one for a permission (config_error), one for an outage
 * (transient_error): the job must be retried, every failed stream named, and no message may
 * promise a retry the platform would not make. Real HTTP against the simulator.
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { configFor } from '../helpers/connector.js';
import { platformCatalog } from '../helpers/platform-catalog.js';
import { discoveredStreams, runAsPlatform } from '../helpers/platform-run.js';

let sim: Simulator;
const JOB = { jobId: 71, attempt: 0, supportsRefreshes: true };
const STREAMS = ['ironscales_incidents', 'ironscales_mitigations', 'ironscales_mailboxes'];
const FORBIDDEN = { kind: 'canned', status: 403, body: { detail: 'You do not have permission to perform this action.' }, endpoint: 'mitigations', count: 1_000_000 } as const;

beforeEach(async () => {
  sim = await startSimulator({ seed: 1541, incidents: 30, goneRatio: 0, rateLimit: null });
});
afterEach(async () => {
  await sim?.close();
});

async function read() {
  const config = configFor(sim, { max_retry_seconds: 2 });
  const streams = await discoveredStreams(config, STREAMS);
  const catalog = platformCatalog(streams, { syncMode: 'incremental', destinationSyncMode: 'append_dedup' }, JOB);
  return runAsPlatform('read', { config, catalog, job: JOB });
}

test('mitigations refused (403) and mailboxes down (503): the transient failure decides, the job is retried, both streams named', async () => {
  sim.inject(FORBIDDEN);
  sim.inject({ kind: 'server_error', status: 503, endpoint: 'mailboxes', count: 1_000_000 });
  const { report, violations, result } = await read();
  expect(violations).toEqual([]);
  expect(report.failed).toBe(true);
  expect(report.deciding).toMatchObject({ failureType: 'transient_error', message: expect.stringMatching(/ironscales_mitigations.*ironscales_mailboxes|ironscales_mailboxes.*ironscales_mitigations/) });
  expect(report.deciding!.message).toMatch(/Airbyte retries the sync/);
  expect(report.retried).toBe(true);
  // Each stream's own error was emitted when it failed, with its stream, and promises nothing.
  const own = result.traces.filter((t) => t.trace.type === 'ERROR' && t.trace.error.stream_descriptor);
  expect(own.map((t) => [t.trace.error.stream_descriptor.name, t.trace.error.failure_type]).sort()).toEqual([
    ['ironscales_mailboxes', 'transient_error'],
    ['ironscales_mitigations', 'config_error'],
  ]);
  for (const t of own) expect(t.trace.error.message).not.toMatch(/Airbyte (will )?retr/i);
  // The incidents stream still completed.
  const statuses = result.traces.filter((t) => t.trace.type === 'STREAM_STATUS').map((t) => [t.trace.stream_status.stream_descriptor.name, t.trace.stream_status.status]);
  expect(statuses).toContainEqual(['ironscales_incidents', 'COMPLETE']);
}, 60_000);

test('mitigations refused alone: the config error decides and says Airbyte does not retry it', async () => {
  sim.inject(FORBIDDEN);
  const { report, violations } = await read();
  expect(violations).toEqual([]);
  expect(report.deciding).toMatchObject({ failureType: 'config_error', message: expect.stringMatching(/ironscales_mitigations.*does not retry/) });
  expect(report.retried).toBe(false);
}, 60_000);
