/**
 * The configured catalog and environment the platform gives a source's read, built the way the
 * platform builds them from the connector's own discovered streams:
 * - airbyte-commons-converters CatalogClientConverters.generateDefaultConfiguration: the user's
 *   choices start from the stream's default cursor and source-defined primary key;
 * - airbyte-config/config-persistence CatalogGenerationSetter.updateCatalogWithGenerationAndSyncInformation:
 *   sync_id = job id, generation_id = the stream's current generation, minimum_generation_id =
 *   that generation for a full refresh that overwrites (truncate), else 0;
 * - airbyte-commons-protocol DefaultProtocolSerializer.serialize(..., SerializationTarget.SOURCE):
 *   a source never sees the data-activation modes (update, soft_delete become append), and with a
 *   destination that supports refreshes overwrite becomes append (overwrite_dedup → append_dedup);
 *   include_files and destination_object_name are passed through (nulls omitted by Jackson).
 * Env: airbyte-workload-launcher RuntimeEnvVarFactory (getMetadataEnvVars, getConfigurationEnvVars,
 * getLogLevelEnvVars, check/discover/specConnectorEnvVars).
 */
import type { Op } from './platform-replica.js';

export type PlatformDestinationSyncMode = 'append' | 'overwrite' | 'append_dedup' | 'overwrite_dedup' | 'update' | 'soft_delete';

export interface PlatformStreamChoice {
  syncMode: 'full_refresh' | 'incremental';
  /** What the user picked in the UI, before the serializer maps it for the source. */
  destinationSyncMode: PlatformDestinationSyncMode;
  /** The stream's current generation (bumped by each full refresh, clear or refresh). */
  generation?: number;
  includeFiles?: boolean;
  destinationObjectName?: string;
}

export interface PlatformJob {
  jobId: number;
  attempt: number;
  supportsRefreshes?: boolean;
}

const LEGACY_MODES = new Set(['append', 'append_dedup', 'overwrite', 'overwrite_dedup']);

/** DefaultProtocolSerializer.replaceDestinationSyncModes for SerializationTarget.SOURCE. */
export function destinationSyncModeForSource(mode: PlatformDestinationSyncMode, supportsRefreshes: boolean): string {
  if (!LEGACY_MODES.has(mode)) return 'append';
  if (supportsRefreshes) return mode === 'overwrite' ? 'append' : mode === 'overwrite_dedup' ? 'append_dedup' : mode;
  return mode === 'overwrite_dedup' ? 'overwrite' : mode;
}

/** One configured stream per discovered stream (a CATALOG message's `catalog.streams`). */
export function platformCatalog(discovered: Array<Record<string, unknown>>, choice: PlatformStreamChoice, job: PlatformJob): { streams: unknown[] } {
  const supportsRefreshes = job.supportsRefreshes ?? true;
  const generation = choice.generation ?? 1;
  const truncate = choice.syncMode === 'full_refresh' && (choice.destinationSyncMode === 'overwrite' || choice.destinationSyncMode === 'overwrite_dedup');
  return {
    // The UI offers a stream only the modes it supports: a full-refresh-only stream stays full refresh.
    streams: discovered.map((stream) => {
      const supported = (stream.supported_sync_modes as string[]).includes(choice.syncMode);
      return {
      stream,
      sync_mode: supported ? choice.syncMode : 'full_refresh',
      destination_sync_mode: destinationSyncModeForSource(supported ? choice.destinationSyncMode : 'overwrite', supportsRefreshes),
      ...(stream.default_cursor_field ? { cursor_field: stream.default_cursor_field } : {}),
      ...(stream.source_defined_primary_key ? { primary_key: stream.source_defined_primary_key } : {}),
      generation_id: generation,
      minimum_generation_id: truncate ? generation : 0,
      sync_id: job.jobId,
      include_files: choice.includeFiles ?? false,
      ...(choice.destinationObjectName !== undefined ? { destination_object_name: choice.destinationObjectName } : {}),
      };
    }),
  };
}

/** The variables the workload launcher sets on the connector container for `op`. */
export function platformEnv(op: Op, job: PlatformJob): Record<string, string> {
  if (op !== 'read') return { OPERATION_TYPE: op.toUpperCase(), WORKLOAD_ID: `job_${job.jobId}_attempt_${job.attempt}_${op}` };
  return {
    DEPLOYMENT_MODE: 'OSS',
    LOG_LEVEL: 'INFO',
    WORKER_CONNECTOR_IMAGE: 'airbyte/source-ironscales:dev',
    WORKER_JOB_ID: String(job.jobId),
    WORKER_JOB_ATTEMPT: String(job.attempt),
    USE_STREAM_CAPABLE_STATE: 'true',
    USE_FILE_TRANSFER: 'false',
    CONCURRENT_SOURCE_STREAM_READ: 'false',
  };
}
