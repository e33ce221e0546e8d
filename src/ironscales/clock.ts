/**
 * IRONSCALES' own time, estimated from the Date header of every response. Windows that end at
 * "now" must end at IRONSCALES' now: if this machine's clock runs ahead, an incident stamped by
 * IRONSCALES a moment later would fall behind a saved cursor and be missed.
 *
 * A Date header has whole seconds and was written somewhere between sending and receiving, so
 * each response bounds the offset (server − local) to an interval:
 *   [date − receivedAt, date + 1 s − sentAt].
 * The estimate is the middle of the intersection of all intervals seen, which narrows to well
 * under a second after a few calls. An empty intersection means a clock was stepped: start over.
 */
import { type Micros } from './timestamps.js';

export class ServerClock {
  private low = -Infinity;
  private high = Infinity;

  constructor(private readonly localNowMs: () => number = Date.now) {}

  /** Records one response: its Date header and the local times the request left and the answer arrived. */
  observe(dateHeader: string | undefined, sentAtMs: number, receivedAtMs: number): void {
    if (dateHeader === undefined) return;
    const date = Date.parse(dateHeader);
    if (Number.isNaN(date)) return;
    const low = date - receivedAtMs;
    const high = date + 1000 - sentAtMs;
    if (low > this.high || high < this.low) {
      this.low = low;
      this.high = high;
      return;
    }
    this.low = Math.max(this.low, low);
    this.high = Math.min(this.high, high);
  }

  /** Server time minus local time, in ms; undefined until a Date header was seen. */
  get offsetMs(): number | undefined {
    if (this.low === -Infinity) return undefined;
    return Math.round((this.low + this.high) / 2);
  }

  nowMs(): number {
    return this.localNowMs() + (this.offsetMs ?? 0);
  }

  /** IRONSCALES' now in microseconds (this machine's now until any Date header was seen). */
  nowMicros(): Micros {
    return this.nowMs() * 1000;
  }

  /**
   * The earliest time IRONSCALES' clock can show now: the low end of the offset interval. Every
   * response's lower bound holds (its Date was written before it arrived), so this is never in
   * IRONSCALES' future, however slowly an answer came; the middle estimate can be, by up to half
   * the slowest round trip seen so far.
   */
  earliestNowMicros(): Micros {
    return (this.localNowMs() + (this.low === -Infinity ? 0 : this.low)) * 1000;
  }
}
