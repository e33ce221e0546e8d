/**
 * A stream read from one paged, time-filtered IRONSCALES list by windows of its time axis (the
 * scanback incidents by `created`, the escalated e-mails by `arrival_date`), with the incidents'
 * guarantees: the window ends at IRONSCALES' own time (never this machine's), it is read as
 * complete slices only (paged-windows.ts: a slice's distinct items reach the total IRONSCALES
 * announced, or it is read again, split, or the sync fails), the state is checkpointed after every
 * slice, the cursor (inclusive, microseconds) never moves past an item not seen, and the ids
 * already emitted at the cursor are skipped.
 *
 * A stream may re-read a span before its cursor (`reread`), for items that show up in the API
 * after a sync has read past their time; it decides which of those are new.
 */
import type { StreamState } from '../airbyte/state.js';
import { singleStream, startingPosition, type ReadEvent, type ReadSession, type StreamDefinition, type StreamRequest } from '../airbyte/stream.js';
import type { IronscalesClient } from '../ironscales/client.js';
import type { Micros } from '../ironscales/timestamps.js';
import { windowSlices, type WindowedList } from './paged-windows.js';
import { advanceTimeCursor, type TimeCursor } from './time-cursor.js';

export interface WindowedStreamSettings {
  /** The configured start_date; without it, a stream without state starts `defaultStartDays` before IRONSCALES' now. */
  startDate?: Micros;
  defaultStartDays: number;
  recordsPerCheckpoint: number;
}

export interface WindowedStreamSpec<T, P extends TimeCursor> {
  definition: StreamDefinition & { cursorField: string[] };
  parseState(raw: StreamState): P;
  formatState(position: P): StreamState;
  /** The position of a stream that has read nothing yet. */
  initial(): P;
  /** The list, read for windows of its time axis (the API's bounds are inclusive); its items carry that time. */
  list(api: IronscalesClient): WindowedList<T> & { timeOf(item: T): Micros };
  record(item: T): Record<string, unknown>;
  /** Items per slice (between two checkpoints). */
  maxPerSlice(settings: WindowedStreamSettings): number;
  /** Items of a window read whole (page by page) and cut into slices in hand: a few pages' worth. */
  holdInHand: number;
  reread?: {
    /** How far before the saved cursor an incremental read starts. */
    spanUs: Micros;
    /** Whether an item before the saved cursor is new (its position as the sync found it). */
    isNew(item: T, saved: P): boolean;
    /** After each slice: `complete` once every item up to the saved cursor has been read in this sync. */
    seen(position: P, items: T[], complete: boolean): void;
  };
}

/** Windows end this far behind the earliest time IRONSCALES' clock can show: writes land a moment after their stamp. */
export const SERVER_TIME_MARGIN_US = 1_000_000;
const DAY_US = 86_400_000_000;

export function windowedStream<T, P extends TimeCursor>(spec: WindowedStreamSpec<T, P>, client: (session: ReadSession) => IronscalesClient, settings: WindowedStreamSettings) {
  return singleStream<P>({
    definition: spec.definition,
    parseState: (raw) => spec.parseState(raw),
    read: (request, session) => readWindows(spec, client(session), session, settings, request),
  });
}

async function* readWindows<T, P extends TimeCursor>(
  spec: WindowedStreamSpec<T, P>,
  api: IronscalesClient,
  session: ReadSession,
  settings: WindowedStreamSettings,
  request: StreamRequest<P>,
): AsyncGenerator<ReadEvent> {
  const stream = spec.definition.name;
  const list = spec.list(api);
  const end = (await api.serverNowAtLeastConfirmed()) - SERVER_TIME_MARGIN_US;
  const full = request.syncMode === 'full_refresh';
  const position = startingPosition(request, () => spec.initial());
  const before = structuredClone(position);
  const skip = new Set(before.idsAtCursor);
  const startDate = settings.startDate ?? api.serverNow() - settings.defaultStartDays * DAY_US;
  // A saved cursor always wins over the default start; only an explicit start_date bounds it.
  const from = before.cursor === undefined ? startDate : Math.max(settings.startDate ?? -Infinity, before.cursor - (spec.reread?.spanUs ?? 0));
  const due = (item: T): boolean => {
    const time = list.timeOf(item);
    if (before.cursor === undefined || time > before.cursor) return true;
    if (time === before.cursor) return !skip.has(list.idOf(item));
    return spec.reread?.isNew(item, before) ?? false;
  };

  let total: number | undefined;
  let read = 0;
  let emitted = 0;
  let estimated: number | undefined;
  const slices = windowSlices(list, {
    start: from,
    end,
    maxPerSlice: spec.maxPerSlice(settings),
    // A window of a few pages costs those pages, however many slices it checkpoints in.
    holdInHand: spec.holdInHand,
    onWindowTotal: (n) => void (total = n),
    onWarning: (message) => session.out.warn(`${stream}: ${message}`),
  });
  for await (const slice of slices) {
    if (estimated === undefined && total !== undefined) {
      estimated = total;
      yield { type: 'estimate', stream, rows: total };
    }
    const items = [...slice.items].sort((a, b) => list.timeOf(a) - list.timeOf(b) || list.idOf(a) - list.idOf(b));
    for (const item of items) {
      if (!due(item)) continue;
      emitted += 1;
      yield { type: 'record', stream, data: spec.record(item) };
    }
    read += items.length;
    advanceTimeCursor(position, items.map((item) => ({ time: list.timeOf(item), id: list.idOf(item) })));
    spec.reread?.seen(position, items, before.cursor === undefined || slice.end >= before.cursor);
    yield { type: 'checkpoint', stream, state: spec.formatState(position) };
    // The window's total counts what a re-read skips: the estimate narrows as slices are read.
    const rows = emitted + Math.max(0, (total ?? 0) - read);
    if (rows !== estimated) {
      estimated = rows;
      yield { type: 'estimate', stream, rows };
    }
  }
  if (full) position.fullRefreshComplete = true;
  yield { type: 'checkpoint', stream, state: spec.formatState(position) };
}
