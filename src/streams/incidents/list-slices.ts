/**
 * The incident list as windows of slices (paged-windows.ts does the reading and the checks):
 * a window of first reports (the created pass) or of last updates (the updates pass, which may
 * also bound first reports).
 *
 * Pages are requested in incidentID order (see IronscalesClient.listIncidents): ids are unique and
 * new incidents get higher ids, so they land on the last page instead of shifting earlier ones.
 */
import type { IncidentListItem, IronscalesClient, ListQuery } from '../../ironscales/client.js';
import { formatTimestamp, parseTimestamp, type Micros } from '../../ironscales/timestamps.js';
import { windowSlices, type TimeWindow, type WindowedList } from '../paged-windows.js';

export interface ListSlice {
  start: Micros;
  end: Micros;
  /** Each incident once, with its parsed `created` time. */
  items: SliceItem[];
}

export interface SliceItem {
  item: IncidentListItem;
  created: Micros;
}

export interface SliceOptions {
  /** Which time the window bounds: first report (created) or last update. */
  filter: 'created' | 'lastUpdate';
  start: Micros;
  /** Inclusive. */
  end: Micros;
  /** A fixed bound on the other time (the updates pass limits first reports). */
  created?: { start?: Micros; end: Micros };
  maxPerSlice: number;
  /** Called once with the whole window's incident count (from its first page). */
  onWindowTotal?(total: number): void | Promise<void>;
  onWarning?(message: string): void | Promise<void>;
}

export async function* listSlices(client: IronscalesClient, options: SliceOptions): AsyncGenerator<ListSlice> {
  const list: WindowedList<SliceItem> = {
    fetch: async (window, page) => {
      const answer = await client.listIncidents(query(options, window, page));
      return answer && { total_count: answer.total_count, total_pages: answer.total_pages, items: answer.incidents.map((item) => ({ item, created: parseTimestamp(item.created) })) };
    },
    idOf: (s) => s.item.incidentID,
    // List entries carry their first report, not their last update: only a created window can be cut client-side.
    timeOf: options.filter === 'created' ? (s) => s.created : undefined,
    describe: (window) => `${options.filter === 'created' ? 'first reports' : 'updates'} ${formatTimestamp(window.start)}..${formatTimestamp(window.end)}`,
  };
  yield* windowSlices(list, options);
}

function query(options: SliceOptions, window: TimeWindow, page: number): ListQuery {
  // The API's bounds are inclusive; a half-open part is cut client-side (timeOf).
  const bounds = { start: window.start, end: window.end };
  return options.filter === 'created'
    ? { page, created: bounds }
    : { page, lastUpdate: bounds, ...(options.created ? { created: { start: options.created.start ?? 0, end: options.created.end } } : {}) };
}
