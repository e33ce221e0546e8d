/**
 * The saved position of a stream read by time windows (the incident tables, the scanback incidents,
 * the escalated e-mails): a cursor in microseconds, inclusive, and the ids already emitted at
 * exactly that instant, skipped the next time. A slice holds every item of an instant, so the ids
 * at the cursor are complete; an item that shows up late at that very microsecond is still read.
 *
 * States are read strictly: an unknown key or a malformed value is a config error that names it
 * and says how to reset, because guessing would silently skip or re-read everything.
 */
import { invalidStreamState, type StreamState } from '../airbyte/state.js';
import { formatTimestamp, parseTimestamp, type Micros } from '../ironscales/timestamps.js';

export interface TimeCursor {
  cursor?: Micros;
  idsAtCursor: number[];
  /** Set by a full refresh that finished: the next full refresh starts over (one that did not finish resumes). */
  fullRefreshComplete: boolean;
}

/** The readers of a saved state's values, once its keys are known to be `keys` only. */
export function stateReader(stream: string, raw: StreamState, keys: readonly string[]) {
  const unknown = Object.keys(raw).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw invalidStreamState(stream, `it has the key(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; this connector writes only ${keys.join(', ')}`);
  }
  const absent = (key: string) => raw[key] === undefined || raw[key] === null;
  return {
    time(key: string): Micros | undefined {
      const value = raw[key];
      if (absent(key)) return undefined;
      if (typeof value === 'string') {
        try {
          return parseTimestamp(value);
        } catch {
          // fall through to the error below
        }
      }
      throw invalidStreamState(stream, `${key} is ${JSON.stringify(value)}, not an ISO-8601 timestamp`);
    },
    ids(key: string, noun = 'incident ids'): number[] {
      const value = raw[key];
      if (absent(key)) return [];
      if (!Array.isArray(value) || !value.every((id) => Number.isSafeInteger(id))) throw invalidStreamState(stream, `${key} must be a list of ${noun}`);
      return value as number[];
    },
    /** A position that is a non-negative integer (an id, a feed position). */
    position(key: string): number | undefined {
      const value = raw[key];
      if (absent(key)) return undefined;
      if (!Number.isSafeInteger(value) || (value as number) < 0) throw invalidStreamState(stream, `${key} is ${JSON.stringify(value)}, not a non-negative integer`);
      return value as number;
    },
    flag(key: string): boolean {
      const value = raw[key];
      if (value !== undefined && typeof value !== 'boolean') throw invalidStreamState(stream, `${key} must be true or false`);
      return value === true;
    },
  };
}

/** The common part of a time-cursor state, under the stream's own name for its cursor. */
export function readTimeCursor(stream: string, raw: StreamState, cursorKey: string, reader: ReturnType<typeof stateReader>, noun?: string): TimeCursor {
  const position: TimeCursor = { cursor: reader.time(cursorKey), idsAtCursor: reader.ids('ids_at_cursor', noun), fullRefreshComplete: reader.flag('full_refresh_complete') };
  if (position.cursor === undefined && position.idsAtCursor.length > 0) throw invalidStreamState(stream, `ids_at_cursor is set without ${cursorKey}`);
  return position;
}

export function formatTimeCursor(position: TimeCursor, cursorKey: string): StreamState {
  const state: StreamState = {};
  if (position.cursor !== undefined) state[cursorKey] = formatTimestamp(position.cursor);
  if (position.idsAtCursor.length > 0) state.ids_at_cursor = [...position.idsAtCursor].sort((a, b) => a - b);
  if (position.fullRefreshComplete) state.full_refresh_complete = true;
  return state;
}

/** After a complete slice: the cursor is its latest time, with every id at that instant. */
export function advanceTimeCursor(position: TimeCursor, items: ReadonlyArray<{ time: Micros; id: number }>): void {
  let latest: Micros | undefined;
  for (const { time } of items) if (latest === undefined || time > latest) latest = time;
  if (latest === undefined || (position.cursor !== undefined && latest < position.cursor)) return;
  const atLatest = items.filter((i) => i.time === latest).map((i) => i.id);
  if (latest === position.cursor) {
    position.idsAtCursor = [...new Set([...position.idsAtCursor, ...atLatest])];
  } else {
    position.cursor = latest;
    position.idsAtCursor = atLatest;
  }
}
