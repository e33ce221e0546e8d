/**
 * One connection driven job after job the way the platform drives it: the stored config, the
 * per-stream state and generations, and a destination. Each job follows airbyte-platform:
 * - first attempt (AttemptHandler.updateGenerationAndStateForFirstAttempt): SYNC bumps the
 *   generation of every full-refresh stream and deletes its state; REFRESH does that for the
 *   refreshed streams and every full-refresh stream; CLEAR for the cleared streams
 *   (GenerationBumper: max + 1, or 1 for a stream without a generation; StatePersistence.bulkDelete);
 * - the configured catalog (CatalogGenerationSetter): generation_id = the stream's current
 *   generation (0 if never bumped), minimum_generation_id = it for a truncate refresh, a cleared
 *   stream or a full refresh that overwrites, else 0; destination modes mapped for the source
 *   (DefaultProtocolSerializer, see platform-catalog.ts);
 * - a Clear runs no source: EmptyAirbyteSource writes a null state for each cleared stream;
 * - after a read, the stored config takes every CONNECTOR_CONFIG the source sent (platform-config.ts)
 *   and the state the last STATE of each stream (platform-state.ts).
 */
import type { PlatformDestinationSyncMode } from './platform-catalog.js';
import { destinationSyncModeForSource } from './platform-catalog.js';
import { configAfterRead } from './platform-config.js';
import { Destination, type GenerationalStream } from './platform-destination.js';
import { fromRun } from './platform-replica.js';
import type { Violation } from './platform-rules.js';
import { runAsPlatform, type PlatformRun } from './platform-run.js';
import { entriesOf, stateForNextSync, type StreamStateEntry } from './platform-state.js';

export interface StreamSetup {
  syncMode: 'full_refresh' | 'incremental';
  destinationSyncMode: PlatformDestinationSyncMode;
}

export interface JobResult {
  run: PlatformRun;
  catalog: { streams: GenerationalStream[] };
  /** Replica violations of the read, and any refused CONNECTOR_CONFIG. */
  violations: string[];
  configViolations: Violation[];
  /** How many CONNECTOR_CONFIG messages replaced the stored config. */
  configUpdates: number;
}

type Json = Record<string, unknown>;

export class PlatformConnection {
  readonly destination = new Destination();
  private readonly generations = new Map<string, number>();
  private readonly state = new Map<string, StreamStateEntry>();
  private jobId = 300;

  constructor(
    /** The stored config, secrets in clear (the platform's secret store). */
    public config: Json,
    private readonly spec: Json,
    /** The discovered streams selected, each with the user's sync and destination modes. */
    private readonly streams: Array<{ discovered: Json; setup: StreamSetup }>,
  ) {}

  generationOf(stream: string): number {
    return this.generations.get(stream) ?? 0;
  }

  stateOf(stream: string): unknown {
    return this.state.get(stream)?.stream_state;
  }

  sync(): Promise<JobResult> {
    return this.read([], 'truncate');
  }

  /** A Refresh of `names` (truncate: the destination drops what the refresh does not bring again; merge: it keeps it). */
  refresh(names: string[], type: 'truncate' | 'merge'): Promise<JobResult> {
    return this.read(names, type);
  }

  /** A Clear of `names`: new generation, no state, no source run, the destination emptied at its end. */
  clear(names: string[]): void {
    this.bump(names);
    this.jobId += 1;
    for (const name of names) this.state.set(name, { stream_descriptor: { name }, stream_state: null });
    this.destination.clear(names, this.generations);
  }

  private async read(refreshed: string[], refreshType: 'truncate' | 'merge'): Promise<JobResult> {
    const fullRefresh = this.streams.filter((s) => s.setup.syncMode === 'full_refresh').map((s) => name(s.discovered));
    this.bump([...new Set([...refreshed, ...fullRefresh])]);
    this.jobId += 1;
    const job = { jobId: this.jobId, attempt: 0, supportsRefreshes: true };
    const catalog = {
      streams: this.streams.map(({ discovered, setup }) => {
        const stream = name(discovered);
        const generation = this.generationOf(stream);
        const overwrites = setup.syncMode === 'full_refresh' && (setup.destinationSyncMode === 'overwrite' || setup.destinationSyncMode === 'overwrite_dedup');
        const truncate = (refreshed.includes(stream) && refreshType === 'truncate') || overwrites;
        return {
          stream: discovered as GenerationalStream['stream'] & Json,
          sync_mode: setup.syncMode,
          destination_sync_mode: destinationSyncModeForSource(setup.destinationSyncMode, true),
          ...(discovered.default_cursor_field ? { cursor_field: discovered.default_cursor_field as string[] } : {}),
          ...(discovered.source_defined_primary_key ? { primary_key: discovered.source_defined_primary_key as string[][] } : {}),
          generation_id: generation,
          minimum_generation_id: truncate ? generation : 0,
          sync_id: job.jobId,
          include_files: false,
        };
      }),
    };
    const state = [...this.state.values()].map((stream) => ({ type: 'STREAM', stream }));
    const run = await runAsPlatform('read', { config: this.config, catalog, job, ...(state.length > 0 ? { state } : {}) });
    const update = configAfterRead(this.config, run.report.delivered, this.spec);
    this.config = update.config;
    for (const entry of entriesOf(stateForNextSync(fromRun(run.result), catalog))) this.state.set(entry.stream_descriptor.name, entry);
    this.destination.write(run.report, catalog);
    return { run, catalog, violations: run.violations, configViolations: update.violations, configUpdates: update.applied };
  }

  /** GenerationBumper.updateGenerationForStreams + StatePersistence.bulkDelete. */
  private bump(names: string[]): void {
    for (const stream of names) {
      this.generations.set(stream, this.generationOf(stream) + 1);
      this.state.delete(stream);
    }
  }
}

const name = (discovered: Json) => discovered.name as string;
