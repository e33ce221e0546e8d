/** Small statistics helpers. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid] as number;
  return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median of every numeric key present in all runs. */
export function medians(runs: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const first = runs[0];
  if (!first) return {};
  const out: Record<string, number> = {};
  for (const key of Object.keys(first)) {
    const values = runs.map((r) => r[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === runs.length) out[key] = median(values);
  }
  return out;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The request floor of a sync that has to emit `n` incidents, with list pages of 100 (as 0.1.0 paged): 1 token + ceil(n / 100) list pages + n details. */
export function minimumRequests(n: number, pageSize = 100): number {
  return 1 + Math.ceil(n / pageSize) + n;
}

/** The target "requests ≤ 1.02 × minimum + 3", as the largest whole number of requests allowed. */
export function requestBound(minimum: number): number {
  return Math.floor(1.02 * minimum + 3);
}
