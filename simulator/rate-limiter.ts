/**
 * The per-company throttle with DRF SimpleRateThrottle semantics (a sliding log of accepted calls;
 * rejected calls are not logged), plus the "most calls in any window" statistic. Rates are real
 * elapsed time, so this uses the local clock: a clock offset does not change a rate.
 */
import { throttledResponse, type SimResponse } from './responses.js';

const DEFAULT_WINDOW_MS = 60_000;

export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Accepted-call timestamps inside a sliding window (amortised O(1) eviction). */
class SlidingLog {
  private times: number[] = [];
  private head = 0;

  evict(now: number, windowMs: number): void {
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  get count(): number {
    return this.times.length - this.head;
  }

  oldest(): number | undefined {
    return this.times[this.head];
  }

  push(now: number): void {
    this.times.push(now);
  }
}

export function checkRateLimit(rateLimit: RateLimit | null): RateLimit | null {
  if (rateLimit === null) return null;
  if (!Number.isInteger(rateLimit.limit) || rateLimit.limit < 1) throw new RangeError('rateLimit.limit must be an integer >= 1 (use null for unlimited)');
  if (!Number.isFinite(rateLimit.windowMs) || rateLimit.windowMs <= 0) throw new RangeError('rateLimit.windowMs must be > 0');
  return { limit: rateLimit.limit, windowMs: rateLimit.windowMs };
}

export class RateLimiter {
  private readonly limiterLogs = new Map<number, SlidingLog>();
  private statsLogs = new Map<number, SlidingLog>();
  throttled = 0;
  maxCallsInWindow = 0;

  constructor(private rateLimit: RateLimit | null) {}

  set(rateLimit: RateLimit | null): void {
    this.rateLimit = checkRateLimit(rateLimit);
  }

  resetStats(): void {
    this.throttled = 0;
    this.maxCallsInWindow = 0;
    this.statsLogs = new Map();
  }

  /** null = the call is accepted (and logged); otherwise the 429 to send (counted in `throttled`). */
  take(companyId: number): SimResponse | null {
    const wait = this.admit(companyId);
    if (wait === null) return null;
    this.throttled++;
    return throttledResponse(wait);
  }

  /**
   * DRF's allow_request: null = accepted (and logged), otherwise the seconds until a slot frees.
   * Nothing is counted as throttled: a caller checking several throttles counts its 429 once.
   */
  admit(companyId: number): number | null {
    const now = Date.now();
    const windowMs = this.rateLimit?.windowMs ?? DEFAULT_WINDOW_MS;
    if (this.rateLimit) {
      let log = this.limiterLogs.get(companyId);
      if (!log) this.limiterLogs.set(companyId, (log = new SlidingLog()));
      log.evict(now, windowMs);
      if (log.count >= this.rateLimit.limit) {
        const oldest = log.oldest() ?? now;
        return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
      }
      log.push(now);
    }
    let stats = this.statsLogs.get(companyId);
    if (!stats) this.statsLogs.set(companyId, (stats = new SlidingLog()));
    stats.evict(now, windowMs);
    stats.push(now);
    if (stats.count > this.maxCallsInWindow) this.maxCallsInWindow = stats.count;
    return null;
  }

  /**
   * A call that must pass this company-wide throttle and an endpoint's own (`scoped`), as DRF runs
   * every throttle class of a view: each that allows the call logs it, the call is refused if any
   * refuses, and the 429 asks for the longest wait.
   */
  takeWith(scoped: RateLimiter, companyId: number): SimResponse | null {
    const waits = [this.admit(companyId), scoped.admit(companyId)].filter((w): w is number => w !== null);
    if (waits.length === 0) return null;
    this.throttled++;
    scoped.throttled++;
    return throttledResponse(Math.max(...waits));
  }
}
