/**
 * Airbyte protocol message types (the subset a source emits and reads), following
 * airbyte_protocol.yaml v0. Key casing is the protocol's own: mostly snake_case, but
 * connectionStatus, sourceStats, recordCount, documentationUrl and connectionSpecification are camelCase.
 */

export type SyncMode = 'full_refresh' | 'incremental';
export type DestinationSyncMode = 'append' | 'overwrite' | 'append_dedup' | 'update' | 'soft_delete';
export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type FailureType = 'system_error' | 'config_error' | 'transient_error';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export interface StreamDescriptor {
  name: string;
  namespace?: string;
}

export interface AirbyteStream {
  name: string;
  json_schema: Record<string, unknown>;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  namespace?: string;
  is_resumable?: boolean;
}

export interface AirbyteCatalog {
  streams: AirbyteStream[];
}

/** The fields after primary_key are what the platform adds today (generations, files, mappers); a source reads none of them but must accept them. */
export interface ConfiguredAirbyteStream {
  stream: AirbyteStream;
  sync_mode: SyncMode;
  destination_sync_mode: DestinationSyncMode | string;
  cursor_field?: string[];
  primary_key?: string[][];
  generation_id?: number;
  minimum_generation_id?: number;
  sync_id?: number;
  include_files?: boolean;
  destination_object_name?: string;
}

export interface ConfiguredAirbyteCatalog {
  streams: ConfiguredAirbyteStream[];
}

export interface ConnectorSpecification {
  documentationUrl?: string;
  connectionSpecification: Record<string, unknown>;
  supportsIncremental?: boolean;
  protocol_version?: string;
}

export interface AirbyteStreamState {
  stream_descriptor: StreamDescriptor;
  stream_state?: Record<string, unknown> | null;
}

/** What this connector emits: always per-stream STATE with the record count since that stream's previous STATE. */
export interface AirbyteStateMessage {
  type: 'STREAM';
  stream: AirbyteStreamState;
  sourceStats: { recordCount: number };
}

export interface RateLimitedReason {
  type: 'RATE_LIMITED';
  rate_limited?: { quota_reset?: number };
}

export type AirbyteTrace =
  | {
      type: 'ERROR';
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        stack_trace?: string;
        failure_type: FailureType;
        stream_descriptor?: StreamDescriptor;
      };
    }
  | {
      type: 'STREAM_STATUS';
      emitted_at: number;
      stream_status: { stream_descriptor: StreamDescriptor; status: StreamStatus; reasons?: RateLimitedReason[] };
    }
  | {
      type: 'ESTIMATE';
      emitted_at: number;
      estimate: { name: string; type: 'STREAM' | 'SYNC'; namespace?: string; row_estimate: number; byte_estimate: number };
    };

export type AirbyteMessage =
  | { type: 'RECORD'; record: { stream: string; data: Record<string, unknown>; emitted_at: number; namespace?: string } }
  | { type: 'STATE'; state: AirbyteStateMessage }
  | { type: 'LOG'; log: { level: LogLevel; message: string; stack_trace?: string } }
  | { type: 'SPEC'; spec: ConnectorSpecification }
  | { type: 'CONNECTION_STATUS'; connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message?: string } }
  | { type: 'CATALOG'; catalog: AirbyteCatalog }
  | { type: 'TRACE'; trace: AirbyteTrace }
  /** The platform replaces the stored connector config with `config` (it does not merge). */
  | { type: 'CONTROL'; control: { type: 'CONNECTOR_CONFIG'; emitted_at: number; connectorConfig: { config: Record<string, unknown> } } };
