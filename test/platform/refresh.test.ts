/**
 * Refresh and Clear never narrow the history a destination held, tried the platform's way
 * (platform-connection.ts): a Refresh or a Clear deletes the stream's state and bumps its
 * generation (AttemptHandler.updateGenerationAndStateForFirstAttempt, GenerationBumper), a truncate
 * Refresh or a Clear sets minimum_generation_id = generation_id (CatalogGenerationSetter), and the
 * destination drops the older generation at the successful end. Without start_date the connector
 * pins the start in the config with a CONNECTOR_CONFIG control message, which the platform stores
 * in place of the old config (masked secret restored: JsonSecretsProcessor.copySecrets).
 * Time passes with the simulator's clock (60 days) between the syncs. Real HTTP.
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { formatTimestamp, parseTimestamp } from '../../src/ironscales/timestamps.js';
import { EARLIEST_START } from '../../src/start-date.js';
import { configFor, runConnector } from '../helpers/connector.js';
import { historyNarrowed } from '../helpers/platform-destination.js';
import { PlatformConnection } from '../helpers/platform-connection.js';
import { discoveredStreams } from '../helpers/platform-run.js';

const DAY_MS = 86_400_000;
const INCIDENTS = 'ironscales_incidents';
const IOCS = 'ironscales_incident_iocs';
const KEY = [['incident_id']];

let sim: Simulator;
let spec: Record<string, unknown>;

beforeAll(async () => {
  spec = (await runConnector('spec')).messages[0]!.spec.connectionSpecification;
});

beforeEach(async () => {
  // 200 days of history up to an hour ago.
  const now = Date.now();
  sim = await startSimulator({
    seed: 1561,
    incidents: 150,
    from: new Date(now - 200 * DAY_MS).toISOString(),
    to: new Date(now - 3_600_000).toISOString(),
    goneRatio: 0,
    rateLimit: null,
  });
});
afterEach(async () => {
  await sim?.close();
});

/** The simulator's config without start_date: what a user who left it empty has. */
function noStartDate(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { start_date: _dropped, ...config } = configFor(sim, extra);
  return config;
}

async function connection(config: Record<string, unknown>): Promise<PlatformConnection> {
  const streams = await discoveredStreams(config, [INCIDENTS, IOCS]);
  return new PlatformConnection(config, spec, streams.map((discovered) => ({ discovered, setup: { syncMode: 'incremental', destinationSyncMode: 'append_dedup' } })));
}

/** 60 days pass at IRONSCALES, with new incidents in them. */
function sixtyDaysPass(): number[] {
  sim.setClockOffset(60 * DAY_MS);
  const now = Date.now();
  return sim.generateIncidents(20, { from: new Date(now + DAY_MS).toISOString(), to: new Date(now + 59 * DAY_MS).toISOString() });
}

const firstReported = (id: number) => parseTimestamp(sim.details(id)!.first_reported_date as string);

test('a first sync without start_date pins IRONSCALES\' now − 90 days in the stored config; the key stays the stored one', async () => {
  const conn = await connection(noStartDate());
  const first = await conn.sync();
  expect(first.violations).toEqual([]);
  expect(first.configViolations).toEqual([]);
  expect(first.configUpdates).toBe(1);
  expect(first.run.result.stdout).not.toContain(sim.apiKey);
  // Replaced whole: everything the user set, the restored key, and the pinned start.
  const pinned = Date.parse(conn.config.start_date as string);
  expect(conn.config).toEqual({ ...noStartDate(), start_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
  expect(Date.now() - 90 * DAY_MS - pinned).toBeGreaterThanOrEqual(0);
  expect(Date.now() - 90 * DAY_MS - pinned).toBeLessThan(60_000);
  // The destination holds exactly the incidents since the pin.
  const expected = sim.incidentIds().filter((id) => firstReported(id) >= pinned * 1000);
  expect(conn.destination.keys(INCIDENTS, KEY)).toEqual(new Set(expected.map((id) => JSON.stringify([id]))));

  // The next sync keeps the stored start: no new pin.
  const second = await conn.sync();
  expect(second.violations).toEqual([]);
  expect(second.configUpdates).toBe(0);
}, 60_000);

test.each([
  ['a truncate Refresh', 'refresh'],
  ['a Clear, then a sync', 'clear'],
] as const)('%s 60 days later: the destination still holds every incident it held before (and the new ones)', async (_name, job) => {
  const conn = await connection(noStartDate());
  await conn.sync();
  const held = conn.destination.keys(INCIDENTS, KEY);
  const heldIocs = conn.destination.keys(IOCS, [['incident_id'], ['ioc_type'], ['value']]);
  const arrived = sixtyDaysPass();
  // The case is real: some held incidents lie before IRONSCALES' new now − 90 days, where a moving default would start.
  const movingDefault = (Date.now() + 60 * DAY_MS - 90 * DAY_MS) * 1000;
  expect([...held].map((k) => JSON.parse(k)[0] as number).filter((id) => firstReported(id) < movingDefault).length).toBeGreaterThan(5);

  const generation = conn.generationOf(INCIDENTS);
  sim.resetStats();
  let result;
  if (job === 'refresh') {
    result = await conn.refresh([INCIDENTS], 'truncate');
    const configured = result.catalog.streams.find((s) => s.stream.name === INCIDENTS)!;
    expect(configured).toMatchObject({ generation_id: generation + 1, minimum_generation_id: generation + 1 });
  } else {
    conn.clear([INCIDENTS]);
    expect(conn.destination.keys(INCIDENTS, KEY).size).toBe(0);
    expect(conn.stateOf(INCIDENTS)).toBeNull();
    result = await conn.sync();
    expect(result.catalog.streams.find((s) => s.stream.name === INCIDENTS)).toMatchObject({ generation_id: generation + 1, minimum_generation_id: 0 });
  }
  expect(result.violations).toEqual([]);
  expect(result.run.report.failed).toBe(false);
  const after = conn.destination.keys(INCIDENTS, KEY);
  expect(historyNarrowed(INCIDENTS, held, after)).toEqual([]);
  for (const id of arrived) expect(after.has(JSON.stringify([id]))).toBe(true);
  expect(historyNarrowed(IOCS, heldIocs, conn.destination.keys(IOCS, [['incident_id'], ['ioc_type'], ['value']]))).toEqual([]);
  // What it cost: the token, the list pages, one details call per incident read again (docs/ironscales.md).
  const requests = sim.stats().requests;
  expect(requests.token).toBe(1);
  expect(requests.details).toBe(after.size);
}, 90_000);

test('a connection that synced before without start_date (an older version): the first read pins a start that narrows nothing, with a WARN; a Refresh then keeps all', async () => {
  // The older version started 120 days back on its first sync; its config never held the date.
  const oldStart = formatTimestamp((Date.now() - 120 * DAY_MS) * 1000).slice(0, 19) + 'Z';
  const conn = await connection(noStartDate({ start_date: oldStart }));
  await conn.sync();
  delete conn.config.start_date;
  const held = conn.destination.keys(INCIDENTS, KEY);
  sixtyDaysPass();

  const upgraded = await conn.sync();
  expect(upgraded.violations).toEqual([]);
  expect(upgraded.configUpdates).toBe(1);
  expect(conn.config.start_date).toBe(EARLIEST_START);
  expect(upgraded.run.result.logs.filter((l) => l.log.level === 'WARN' && /start_date/.test(l.log.message) && /set Start Date/i.test(l.log.message))).toHaveLength(1);
  // The saved cursor is not moved by it: only the new incidents come.
  expect(upgraded.run.report.delivered.filter((m) => m.type === 'RECORD' && m.record.stream === INCIDENTS)).toHaveLength(20);

  const refreshed = await conn.refresh([INCIDENTS], 'truncate');
  expect(refreshed.violations).toEqual([]);
  expect(historyNarrowed(INCIDENTS, held, conn.destination.keys(INCIDENTS, KEY))).toEqual([]);
}, 90_000);

test('a Refresh as the first job after the upgrade (refreshed, no state, no start_date): the same safe start, nothing narrowed', async () => {
  const oldStart = formatTimestamp((Date.now() - 120 * DAY_MS) * 1000).slice(0, 19) + 'Z';
  const conn = await connection(noStartDate({ start_date: oldStart }));
  await conn.sync();
  delete conn.config.start_date;
  const held = conn.destination.keys(INCIDENTS, KEY);
  sixtyDaysPass();
  const refreshed = await conn.refresh([INCIDENTS], 'truncate');
  expect(refreshed.violations).toEqual([]);
  expect(conn.config.start_date).toBe(EARLIEST_START);
  expect(historyNarrowed(INCIDENTS, held, conn.destination.keys(INCIDENTS, KEY))).toEqual([]);
  expect(conn.destination.keys(INCIDENTS, KEY).size).toBe(sim.incidentIds().length);
}, 90_000);
