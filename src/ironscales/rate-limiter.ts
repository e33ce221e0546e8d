/**
 * Keeps the connector under IRONSCALES' per-company call budget on its own, so the server never
 * has to answer 429. Requests are released one at a time, at least window/limit apart (plus a 2%
 * margin for network jitter), measured between actual releases: a late wake-up never lets the next
 * request catch up. Then no window of any length, sliding or fixed, sees more than the limit, and
 * concurrent details requests share one budget. A 429 from the server pauses every caller until
 * the time the server named.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

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
