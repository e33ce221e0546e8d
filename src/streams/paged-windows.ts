/**
 * Reads a time window of a paged, time-filtered IRONSCALES list (incidents, scanback incidents…)
 * as slices small enough to checkpoint after each (about `maxPerSlice` items). A slice is yielded
 * only once every item the API announced for it has been listed:
 * - a window that fits is read page by page and counts as read when its distinct ids reach the
 *   total its first page announced; otherwise it is read again, then split, and a window of one
 *   microsecond that still does not add up fails the sync (transient) rather than move a cursor
 *   past an item it never saw;
 * - a window over the limit is split into equal time parts, and the parts' first pages are read
 *   before any part is yielded: their totals must add up to the total the whole announced, so a
 *   part cannot quietly come back empty. When they fall short, the whole's total is asked again:
 *   if it fell too, the missing items really left the window between the calls (deleted, or
 *   updated again for an updates window) and the parts stand; if not, a part's answer was wrong,
 *   and the parts are read again, then the sync fails rather than skip what the part hid.
 * Windows only ever lose items between two calls (new items are stamped after the window's end),
 * which is what makes the whole's fresh total the arbiter.
 * With `holdInHand`, a window (or part) of up to that many items is read whole, page by page, and
 * cut into slices in hand: its calls are its pages, however many slices it checkpoints in.
 */
import { transientError } from '../airbyte/errors.js';
import type { Micros } from '../ironscales/timestamps.js';
import { mapUnordered } from '../util/concurrency.js';

/** A window of the list's time axis; `end` is inclusive only for the last part of a split. */
export interface TimeWindow {
  start: Micros;
  end: Micros;
  endInclusive: boolean;
}

export interface WindowPage<T> {
  total_count: number;
  total_pages: number;
  items: T[];
}

export interface WindowedList<T> {
  /** One page of a window (the API's bounds are inclusive); undefined past the last page. */
  fetch(window: TimeWindow, page: number): Promise<WindowPage<T> | undefined>;
  idOf(item: T): number;
  /**
   * The item's time on the window's axis when the list returns it, so a half-open part can be cut
   * client-side; absent when the items do not carry that time (an updates window).
   */
  timeOf?(item: T): Micros;
  /** For messages: "first reports 2025-…..2025-…". */
  describe(window: TimeWindow): string;
}

export interface WindowSlice<T> {
  start: Micros;
  end: Micros;
  /** Each item once. */
  items: T[];
}

export interface WindowOptions {
  start: Micros;
  /** Inclusive. */
  end: Micros;
  maxPerSlice: number;
  /**
   * Items of a window read whole and cut into slices in hand rather than split into parts asked for
   * one by one (needs `timeOf`). For lists with large pages and a tight call budget: a window's
   * calls are then its pages, not its slices.
   */
  holdInHand?: number;
  /** Called once with the whole window's item count (from its first page). */
  onWindowTotal?(total: number): void | Promise<void>;
  onWarning?(message: string): void | Promise<void>;
}

const PAGE_CONCURRENCY = 4;
/** Split into parts of ~80% of the limit, so ordinary unevenness doesn't force a second split. */
const SPLIT_FILL = 0.8;
/** Parts per split at most: their first pages are held until each part is read. */
const MAX_PARTS = 8;
/** Readings of one window (or of a split's first pages) that do not add up before giving up on them. */
const READINGS = 3;

export async function* windowSlices<T>(list: WindowedList<T>, options: WindowOptions): AsyncGenerator<WindowSlice<T>> {
  if (options.start > options.end) return;
  const whole: TimeWindow = { start: options.start, end: options.end, endInclusive: true };
  const first = await firstPage(list, whole);
  await options.onWindowTotal?.(first.total_count);
  yield* readWindow(list, options, whole, first);
}

async function firstPage<T>(list: WindowedList<T>, window: TimeWindow): Promise<WindowPage<T>> {
  // The client treats a missing page 1 as a fault (it never means "empty"): undefined cannot come back.
  const page = await list.fetch(window, 1);
  if (!page) throw transientError(`The IRONSCALES list answered page 1 of ${list.describe(window)} as past the end; stopping rather than reading it as empty.`);
  return page;
}

async function* readWindow<T>(list: WindowedList<T>, options: WindowOptions, window: TimeWindow, first: WindowPage<T>): AsyncGenerator<WindowSlice<T>> {
  const inHand = options.holdInHand !== undefined && list.timeOf !== undefined;
  const limit = inHand ? Math.max(options.maxPerSlice, options.holdInHand ?? 0) : options.maxPerSlice;
  if (first.total_count > limit) {
    const parts = splitWindow(window, Math.min(MAX_PARTS, Math.ceil(first.total_count / (limit * SPLIT_FILL))));
    if (parts.length > 1) {
      yield* readParts(list, options, window, first.total_count, parts);
      return;
    }
  }
  const slice = await readWhole(list, options, window, first);
  if (slice && inHand && list.timeOf) {
    yield* cutInHand(list.timeOf, slice, options.maxPerSlice);
    return;
  }
  if (slice) {
    yield slice;
    return;
  }
  const halves = splitWindow(window, 2);
  if (halves.length < 2) {
    throw transientError(
      `The IRONSCALES list for ${list.describe(window)} did not add up to its announced total after ${READINGS} readings; stopping rather than skipping an item.`,
    );
  }
  yield* readParts(list, options, window, first.total_count, halves);
}

/** The parts of a split, in time order, once their first pages add up to what the whole announced. */
async function* readParts<T>(list: WindowedList<T>, options: WindowOptions, whole: TimeWindow, announced: number, parts: TimeWindow[]): AsyncGenerator<WindowSlice<T>> {
  let expected = announced;
  for (let reading = 1; ; reading++) {
    const firsts = await Promise.all(parts.map((part) => firstPage(list, part)));
    const sum = firsts.reduce((n, page) => n + page.total_count, 0);
    let addsUp = sum >= expected;
    if (!addsUp) {
      // Short: did items leave the window between the calls, or did a part answer wrong? The whole's total now says.
      const now = (await firstPage(list, whole)).total_count;
      addsUp = now <= sum;
      await options.onWarning?.(
        addsUp
          ? `${expected - sum} item(s) left ${list.describe(whole)} while it was being read (deleted, or changed again); reading what is there.`
          : `The parts of ${list.describe(whole)} held ${sum} items but the whole announced ${now} (reading ${reading}); ` +
              (reading < READINGS ? 'reading the parts again.' : 'stopping.'),
      );
      if (!addsUp && reading >= READINGS) {
        throw transientError(
          `The parts of ${list.describe(whole)} held ${sum} items while the whole announced ${now}, after ${READINGS} readings; ` +
            'stopping rather than skipping what a part did not show.',
        );
      }
      expected = now;
    }
    if (addsUp) {
      for (const [i, part] of parts.entries()) yield* readWindow(list, options, part, firsts[i] as WindowPage<T>);
      return;
    }
  }
}

/** Equal time parts of a window (fewer when it is only a few microseconds wide). */
function splitWindow(window: TimeWindow, parts: number): TimeWindow[] {
  // The last part keeps the window's own end (and its inclusiveness); the others end before the next part starts.
  const span = window.end - window.start + (window.endInclusive ? 1 : 0);
  const count = Math.min(parts, span);
  if (count < 2) return [window];
  const out: TimeWindow[] = [];
  for (let i = 0; i < count; i++) {
    const start = window.start + Math.floor((span * i) / count);
    const last = i === count - 1;
    out.push({ start, end: last ? window.end : window.start + Math.floor((span * (i + 1)) / count), endInclusive: last && window.endInclusive });
  }
  return out;
}

/** Every page of the window, or undefined when its pages never added up to the announced total. */
async function readWhole<T>(list: WindowedList<T>, options: WindowOptions, window: TimeWindow, first: WindowPage<T>): Promise<WindowSlice<T> | undefined> {
  for (let reading = 1; reading <= READINGS; reading++) {
    const firstOfReading = reading === 1 ? first : await firstPage(list, window);
    const byId = new Map<number, T>();
    for (const item of firstOfReading.items) byId.set(list.idOf(item), item);
    const pages = Array.from({ length: Math.max(firstOfReading.total_pages - 1, 0) }, (_, i) => i + 2);
    for await (const page of mapUnordered(pages, PAGE_CONCURRENCY, (p) => list.fetch(window, p))) {
      for (const item of page?.items ?? []) byId.set(list.idOf(item), item);
    }
    // Page numbers only hold while the window holds still: an item that moved between two page
    // reads leaves the pages short of the announced total.
    const expected = firstOfReading.total_count;
    if (byId.size >= expected) return toSlice(list, window, byId);
    await options.onWarning?.(
      `The list for ${list.describe(window)} held ${byId.size} distinct items but announced ${expected} (reading ${reading}); ` +
        (reading < READINGS ? 'reading it again.' : 'splitting it.'),
    );
  }
  return undefined;
}

function toSlice<T>(list: WindowedList<T>, window: TimeWindow, byId: Map<number, T>): WindowSlice<T> {
  const items: T[] = [];
  for (const item of byId.values()) {
    const time = list.timeOf?.(item);
    if (time === undefined || inWindow(time, window)) items.push(item);
  }
  return { start: window.start, end: window.end, items };
}

/**
 * A whole window read in hand, as consecutive slices of about `maxPerSlice` items in time order,
 * cut only between two instants (an instant's items stay together, as a slice read from the API's
 * own window would hold them).
 */
function* cutInHand<T>(timeOf: (item: T) => Micros, whole: WindowSlice<T>, maxPerSlice: number): Generator<WindowSlice<T>> {
  const items = [...whole.items].sort((a, b) => timeOf(a) - timeOf(b));
  let start = whole.start;
  let from = 0;
  while (from < items.length) {
    let to = Math.min(from + maxPerSlice, items.length);
    while (to < items.length && timeOf(items[to] as T) === timeOf(items[to - 1] as T)) to++;
    const end = to >= items.length ? whole.end : timeOf(items[to] as T);
    yield { start, end, items: items.slice(from, to) };
    start = end;
    from = to;
  }
  if (items.length === 0) yield whole;
}

function inWindow(time: Micros, window: TimeWindow): boolean {
  return time >= window.start && (time < window.end || (window.endInclusive && time === window.end));
}
