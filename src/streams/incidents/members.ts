/**
 * The tables the incident passes serve in one sync, and where each one starts: its saved position
 * (a full refresh starts over unless it resumes an unfinished attempt), the ids it already emitted
 * at its cursor, and the counters behind its estimates.
 */
import { startingPosition, type StreamRequest } from '../../airbyte/stream.js';
import type { Micros } from '../../ironscales/timestamps.js';
import type { IncidentPosition } from './position.js';
import type { IncidentTable } from './table.js';

export interface IncidentReaderSettings {
  companyId: number;
  /** The configured start_date; without it, a table without state starts `defaultStartDays` ago. */
  startDate?: Micros;
  defaultStartDays: number;
  lookbackMinutes: number;
  recordsPerCheckpoint: number;
  maxRetryMs: number;
}

/** One requested table and where it stands in this sync. */
export interface Member {
  table: IncidentTable;
  full: boolean;
  position: IncidentPosition;
  createdFrom: Micros;
  /** The saved cursor, and the ids at that instant it already emitted. */
  skipAt?: Micros;
  skip: Set<number>;
  /** Start of its updates window (incremental with a cursor only). */
  updatesFrom?: Micros;
  rowsEmitted: number;
  incidentsSeen: number;
  /** Incidents listed for it so far (the basis of its estimate). */
  listed: number;
}

export function planMember(request: StreamRequest<IncidentPosition>, table: IncidentTable): Member {
  const started = startingPosition(request, () => ({ idsAtCursor: [], detailsPending: [], fullRefreshComplete: false }));
  // Only a table that needs details keeps the incidents still waiting for them.
  const position: IncidentPosition = { ...started, detailsPending: table.needsDetails ? started.detailsPending : [] };
  return {
    table,
    full: request.syncMode === 'full_refresh',
    position,
    createdFrom: 0, // set once IRONSCALES' time is known
    skipAt: position.cursor,
    skip: new Set(position.cursor !== undefined ? position.idsAtCursor : []),
    rowsEmitted: 0,
    incidentsSeen: 0,
    listed: 0,
  };
}
