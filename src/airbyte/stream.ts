/**
 * The stream contract. A stream is declared by its properties (name, schema, primary key, cursor);
 * reading it is an async generator of records, checkpoints and estimates. Everything else — stream
 * statuses, record counts per STATE, byte estimates, per-stream failures — belongs to the read loop
 * (read-loop.ts), so a stream never writes protocol messages itself.
 *
 * One pass over an API can feed several tables (the same response read once, emitted as two
 * streams), so the unit that reads is a StreamReader serving one or more streams; a plain stream
 * is a reader of one (see singleStream).
 */
import { withAdditionalFields } from './fields.js';
import type { MessageWriter } from './output.js';
import type { AirbyteStream, SyncMode } from './protocol.js';
import type { StreamState } from './state.js';

export interface StreamDefinition {
  name: string;
  jsonSchema: Record<string, unknown>;
  primaryKey: string[][];
  /** The source-defined cursor; absent for a stream that only supports full refresh. */
  cursorField?: string[];
  /**
   * Whether a full refresh resumes from the state it is given. The platform passes a failed
   * attempt's last state to the next attempt of the same job (AttemptHandler) for such streams.
   */
  resumable: boolean;
  /** A measured typical record size in bytes: the byte estimate before any record is out. */
  typicalRecordBytes: number;
}

/** The catalog entry `discover` prints, built the same way for every stream; its schema declares additional_fields (fields.ts). */
export function catalogEntry(definition: StreamDefinition): AirbyteStream {
  const incremental = definition.cursorField !== undefined;
  return {
    name: definition.name,
    json_schema: withAdditionalFields(definition.jsonSchema),
    supported_sync_modes: incremental ? ['full_refresh', 'incremental'] : ['full_refresh'],
    source_defined_cursor: incremental,
    ...(incremental ? { default_cursor_field: definition.cursorField } : {}),
    source_defined_primary_key: definition.primaryKey,
    is_resumable: definition.resumable,
  };
}

export type ReadEvent =
  | { type: 'record'; stream: string; data: Record<string, unknown> }
  /** The stream's position after everything emitted so far: the platform saves it as is. */
  | { type: 'checkpoint'; stream: string; state: StreamState }
  /** How many records this stream expects to emit in this sync, all told. */
  | { type: 'estimate'; stream: string; rows: number }
  /** This stream cannot go on; the reader goes on with its other streams. */
  | { type: 'failed'; stream: string; error: unknown };

/** A configured stream as a source may want to know it before a read starts (Source.prepareRead). */
export interface PlannedStream {
  name: string;
  syncMode: SyncMode;
  /** Whether the stream has a cursor (reads a history forward) rather than taking snapshots. */
  hasCursor: boolean;
  /**
   * The configured stream's generation_id: 0 until the platform first bumps it (a full refresh's
   * first attempt of every sync, a Refresh, a Clear; AttemptHandler.updateGenerationAndStateForFirstAttempt);
   * absent on platforms without generations.
   */
  generationId?: number;
  /** Whether the platform handed the stream a saved state (null or {} is none). */
  hasState: boolean;
}

export interface StreamRequest<S> {
  definition: StreamDefinition;
  syncMode: SyncMode;
  /** The stream's parsed saved state (see StreamReader.parseState); undefined when there is none. */
  state: S | undefined;
}

/**
 * Where a read starts: the saved position, except that a full refresh that finished starts over.
 * A full refresh given the state of an attempt that did not finish resumes from it (the platform
 * passes a failed attempt's state to the next attempt for resumable streams, where it enables
 * them: AttemptHandler.updateGenerationAndStateForSubsequentAttempts).
 */
export function startingPosition<S extends { fullRefreshComplete: boolean }>(request: StreamRequest<S>, initial: () => S): S {
  const saved = request.state;
  if (saved === undefined || (request.syncMode === 'full_refresh' && saved.fullRefreshComplete)) return initial();
  return { ...saved, fullRefreshComplete: false };
}

/** What a reader may do beyond yielding: log, and say the API made it wait. */
export interface ReadSession {
  readonly out: MessageWriter;
  /** Reports a rate-limit wait on the streams being read (a RUNNING status with a RATE_LIMITED reason). */
  rateLimited(quotaResetEpochMs: number): Promise<void>;
}

export interface StreamReader<S = unknown> {
  readonly streams: readonly StreamDefinition[];
  /**
   * Validates one stream's saved state before any API call, and returns its parsed form. Throws a
   * config error (invalidStreamState) that names what was found and how to reset.
   */
  parseState(stream: string, raw: StreamState): S;
  /** Reads the requested streams (a non-empty subset of `streams`, in catalog order). */
  read(requests: Array<StreamRequest<S>>, session: ReadSession): AsyncGenerator<ReadEvent>;
}

/** A reader for a stream that shares its pass with no other. */
export function singleStream<S>(stream: {
  definition: StreamDefinition;
  parseState(raw: StreamState): S;
  read(request: StreamRequest<S>, session: ReadSession): AsyncGenerator<ReadEvent>;
}): StreamReader<S> {
  return {
    streams: [stream.definition],
    parseState: (_name, raw) => stream.parseState(raw),
    read: (requests, session) => stream.read(requests[0] as StreamRequest<S>, session),
  };
}
