/**
 * A failed full refresh and the platform's next attempt (AttemptHandler.kt): the first attempt of
 * a sync starts a full refresh with no state (updateGenerationAndStateForFirstAttempt clears it);
 * it fails mid-way; because the stream declares is_resumable, the next attempt keeps the
 * generation and gets the state the failed attempt committed
 * (updateGenerationAndStateForSubsequentAttempts → getFullRefreshStreamsToClear).
 *
 * Across both attempts nothing may be lost, and nothing committed by attempt 1 may come again:
 * the resume point is inclusive (a neighbour at the same microsecond is never lost) and the ids
 * already emitted at it travel in the state (`ids_at_cursor`), so they are not sent twice.
 * Attempt 1 fails two ways: a persistent API outage (the connector gives up with a
 * transient_error) and a SIGKILL (the platform sees no exit code).
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { configFor } from '../helpers/connector.js';
import { drainFaults } from '../helpers/faults-harness.js';
import { platformCatalog } from '../helpers/platform-catalog.js';
import type { Bound } from '../helpers/platform-deserialize.js';
import { fromRun } from '../helpers/platform-replica.js';
import { discoveredStreams, receivedRecords, runAsPlatform, type PlatformRun } from '../helpers/platform-run.js';
import { stateForNextSync } from '../helpers/platform-state.js';

const INCIDENTS = 150;
/** Details calls that succeed before the outage: a few checkpoints of 20 are complete by then. */
const CALLS_BEFORE_OUTAGE = 70;
const DETAILS_PATH = '/appapi/incident/1/details/1';

interface Attempts {
  sim: Simulator;
  first: PlatformRun;
  second: PlatformRun;
  handedBack: unknown[];
}

const idOf = (r: Bound) => r.data.incident_id as number;

/** Runs attempt 1 (made to fail by `fail`) and attempt 2 with what the platform hands back. */
async function twoAttempts(seed: number, fail: 'outage' | 'sigkill'): Promise<Attempts> {
  const sim = await startSimulator({ seed, incidents: INCIDENTS, rateLimit: null, goneRatio: 0 });
  // A short retry budget so the outage ends attempt 1 quickly; the default 5 s request timeout keeps a loaded machine from failing attempt 2.
  const config = configFor(sim, { records_per_checkpoint: 20, max_retry_seconds: 2 });
  const streams = await discoveredStreams(config);
  const job = { jobId: 700 + seed, attempt: 0, supportsRefreshes: true };
  // The same catalog for both attempts: a resumable stream keeps its generation.
  const catalog = platformCatalog(streams, { syncMode: 'full_refresh', destinationSyncMode: 'overwrite', generation: 2 }, job);
  if (fail === 'outage') {
    // Faults are taken in order: no-op delays first, then an outage that outlasts the retry budget.
    sim.inject({ kind: 'delay', count: CALLS_BEFORE_OUTAGE, ms: 0, endpoint: 'details' });
    sim.inject({ kind: 'server_error', count: 500, status: 503, endpoint: 'details' });
  }
  const first = await runAsPlatform('read', { config, catalog, job, ...(fail === 'sigkill' ? { killAfterRecords: 65 } : {}) });
  await drainFaults(sim, DETAILS_PATH);
  const handedBack = stateForNextSync(fromRun(first.result), catalog);
  const second = await runAsPlatform('read', { config, catalog, state: handedBack, job: { ...job, attempt: 1 } });
  return { sim, first, second, handedBack };
}

describe.each([
  ['a persistent API outage', 'outage', 911],
  ['a SIGKILL', 'sigkill', 912],
] as const)('a full refresh whose first attempt fails with %s', (_name, fail, seed) => {
  let a: Attempts;

  beforeAll(async () => {
    a = await twoAttempts(seed, fail);
  }, 60_000);

  afterAll(async () => {
    await a?.sim.close();
  });

  test('attempt 1 fails as the platform sees it, after committing some incidents, with no violation', () => {
    expect(a.first.violations).toEqual([]);
    expect(a.first.report.failed).toBe(true);
    if (fail === 'outage') {
      // The stream's own error, and the deciding one naming it; both transient, so the platform retries.
      expect(a.first.report.failures.map((f) => f.failureType)).toEqual(['transient_error', 'transient_error']);
      expect(a.first.report.retried).toBe(true);
    }
    expect(receivedRecords(a.first.report).committed.length).toBeGreaterThanOrEqual(20);
    expect(a.handedBack).toHaveLength(1);
  });

  test('attempt 2, given attempt 1 state, completes with no violation', () => {
    expect(a.second.violations).toEqual([]);
    expect(a.second.report.failed).toBe(false);
  });

  test('across both attempts: none lost, and nothing committed by attempt 1 comes again', () => {
    const committed = receivedRecords(a.first.report).committed;
    const again = receivedRecords(a.second.report).all;
    const seen = new Set([...committed.map(idOf), ...again.map(idOf)]);
    expect(a.sim.incidentIds().filter((id) => !seen.has(id))).toEqual([]);

    const committedIds = new Set(committed.map(idOf));
    expect(again.filter((r) => committedIds.has(idOf(r))).map(idOf)).toEqual([]);
  });
});

