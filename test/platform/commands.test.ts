/**
 * The built connector, driven as the platform drives it (its environment; for read, the
 * configured catalog the platform builds from the connector's own discover), against the
 * simulator over real HTTP. Every command's output goes through the platform replica and must
 * break no rule.
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { configFor } from '../helpers/connector.js';
import { platformCatalog, type PlatformDestinationSyncMode, type PlatformStreamChoice } from '../helpers/platform-catalog.js';
import { discoveredStreams, receivedRecords, runAsPlatform } from '../helpers/platform-run.js';

let sim: Simulator;
let streams: Array<Record<string, unknown>>;
const JOB = { jobId: 42, attempt: 0, supportsRefreshes: true };

beforeAll(async () => {
  sim = await startSimulator({ seed: 901, incidents: 60, rateLimit: null, goneRatio: 0 });
  streams = await discoveredStreams(configFor(sim));
});

afterAll(async () => {
  await sim?.close();
});

const ids = (records: Array<Record<string, unknown>>) => new Set(records.map((r) => (r.data as { incident_id: number }).incident_id));

describe('spec, check, discover', () => {
  test('spec: one SPEC with a 0.x protocol, nothing the sidecar drops', async () => {
    const { report, violations } = await runAsPlatform('spec');
    expect(violations).toEqual([]);
    expect(report.failed).toBe(false);
    expect(report.delivered.filter((m) => m.type === 'SPEC')).toHaveLength(1);
  });

  test('check: SUCCEEDED with the right key, FAILED (exit 0, a message) with a wrong one', async () => {
    const good = await runAsPlatform('check', { config: configFor(sim) });
    expect(good.violations).toEqual([]);
    expect(good.report.delivered.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus.status).toBe('SUCCEEDED');

    const bad = await runAsPlatform('check', { config: configFor(sim, { api_key: 'not-the-key' }) });
    expect(bad.violations).toEqual([]);
    expect(bad.report.exitCode).toBe(0);
    const status = bad.report.delivered.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/\S/);
  });

  test('discover: one resumable stream with a cursor and a primary key (what lets the platform pass state to a retried full refresh)', async () => {
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({ name: 'ironscales_incidents', is_resumable: true, source_defined_cursor: true, default_cursor_field: ['first_reported_date'] });
  });
});

describe('read with the catalog the platform builds', () => {
  test.each<[string, PlatformStreamChoice]>([
    ['incremental, append + dedup', { syncMode: 'incremental', destinationSyncMode: 'append_dedup', generation: 3, destinationObjectName: 'ironscales_incidents' }],
    ['full refresh, overwrite (a truncating generation)', { syncMode: 'full_refresh', destinationSyncMode: 'overwrite', generation: 4 }],
  ])('%s: every incident, zero violations', async (_name, choice) => {
    const catalog = platformCatalog(streams, choice, JOB);
    const { report, violations } = await runAsPlatform('read', { config: configFor(sim), catalog, job: JOB });
    expect(violations).toEqual([]);
    expect(report.failed).toBe(false);
    expect(ids(receivedRecords(report).all)).toEqual(new Set(sim.incidentIds()));
    expect(report.delivered.some((m) => m.type === 'STATE')).toBe(true);
  });

  test.each<PlatformDestinationSyncMode>(['update', 'soft_delete', 'overwrite_dedup'])(
    'a destination_sync_mode the serializer never passes to a source (%s, raw) is still accepted',
    async (mode) => {
      const catalog = platformCatalog(streams, { syncMode: 'incremental', destinationSyncMode: 'append_dedup' }, JOB) as { streams: Array<Record<string, unknown>> };
      catalog.streams[0]!.destination_sync_mode = mode;
      const { report, violations } = await runAsPlatform('read', { config: configFor(sim), catalog, job: JOB });
      expect(violations).toEqual([]);
      expect(report.exitCode).toBe(0);
      expect(ids(receivedRecords(report).all)).toEqual(new Set(sim.incidentIds()));
    },
  );

  test('a read that cannot authenticate fails the way the platform understands: config_error, no violation', async () => {
    const catalog = platformCatalog(streams, { syncMode: 'incremental', destinationSyncMode: 'append_dedup' }, JOB);
    const { report, violations } = await runAsPlatform('read', { config: configFor(sim, { api_key: 'not-the-key' }), catalog, job: JOB });
    expect(violations).toEqual([]);
    expect(report.failed).toBe(true);
    expect(report.failures.map((f) => f.failureType)).toContain('config_error');
    expect(report.failures.every((f) => f.failureType === 'config_error')).toBe(true);
    expect(report.retried).toBe(false);
  });
});
