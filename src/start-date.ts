/**
 * Where the incident history starts, and why it is written into the config. Without `start_date`,
 * a stream without state starts 90 days before IRONSCALES' now. A Refresh or a Clear deletes a
 * stream's state (airbyte-platform AttemptHandler.updateGenerationAndStateForFirstAttempt), and a
 * truncate Refresh or a Clear makes the destination drop what the stream held before
 * (CatalogGenerationSetter: minimum_generation_id = generation_id): with a moving default, one
 * Refresh would cut the destination's history to the last 90 days, for good. So the first read
 * without `start_date` pins one (the source sends the config back with it; see Source.prepareRead):
 * - a fresh connection gets the documented default, IRONSCALES' now − 90 days;
 * - otherwise (a connection that synced with an older version, or a stream refreshed or cleared
 *   before any pin) nobody knows how far back the destination's history goes: it gets
 *   EARLIEST_START, which cannot narrow it.
 */
import type { PlannedStream } from './airbyte/stream.js';
import { formatTimestamp, type Micros } from './ironscales/timestamps.js';
import { DEFAULT_START_DAYS_AGO } from './spec.js';

/**
 * Before any IRONSCALES incident (IRONSCALES was founded in 2013), so a pin here holds every
 * incident a destination could have. A Refresh from it reads the whole history once; a saved
 * cursor is never moved by it.
 */
export const EARLIEST_START = '2010-01-01T00:00:00Z';

const DAY_US = 86_400_000_000;

export type Pin = 'default' | 'earliest';

/**
 * Which start to pin for a read without start_date; undefined when no selected stream starts from
 * it. Only incremental streams tell whether a connection is fresh: the platform bumps a full
 * refresh's generation and deletes its state at every sync, and a full refresh re-reads its whole
 * window each time anyway. An incremental stream is fresh when it has no state and its generation
 * was never bumped (0, or absent on platforms without generations).
 */
export function startToPin(streams: readonly PlannedStream[]): Pin | undefined {
  // Every stream with a cursor reads a history from start_date; the snapshot streams (mailboxes) do not.
  const reading = streams.filter((s) => s.hasCursor);
  if (reading.length === 0) return undefined;
  const fresh = reading.filter((s) => s.syncMode === 'incremental').every((s) => !s.hasState && (s.generationId ?? 0) === 0);
  return fresh ? 'default' : 'earliest';
}

/** The pinned start in the spec's format (YYYY-MM-DDTHH:mm:ssZ), rounded down to the second (a start never moves later). */
export function pinnedStart(pin: Pin, serverNow: Micros): string {
  if (pin === 'earliest') return EARLIEST_START;
  return toSeconds(serverNow - DEFAULT_START_DAYS_AGO * DAY_US);
}

/** YYYY-MM-DDTHH:mm:ssZ, the fraction cut (rounded down). */
function toSeconds(us: Micros): string {
  return `${formatTimestamp(us).slice(0, 19)}Z`;
}

/** A start_date after IRONSCALES' now finds nothing, ever: a configuration problem, said with the field's name. */
export function futureStartProblem(startDate: string, start: Micros, serverNow: Micros): string | undefined {
  if (start <= serverNow) return undefined;
  return `Config field 'start_date' (${startDate}) lies after IRONSCALES' current time (${toSeconds(serverNow)}): no incident can be found from there. Set a past date, or leave it empty to start ${DEFAULT_START_DAYS_AGO} days back.`;
}
