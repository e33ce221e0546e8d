/**
 * Unstable order among equal sort keys. A database sorting on a non-unique column returns rows
 * with the same key in whatever order the plan yields, which can differ between two queries:
 * paging such a result may show an incident on two pages, or on none. This reproduces that for
 * `sort=created`, per request.
 */
import type { IncidentMeta } from './generator.js';
import type { Rng } from './prng.js';

/** Items [start, end) of `all` after reshuffling every run of equal `createdUs` that touches them. */
export function sliceWithShuffledTies(all: readonly IncidentMeta[], start: number, end: number, rng: Rng): IncidentMeta[] {
  const stop = Math.min(end, all.length);
  if (start >= stop) return [];
  let lo = start;
  const firstKey = (all[start] as IncidentMeta).createdUs;
  while (lo > 0 && (all[lo - 1] as IncidentMeta).createdUs === firstKey) lo--;
  let hi = stop;
  const lastKey = (all[stop - 1] as IncidentMeta).createdUs;
  while (hi < all.length && (all[hi] as IncidentMeta).createdUs === lastKey) hi++;
  const region = all.slice(lo, hi);
  for (let runStart = 0; runStart < region.length;) {
    let runEnd = runStart + 1;
    const key = (region[runStart] as IncidentMeta).createdUs;
    while (runEnd < region.length && (region[runEnd] as IncidentMeta).createdUs === key) runEnd++;
    // Fisher-Yates inside the run
    for (let i = runEnd - 1; i > runStart; i--) {
      const j = runStart + Math.floor(rng.float() * (i - runStart + 1));
      const tmp = region[i] as IncidentMeta;
      region[i] = region[j] as IncidentMeta;
      region[j] = tmp;
    }
    runStart = runEnd;
  }
  return region.slice(start - lo, stop - lo);
}
