/**
 * The saved position of a stream fed by the incident passes (incidents, IOCs, mitigations each keep
 * their own copy). Read strictly: an unknown key or a malformed value is refused with a config
 * error, because guessing would silently skip or re-read everything.
 *
 *   first_reported_date  latest first report completely read (the cursor, inclusive, µs)
 *   ids_at_cursor        ids already emitted at exactly that instant: skipped without a call
 *   updated_until        end of the last updates window read, in IRONSCALES' time
 *   details_pending      ids emitted from their list entry because their own calls kept failing;
 *                        the next syncs try them again until IRONSCALES serves them
 *   full_refresh_complete  set by a full refresh that finished: the next full refresh starts over
 *                        (one that did not finish resumes from its cursor)
 */
import type { StreamState } from '../../airbyte/state.js';
import { formatTimestamp, type Micros } from '../../ironscales/timestamps.js';
import { advanceTimeCursor, readTimeCursor, stateReader, type TimeCursor } from '../time-cursor.js';
import type { SliceItem } from './list-slices.js';

export interface IncidentPosition extends TimeCursor {
  updatedUntil?: Micros;
  detailsPending: number[];
}

/**
 * Bound on details_pending, so a state never grows without limit: 10,000 ids are about 90 KB of
 * state. Reaching it means IRONSCALES has refused that many incidents' details for a long time;
 * an id that must then give way is named in a WARN (see addPending), never dropped silently.
 */
export const MAX_PENDING = 10_000;

const KEYS = ['first_reported_date', 'ids_at_cursor', 'updated_until', 'details_pending', 'full_refresh_complete'];

export function parseIncidentPosition(stream: string, raw: StreamState): IncidentPosition {
  const read = stateReader(stream, raw, KEYS);
  return {
    ...readTimeCursor(stream, raw, 'first_reported_date', read),
    updatedUntil: read.time('updated_until'),
    detailsPending: read.ids('details_pending'),
  };
}

export function formatIncidentPosition(position: IncidentPosition): StreamState {
  const state: StreamState = {};
  if (position.cursor !== undefined) state.first_reported_date = formatTimestamp(position.cursor);
  if (position.idsAtCursor.length > 0) state.ids_at_cursor = [...position.idsAtCursor].sort((a, b) => a - b);
  if (position.updatedUntil !== undefined) state.updated_until = formatTimestamp(position.updatedUntil);
  if (position.detailsPending.length > 0) state.details_pending = [...position.detailsPending];
  if (position.fullRefreshComplete) state.full_refresh_complete = true;
  return state;
}

/** After a complete created slice: the cursor is its latest first report, with the ids at that instant. */
export function advanceCursor(position: IncidentPosition, items: SliceItem[]): void {
  advanceTimeCursor(position, items.map(({ item, created }) => ({ time: created, id: item.incidentID })));
}

/**
 * Keeps an incident whose details failed, to try again next sync. Returns the id that gave way
 * when the list is full (the oldest: it was emitted from its list entry), for the caller to name.
 */
export function addPending(position: IncidentPosition, id: number): number | undefined {
  if (position.detailsPending.includes(id)) return undefined;
  position.detailsPending.push(id);
  return position.detailsPending.length > MAX_PENDING ? position.detailsPending.shift() : undefined;
}
