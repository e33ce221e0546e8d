/**
 * State in and out. In: every shape the platform hands back (see parseInputState). Out: per-stream
 * (STREAM) state, where every STATE carries sourceStats.recordCount = records of that stream since
 * its previous STATE (ParallelStreamStatsTracker holds the count against what it saw).
 */
import { configError } from './errors.js';
import type { MessageWriter } from './output.js';
import type { StreamDescriptor } from './protocol.js';

export type StreamState = Record<string, unknown>;

/** Per stream: its saved state, or null where the platform reset it (a backfill or a cleared stream). */
export type InputState = Map<string, StreamState | null>;

const RESET_HELP =
  "In Airbyte, open the connection's Settings and use 'Clear data' (or 'Reset') for the affected stream, or fix the state file, then sync again.";

/**
 * Reads the `--state` file in every shape the platform can pass (StateMessageHelper in
 * airbyte-platform's airbyte-commons-protocol; AttemptHandler.updateGenerationAndStateForSubsequentAttempts):
 * - a list of STREAM messages (what this connector emits; `stream_state: null` = reset);
 * - a GLOBAL message, whose `global.stream_states[]` carry each stream's state;
 * - older connections: a LEGACY object (the raw `data`: stream name → state), or a list with a typed
 *   `{type: "LEGACY", data}` entry (or an untyped entry holding only `data`).
 * Anything that cannot be read as a stream's state is refused with what was found and how to reset.
 * `streams` names this connector's streams: legacy data must name at least one of them.
 */
export function parseInputState(raw: unknown, streams: readonly string[]): InputState {
  const states: InputState = new Map();
  if (raw === null || raw === undefined) return states;
  if (!Array.isArray(raw)) {
    if (typeof raw !== 'object') throw invalid(`the file holds ${describe(raw)}, not a list of STATE messages`);
    // An empty object is what some tools pass for "no state".
    if (Object.keys(raw).length > 0) readLegacy(raw as Record<string, unknown>, streams, states, 'a LEGACY state object');
    return states;
  }
  raw.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(`entry ${index} is ${describe(entry)}, not a STATE message`);
    const message = entry as Record<string, unknown>;
    const type = message.type ?? (message.data !== undefined ? 'LEGACY' : undefined);
    if (type === 'STREAM') readStreamEntry(message.stream, `entry ${index}`, states);
    else if (type === 'GLOBAL') readGlobal(message.global, index, streams, states);
    else if (type === 'LEGACY') readLegacy(message.data, streams, states, `entry ${index} (LEGACY)`);
    else throw invalid(`entry ${index} has type ${JSON.stringify(type ?? null)}; expected STREAM, GLOBAL or LEGACY`);
  });
  return states;
}

function readStreamEntry(value: unknown, where: string, states: InputState): void {
  const entry = value as { stream_descriptor?: { name?: unknown }; stream_state?: unknown } | undefined;
  const name = entry?.stream_descriptor?.name;
  if (typeof name !== 'string' || name === '') throw invalid(`${where} has no stream_descriptor.name`);
  const streamState = entry?.stream_state;
  if (streamState === null || streamState === undefined) {
    states.set(name, null);
    return;
  }
  if (typeof streamState !== 'object' || Array.isArray(streamState)) throw invalid(`the stream_state of "${name}" in ${where} is ${describe(streamState)}, not an object`);
  states.set(name, streamState as StreamState);
}

function readGlobal(value: unknown, index: number, streams: readonly string[], states: InputState): void {
  const streamStates = (value as { stream_states?: unknown } | undefined)?.stream_states;
  if (!Array.isArray(streamStates)) throw invalid(`entry ${index} is a GLOBAL state without global.stream_states`);
  // shared_state is ignored: this connector keeps everything per stream.
  const found: InputState = new Map();
  streamStates.forEach((streamState, i) => readStreamEntry(streamState, `entry ${index} (GLOBAL stream_states[${i}])`, found));
  const names = [...found.keys()];
  if (names.length > 0 && !names.some((name) => streams.includes(name))) {
    throw invalid(`entry ${index} is a GLOBAL state for the streams ${names.map((n) => JSON.stringify(n)).join(', ')}, none of which is a stream of this connector (${streams.join(', ')})`);
  }
  for (const [name, state] of found) states.set(name, state);
}

function readLegacy(data: unknown, streams: readonly string[], states: InputState, where: string): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid(`${where} holds ${describe(data)}, not an object of stream states`);
  const keys = Object.keys(data);
  if (keys.length === 0) return;
  const known = keys.filter((key) => streams.includes(key));
  if (known.length === 0) {
    throw invalid(`${where} has the keys ${keys.map((k) => JSON.stringify(k)).join(', ')}, none of which names a stream of this connector (${streams.join(', ')})`);
  }
  for (const name of known) {
    const streamState = (data as Record<string, unknown>)[name];
    if (streamState === null || streamState === undefined) states.set(name, null);
    else if (typeof streamState === 'object' && !Array.isArray(streamState)) states.set(name, streamState as StreamState);
    else throw invalid(`the state of "${name}" in ${where} is ${describe(streamState)}, not an object`);
  }
}

function invalid(what: string) {
  return configError(`The saved state cannot be read: ${what}. ${RESET_HELP}`);
}

/** Where a stream's own state parser found a problem: the message names the stream and the fix. */
export function invalidStreamState(stream: string, what: string) {
  return configError(`The saved state of ${stream} cannot be read: ${what}. ${RESET_HELP}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`.slice(0, 80);
}

/** Counts a stream's records and emits its STATE messages, never two identical ones in a row. */
export class StreamCheckpointer {
  private recordsSinceState = 0;
  private lastEmitted: string | undefined;

  constructor(
    private readonly out: MessageWriter,
    private readonly stream: StreamDescriptor,
  ) {}

  recordEmitted(): void {
    this.recordsSinceState += 1;
  }

  /** Emits a STATE for this stream unless nothing changed since the previous one. */
  async checkpoint(streamState: StreamState): Promise<void> {
    const serialized = JSON.stringify(streamState);
    if (serialized === this.lastEmitted && this.recordsSinceState === 0) return;
    await this.out.state({
      type: 'STREAM',
      stream: { stream_descriptor: this.stream, stream_state: streamState },
      sourceStats: { recordCount: this.recordsSinceState },
    });
    this.lastEmitted = serialized;
    this.recordsSinceState = 0;
  }
}
