/**
 * Keeps the connector under IRONSCALES' per-company call budget on its own, so the server never
 * has to answer 429. Request starts are paced evenly (one every window/limit, plus a small margin
 * for network jitter): then no window of any length, sliding or fixed, sees more than the limit,
 * and concurrent details requests share one budget. A 429 from the server pauses every caller
 * until the time the server named.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Spacing margin: arrival times at the server jitter by a few ms; 2% of the budget absorbs that. */
const JITTER_MARGIN = 1.02;

export class RateLimiter {
  private readonly intervalMs: number;
  private nextSlot = 0;
  private pausedUntil = 0;

  constructor(limit: number, windowMs = 60_000) {
    this.intervalMs = (windowMs / limit) * JITTER_MARGIN;
  }

  /** Resolves when the caller may send its request. */
  async acquire(): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot, this.pausedUntil);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }

  /** After a 429: nobody sends before `waitMs` from now. */
  pauseFor(waitMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + waitMs);
    this.nextSlot = Math.max(this.nextSlot, this.pausedUntil);
  }
}
