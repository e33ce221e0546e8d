/**
 * The simulator's own clock: local time plus a configurable offset. Real servers disagree with the
 * client's clock, so everything the simulator stamps (new incidents, reclassifications, token
 * iat/exp, the HTTP Date header, `period`) reads this clock, never Date.now() directly.
 */
import { US_PER_MS } from './time.js';

export class SimClock {
  private offset: number;

  constructor(offsetMs = 0) {
    this.offset = SimClock.check(offsetMs);
  }

  private static check(offsetMs: number): number {
    if (!Number.isSafeInteger(offsetMs)) throw new RangeError(`clockOffsetMs must be an integer, got ${offsetMs}`);
    return offsetMs;
  }

  get offsetMs(): number {
    return this.offset;
  }

  setOffset(offsetMs: number): void {
    this.offset = SimClock.check(offsetMs);
  }

  nowMs(): number {
    return Date.now() + this.offset;
  }

  nowUs(): number {
    return this.nowMs() * US_PER_MS;
  }
}

/** RFC 7231 IMF-fixdate, whole seconds, as real servers send it: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}
