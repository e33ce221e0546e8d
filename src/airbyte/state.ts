/**
 * Per-stream (STREAM) state: reading Airbyte's array form from `--state`, and checkpointing,
 * where every STATE carries sourceStats.recordCount = records of that stream since its
 * previous STATE (what the platform reconciles against the destination).
 */
import { configError } from './errors.js';
import type { MessageWriter } from './output.js';
import type { StreamDescriptor } from './protocol.js';

export type StreamState = Record<string, unknown>;

const STATE_HELP = "Reset the stream's state in Airbyte (or fix the state file) and sync again.";

/** Parses the `--state` file content into stream name → stream_state. */
export function parseInputState(raw: unknown): Map<string, StreamState> {
  const states = new Map<string, StreamState>();
  if (raw === null || raw === undefined) return states;
  // An empty object is what some tools pass for "no state".
  if (!Array.isArray(raw)) {
    if (typeof raw === 'object' && Object.keys(raw).length === 0) return states;
    throw configError(
      `The state file is not valid: expected a JSON array of per-stream STATE messages (Airbyte's STREAM state format), got ${describe(raw)}. ${STATE_HELP}`,
    );
  }
  raw.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) {
      throw configError(`The state file is not valid: entry ${index} is ${describe(entry)}, not a STATE message. ${STATE_HELP}`);
    }
    const message = entry as { type?: unknown; stream?: { stream_descriptor?: { name?: unknown }; stream_state?: unknown } };
    if (message.type !== 'STREAM') {
      throw configError(
        `The state file is not valid: entry ${index} has type ${JSON.stringify(message.type ?? 'LEGACY')}; this connector only understands per-stream STREAM state. ${STATE_HELP}`,
      );
    }
    const name = message.stream?.stream_descriptor?.name;
    if (typeof name !== 'string' || name === '') {
      throw configError(`The state file is not valid: entry ${index} has no stream_descriptor.name. ${STATE_HELP}`);
    }
    const streamState = message.stream?.stream_state;
    if (streamState === null || streamState === undefined) return; // null means "reset this stream"
    if (typeof streamState !== 'object' || Array.isArray(streamState)) {
      throw configError(`The state file is not valid: stream_state of "${name}" is ${describe(streamState)}, not an object. ${STATE_HELP}`);
    }
    states.set(name, streamState as StreamState);
  });
  return states;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Counts a stream's records and emits its STATE messages, never two identical ones in a row. */
export class StreamCheckpointer {
  private recordsSinceState = 0;
  private lastEmitted: string | undefined;
  private emittedAny = false;

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
    this.emittedAny = true;
  }

  get hasEmitted(): boolean {
    return this.emittedAny;
  }
}
