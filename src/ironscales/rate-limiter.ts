/**
 * Keeps the connector under IRONSCALES' per-company call budget on its own, so the server never
 * has to answer 429. Requests are released one at a time, at least window/limit apart (plus a 2%
 * margin for network jitter), measured between actual releases: a late wake-up never lets the next
 * request catch up. Then no window of any length, sliding or fixed, sees more than the limit, and
 * concurrent details requests share one budget. A 429 from the server pauses every caller until
 * the time the server named.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { EndpointKind } from './responses.js';

/**
 * IRONSCALES' per-endpoint limits, on top of the company's global budget (API docs, §5 of the
 * research notes): the escalated-emails endpoint allows 20 calls a minute, the stats endpoints
 * 20 a second. A call waits for both its endpoint's budget and the company's; an endpoint kind
 * with a documented limit gets its row here and nowhere else.
 */
export const ENDPOINT_LIMITS: Partial<Record<EndpointKind | 'stats', { limit: number; windowMs: number }>> = {
  emails: { limit: 20, windowMs: 60_000 },
  stats: { limit: 20, windowMs: 1_000 },
};

const JITTER_MARGIN = 1.02;
/** Timers fire late by a millisecond or so; sleep a little short and finish on the event loop. */
const TIMER_SLACK_MS = 2;

export class RateLimiter {
  private readonly intervalMs: number;
  private lastRelease = -Infinity;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(limit: number, windowMs = 60_000) {
    this.intervalMs = (windowMs / limit) * JITTER_MARGIN;
  }

  /** Resolves when the caller may send its request (callers are served in arrival order). */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn;
    return turn;
  }

  /**
   * After a 429: nobody sends before `waitMs` from now. Returns false when an earlier 429 already
   * paused everyone until about then (concurrent calls throttled together), so it is reported once.
   */
  pauseFor(waitMs: number): boolean {
    const until = performance.now() + waitMs;
    const extends_ = until > this.pausedUntil + 1000;
    this.pausedUntil = Math.max(this.pausedUntil, until);
    return extends_;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const target = Math.max(this.lastRelease + this.intervalMs, this.pausedUntil);
      const remaining = target - performance.now();
      if (remaining <= 0) break;
      if (remaining > TIMER_SLACK_MS) await sleep(remaining - TIMER_SLACK_MS);
      else await nextTurn();
    }
    this.lastRelease = performance.now();
  }
}

/**
 * The limiters of one client: the global one every call passes, and one per endpoint kind that
 * has its own limit. A call waits for its endpoint first, so a slow endpoint never holds a global
 * slot that other endpoints could use.
 */
export class RateLimits {
  private readonly global: RateLimiter;
  private readonly perEndpoint = new Map<string, RateLimiter>();

  constructor(requestsPerMinute: number, endpointLimits: Partial<Record<string, { limit: number; windowMs: number }>> = ENDPOINT_LIMITS) {
    this.global = new RateLimiter(requestsPerMinute);
    for (const [kind, rule] of Object.entries(endpointLimits)) {
      if (rule) this.perEndpoint.set(kind, new RateLimiter(rule.limit, rule.windowMs));
    }
  }

  async acquire(kind: string): Promise<void> {
    await this.perEndpoint.get(kind)?.acquire();
    await this.global.acquire();
  }

  /** A 429 pauses every caller (IRONSCALES' budget is per company, not per endpoint). */
  pauseFor(waitMs: number): boolean {
    return this.global.pauseFor(waitMs);
  }
}
