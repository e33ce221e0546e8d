/**
 * Turns a time window of the incident list into slices small enough to checkpoint after each
 * (about `maxPerSlice` incidents), without trusting the server's order: a slice is only complete
 * when every page of it has been read, so its incidents can be processed in any order.
 *
 * The first page of a window tells its total. A window over the limit is split into equal time
 * parts (one wasted page per split; uneven data just splits again), down to one microsecond.
 */
import type { IncidentListItem, IronscalesClient } from './client.js';
import { parseTimestamp, type Micros } from './timestamps.js';
import { mapUnordered } from '../util/concurrency.js';

export const ITEMS_PER_PAGE = 100;
const PAGE_CONCURRENCY = 4;
/** Split into parts of ~80% of the limit, so ordinary unevenness doesn't force a second split. */
const SPLIT_FILL = 0.8;

export interface ListSlice {
  start: Micros;
  end: Micros;
  /** Whether incidents exactly at `end` belong to this slice (only the window's last slice). */
  endInclusive: boolean;
  /** Each incident once, with its parsed `created` time; all inside the slice. */
  items: Array<{ item: IncidentListItem; created: Micros }>;
}

export interface SliceOptions {
  /** Which time the window filters: first report or last update. */
  filter: 'created' | 'last_update';
  start: Micros;
  end: Micros;
  maxPerSlice: number;
  /** Called once with the whole window's incident count (from its first page). */
  onWindowTotal?(total: number): void | Promise<void>;
  onWarning?(message: string): void | Promise<void>;
}

interface PendingWindow {
  start: Micros;
  end: Micros;
  endInclusive: boolean;
}

export async function* listSlices(client: IronscalesClient, options: SliceOptions): AsyncGenerator<ListSlice> {
  if (options.start > options.end) return;
  const stack: PendingWindow[] = [{ start: options.start, end: options.end, endInclusive: true }];
  let reportedTotal = false;
  while (stack.length > 0) {
    const window = stack.pop() as PendingWindow;
    const first = await fetchPage(client, options, window, 1);
    const total = first?.total_count ?? 0;
    if (!reportedTotal) {
      reportedTotal = true;
      await options.onWindowTotal?.(total);
    }
    const span = window.end - window.start;
    if (total > options.maxPerSlice && span > 1) {
      const parts = Math.min(Math.ceil(total / (options.maxPerSlice * SPLIT_FILL)), span);
      // Pushed latest-first so the earliest part is read next: state then advances in time order.
      for (let i = parts - 1; i >= 0; i--) {
        const start = window.start + Math.floor((span * i) / parts);
        const end = window.start + Math.floor((span * (i + 1)) / parts);
        stack.push({ start, end, endInclusive: i === parts - 1 ? window.endInclusive : false });
      }
      continue;
    }
    yield await readWholeWindow(client, options, window, first);
  }
}

async function fetchPage(client: IronscalesClient, options: SliceOptions, window: PendingWindow, page: number) {
  // The API's bounds are inclusive; a half-open slice is cut client-side (see inSlice).
  const range = { start: window.start, end: window.end };
  return client.listIncidents(options.filter === 'created' ? { created: range, page, itemsPerPage: ITEMS_PER_PAGE } : { lastUpdate: range, page, itemsPerPage: ITEMS_PER_PAGE });
}

async function readWholeWindow(
  client: IronscalesClient,
  options: SliceOptions,
  window: PendingWindow,
  first: Awaited<ReturnType<IronscalesClient['listIncidents']>>,
): Promise<ListSlice> {
  for (let attempt = 1; ; attempt++) {
    const firstPage = attempt === 1 ? first : await fetchPage(client, options, window, 1);
    const byId = new Map<number, IncidentListItem>();
    for (const item of firstPage?.incidents ?? []) byId.set(item.incidentID, item);
    const totalPages = firstPage?.total_pages ?? 0;
    const pages = Array.from({ length: Math.max(totalPages - 1, 0) }, (_, i) => i + 2);
    for await (const page of mapUnordered(pages, PAGE_CONCURRENCY, (p) => fetchPage(client, options, window, p))) {
      for (const item of page?.incidents ?? []) byId.set(item.incidentID, item);
    }
    // Paging by page number is only consistent while the window's content holds still; if the
    // pages did not add up to the announced total, read the window again rather than miss one.
    const expected = firstPage?.total_count ?? 0;
    if (byId.size < expected && attempt < 3) {
      await options.onWarning?.(
        `List pages for ${options.filter} window held ${byId.size} distinct incidents but announced ${expected}; reading the window again.`,
      );
      continue;
    }
    if (byId.size < expected) {
      await options.onWarning?.(`List pages still held ${byId.size} of ${expected} announced incidents after 3 readings; continuing with what was listed.`);
    }
    const items: ListSlice['items'] = [];
    for (const item of byId.values()) {
      const created = parseTimestamp(item.created);
      if (options.filter !== 'created' || inSlice(created, window)) items.push({ item, created });
    }
    return { start: window.start, end: window.end, endInclusive: window.endInclusive, items };
  }
}

function inSlice(created: Micros, window: PendingWindow): boolean {
  return created >= window.start && (created < window.end || (window.endInclusive && created === window.end));
}
