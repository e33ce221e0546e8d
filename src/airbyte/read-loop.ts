/**
 * The generic read loop: reads every configured stream in catalog order and owns what the
 * platform checks of a read (airbyte-platform's container orchestrator, cited beside each rule):
 * - statuses per stream: STARTED, RUNNING at its first output, then COMPLETE or INCOMPLETE
 *   (StreamStatusCompletionTracker: a COMPLETE must name a configured stream);
 * - STATE per stream with sourceStats.recordCount = that stream's records since its previous
 *   STATE (ParallelStreamStatsTracker holds the count against what it saw);
 * - ESTIMATE per stream, always with rows and bytes (StatsTracker.trackEstimates), never SYNC;
 * - like the Airbyte CDK's AbstractSource.read, one stream's failure marks it INCOMPLETE with its
 *   own TRACE ERROR at once, the other streams still run, and the sync fails at the end with one
 *   deciding TRACE ERROR that names every failed stream (see decidingError).
 * Streams' saved states are all validated before the first API call.
 */
import { AirbyteTracedError, configError, WHAT_AIRBYTE_DOES } from './errors.js';
import { collectUndeclared, declaredFields } from './fields.js';
import type { MessageWriter } from './output.js';
import type { ConfiguredAirbyteCatalog, FailureType, StreamDescriptor } from './protocol.js';
import { parseInputState, StreamCheckpointer } from './state.js';
import type { PlannedStream, ReadEvent, ReadSession, StreamDefinition, StreamReader, StreamRequest } from './stream.js';

export interface ReadOptions {
  /** Turns an unexpected error into the traced error Airbyte should see. */
  toTracedError(err: unknown): AirbyteTracedError;
}

interface StreamProgress {
  descriptor: StreamDescriptor;
  /** The top-level fields the stream's schema declares: any other goes into additional_fields. */
  declared: ReadonlySet<string>;
  checkpointer: StreamCheckpointer;
  running: boolean;
  records: number;
  bytes: number;
  typicalRecordBytes: number;
}

/** A read checked and planned before any API call: which reader reads which streams, and what a source may want to know first. */
export interface ReadPlan {
  groups: Array<{ reader: StreamReader; requests: Array<StreamRequest<unknown>> }>;
  /** The configured streams in catalog order (see Source.prepareRead). */
  streams: PlannedStream[];
}

export async function readStreams(plan: ReadPlan, out: MessageWriter, options: ReadOptions): Promise<void> {
  const { groups } = plan;
  if (groups.length === 0) {
    await out.info('The configured catalog selects no stream: nothing to read.');
    return;
  }
  const failures: StreamFailure[] = [];
  for (const { reader, requests } of groups) {
    const progress = new Map<string, StreamProgress>(
      requests.map(({ definition }) => [
        definition.name,
        {
          descriptor: { name: definition.name },
          declared: declaredFields(definition.jsonSchema),
          checkpointer: new StreamCheckpointer(out, { name: definition.name }),
          running: false,
          records: 0,
          bytes: 0,
          typicalRecordBytes: definition.typicalRecordBytes,
        },
      ]),
    );
    for (const p of progress.values()) await out.streamStatus(p.descriptor, 'STARTED');
    const session: ReadSession = {
      out,
      rateLimited: async (quotaReset) => {
        for (const p of progress.values()) {
          await out.streamStatus(p.descriptor, 'RUNNING', [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: quotaReset } }]);
        }
      },
    };
    const fail = async (p: StreamProgress, err: unknown) => {
      const error = options.toTracedError(err);
      progress.delete(p.descriptor.name);
      await out.streamStatus(p.descriptor, 'INCOMPLETE');
      // At once, as the CDK's AbstractSource.read does: a process killed later still leaves it.
      const stack = error.failureType === 'config_error' ? undefined : error.stack;
      const emittedAt = await out.error(error.message, error.failureType, { internal: error.internalMessage, stack, stream: p.descriptor });
      failures.push({ stream: p.descriptor, error, emittedAt });
    };
    try {
      for await (const event of reader.read(requests, session)) {
        const p = progress.get(event.stream);
        if (event.type === 'failed' && p) await fail(p, event.error);
        else await handle(event, progress, out);
      }
      for (const p of progress.values()) {
        await out.streamStatus(p.descriptor, 'COMPLETE');
        await out.info(`${p.descriptor.name}: ${p.records} records.`);
      }
    } catch (err) {
      // The reader stopped: every stream it had not finished is incomplete, each with its own TRACE ERROR.
      for (const p of [...progress.values()]) await fail(p, err);
    }
  }
  if (failures.length === 0) return;
  const deciding = decidingError(failures, groups.reduce((n, g) => n + g.requests.length, 0));
  // The platform sorts a sync's trace failures by emitted_at (AirbyteMessageTracker.errorTraceMessageFailure:
  // sortedBy, stable; ReplicationWorkerHelper.getFailureReasons puts them first) and decides the retry by the
  // first one only (ConnectionManagerWorkflowImpl.reportFailure: failures.first().failureType). Printed last
  // so that it can name every failed stream, the deciding error is stamped just before the earliest stream
  // error so that it comes first. (The CDK's final error is a later config_error: there the first stream's
  // error decides, and a config error there hides a transient one that follows.)
  const earliest = Math.min(...failures.map((f) => f.emittedAt));
  await out.error(deciding.message, deciding.failureType, { emittedAt: earliest - 1 });
  throw Object.assign(deciding, { reported: true });
}

interface StreamFailure {
  stream: StreamDescriptor;
  error: AirbyteTracedError;
  emittedAt: number;
}

async function handle(event: ReadEvent, progress: Map<string, StreamProgress>, out: MessageWriter): Promise<void> {
  const p = progress.get(event.stream);
  if (!p) throw new Error(`A reader emitted ${event.type} for stream "${event.stream}", which it was not asked to read.`);
  if (!p.running) {
    p.running = true;
    await out.streamStatus(p.descriptor, 'RUNNING');
  }
  if (event.type === 'record') {
    // The platform fails a sync on record data that is not an object (FieldSelector.filterSelectedFields).
    if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
      throw new AirbyteTracedError(`Stream ${event.stream} produced a record that is not a JSON object. Please report it with the connector logs.`, 'system_error');
    }
    p.bytes += await out.record(event.stream, collectUndeclared(event.data, p.declared));
    p.records += 1;
    p.checkpointer.recordEmitted();
  } else if (event.type === 'checkpoint') {
    await p.checkpointer.checkpoint(event.state);
  } else if (event.type === 'estimate') {
    // Bytes from what this stream has emitted so far; before its first record, its measured typical size.
    const perRecord = p.records > 0 ? p.bytes / p.records : p.typicalRecordBytes;
    await out.estimate(p.descriptor, event.rows, event.rows * perRecord);
  }
}

/** Which reader reads which configured streams, in catalog order; every check before any API call. */
export function planRead(readers: readonly StreamReader[], catalog: ConfiguredAirbyteCatalog, rawState: unknown): ReadPlan {
  const byName = new Map<string, { reader: StreamReader; definition: StreamDefinition }>();
  for (const reader of readers) for (const definition of reader.streams) byName.set(definition.name, { reader, definition });
  const offered = [...byName.keys()];
  const saved = parseInputState(rawState, offered);
  const groups: ReadPlan['groups'] = [];
  const streams: PlannedStream[] = [];
  const seen = new Set<string>();
  for (const configured of catalog.streams) {
    const name = configured.stream.name;
    const found = byName.get(name);
    if (!found) {
      throw configError(`The configured catalog asks for stream "${name}", which this connector does not offer (it offers ${offered.join(', ')}). Refresh the source schema in Airbyte.`);
    }
    if (seen.has(name)) throw configError(`The configured catalog lists stream "${name}" twice. Refresh the source schema in Airbyte.`);
    seen.add(name);
    if (configured.sync_mode === 'incremental' && found.definition.cursorField === undefined) {
      throw configError(`Stream "${name}" supports only full refresh, but the catalog asks for incremental. Change its sync mode in the connection.`);
    }
    const raw = saved.get(name);
    streams.push({
      name,
      syncMode: configured.sync_mode,
      hasCursor: found.definition.cursorField !== undefined,
      ...(typeof configured.generation_id === 'number' ? { generationId: configured.generation_id } : {}),
      hasState: raw !== null && raw !== undefined && Object.keys(raw).length > 0,
    });
    const request: StreamRequest<unknown> = {
      definition: found.definition,
      syncMode: configured.sync_mode,
      state: raw ? found.reader.parseState(name, raw) : undefined,
    };
    const group = groups.find((g) => g.reader === found.reader);
    if (group) group.requests.push(request);
    else groups.push({ reader: found.reader, requests: [request] });
  }
  return { groups, streams };
}

/**
 * The sync's deciding error: transient if any stream failed transiently (a retry may cure it),
 * else system if any did, else config; every failed stream named; what Airbyte does next said once.
 */
function decidingError(failures: StreamFailure[], total: number): AirbyteTracedError {
  const rank: Record<FailureType, number> = { transient_error: 0, system_error: 1, config_error: 2 };
  const type = failures.map((f) => f.error.failureType).sort((a, b) => rank[a] - rank[b])[0] as FailureType;
  const what =
    failures.length === 1
      ? `Stream ${failures[0]!.stream.name} did not sync: ${failures[0]!.error.message}`
      : `${failures.length} of ${total} streams did not sync: ${failures.map((f) => `${f.stream.name} (${f.error.message})`).join('; ')}`;
  return new AirbyteTracedError(`${what.replace(/\.?$/, '.')} ${WHAT_AIRBYTE_DOES[type]}`, type);
}
