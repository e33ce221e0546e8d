/**
 * Cuts a time window of the incident list into slices small enough to checkpoint after each
 * (about `maxPerSlice` incidents). A slice is yielded only once every incident the server
 * announced for it has been listed: a window that cannot be read whole is re-read, then split,
 * and when even one microsecond cannot be read whole the sync fails (transient) rather than move
 * its state past an incident it never saw.
 *
 * Pages are requested in incidentID order (see IronscalesClient.listIncidents): ids are unique and
 * new incidents get higher ids, so they land on the last page instead of shifting earlier ones.
 * The first page tells the window's total; a window over the limit is split into equal time parts.
 */
import { transientError } from '../../airbyte/errors.js';
import type { IncidentListItem, IronscalesClient, ListQuery } from '../../ironscales/client.js';
import { formatTimestamp, parseTimestamp, type Micros } from '../../ironscales/timestamps.js';
import { mapUnordered } from '../../util/concurrency.js';

/**
 * The list documents no maximum page size; 100–500 is the range integrations use. 500 costs one
 * call per 500 incidents listed (a page of list entries is ~0.5 MB), and if IRONSCALES served
 * fewer per page, its own total_pages would still lead to every page.
 */
export const ITEMS_PER_PAGE = 500;
const PAGE_CONCURRENCY = 4;
/** Split into parts of ~80% of the limit, so ordinary unevenness doesn't force a second split. */
const SPLIT_FILL = 0.8;
/** Readings of one window whose pages don't add up before it is split (or, at 1 µs, given up). */
const READINGS_BEFORE_SPLIT = 3;

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

interface Window {
  start: Micros;
  end: Micros;
  /** Whether incidents exactly at `end` belong to this window (only the last part of a split). */
  endInclusive: boolean;
}

export async function* listSlices(client: IronscalesClient, options: SliceOptions): AsyncGenerator<ListSlice> {
  if (options.start > options.end) return;
  const stack: Window[] = [{ start: options.start, end: options.end, endInclusive: true }];
  let reportedTotal = false;
  while (stack.length > 0) {
    const window = stack.pop() as Window;
    const first = await fetchPage(client, options, window, 1);
    const total = first?.total_count ?? 0;
    if (!reportedTotal) {
      reportedTotal = true;
      await options.onWindowTotal?.(total);
    }
    const parts = total > options.maxPerSlice ? splitWindow(window, Math.ceil(total / (options.maxPerSlice * SPLIT_FILL))) : [window];
    if (parts.length === 1) {
      const slice = await readWhole(client, options, window, first);
      if (slice) {
        yield slice;
        continue;
      }
      parts.splice(0, 1, ...splitWindow(window, 2));
      if (parts.length < 2) {
        throw transientError(
          `The IRONSCALES incident list for ${describeWindow(options, window)} did not add up to its announced total after ${READINGS_BEFORE_SPLIT} readings; ` +
            'stopping rather than skipping an incident.',
        );
      }
    }
    // Pushed latest-first so the earliest part is read next: state then advances in time order.
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as Window);
  }
}

/** Equal time parts of a window (fewer when it is only a few microseconds wide). */
function splitWindow(window: Window, parts: number): Window[] {
  // The last part keeps the window's own end (and its inclusiveness); the others end before the next part starts.
  const span = window.end - window.start + (window.endInclusive ? 1 : 0);
  const count = Math.min(parts, span);
  if (count < 2) return [window];
  const out: Window[] = [];
  for (let i = 0; i < count; i++) {
    const start = window.start + Math.floor((span * i) / count);
    const last = i === count - 1;
    out.push({ start, end: last ? window.end : window.start + Math.floor((span * (i + 1)) / count), endInclusive: last && window.endInclusive });
  }
  return out;
}

function fetchPage(client: IronscalesClient, options: SliceOptions, window: Window, page: number) {
  // The API's bounds are inclusive; a half-open window is cut client-side (see inWindow).
  const bounds = { start: window.start, end: window.end };
  const query: ListQuery =
    options.filter === 'created'
      ? { page, itemsPerPage: ITEMS_PER_PAGE, created: bounds }
      : { page, itemsPerPage: ITEMS_PER_PAGE, lastUpdate: bounds, ...(options.created ? { created: { start: options.created.start ?? 0, end: options.created.end } } : {}) };
  return client.listIncidents(query);
}

/** Every page of the window, or undefined when its pages never added up to the announced total. */
async function readWhole(
  client: IronscalesClient,
  options: SliceOptions,
  window: Window,
  first: Awaited<ReturnType<IronscalesClient['listIncidents']>>,
): Promise<ListSlice | undefined> {
  for (let reading = 1; reading <= READINGS_BEFORE_SPLIT; reading++) {
    const firstPage = reading === 1 ? first : await fetchPage(client, options, window, 1);
    const byId = new Map<number, IncidentListItem>();
    for (const item of firstPage?.incidents ?? []) byId.set(item.incidentID, item);
    const pages = Array.from({ length: Math.max((firstPage?.total_pages ?? 0) - 1, 0) }, (_, i) => i + 2);
    for await (const page of mapUnordered(pages, PAGE_CONCURRENCY, (p) => fetchPage(client, options, window, p))) {
      for (const item of page?.incidents ?? []) byId.set(item.incidentID, item);
    }
    // Page numbers only hold while the window holds still: an incident that moved between two
    // page reads leaves the pages short of the announced total.
    const expected = firstPage?.total_count ?? 0;
    if (byId.size >= expected) return toSlice(options, window, byId);
    await options.onWarning?.(
      `The incident list for ${describeWindow(options, window)} held ${byId.size} distinct incidents but announced ${expected} (reading ${reading}); ` +
        (reading < READINGS_BEFORE_SPLIT ? 'reading it again.' : 'splitting it.'),
    );
  }
  return undefined;
}

function toSlice(options: SliceOptions, window: Window, byId: Map<number, IncidentListItem>): ListSlice {
  const items: SliceItem[] = [];
  for (const item of byId.values()) {
    const created = parseTimestamp(item.created);
    if (options.filter !== 'created' || inWindow(created, window)) items.push({ item, created });
  }
  return { start: window.start, end: window.end, items };
}

function inWindow(created: Micros, window: Window): boolean {
  return created >= window.start && (created < window.end || (window.endInclusive && created === window.end));
}

function describeWindow(options: SliceOptions, window: Window): string {
  const what = options.filter === 'created' ? 'first reports' : 'updates';
  return `${what} ${formatTimestamp(window.start)}..${formatTimestamp(window.end)}`;
}
