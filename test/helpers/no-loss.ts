/**
 * Shared checks for the "nothing lost, nothing repeated" tests: they judge only what the connector
 * printed and what the simulator saw.
 */
import { expect } from '@jest/globals';
import type { Simulator } from '../../simulator/index.js';
import type { Message, RunResult } from './connector.js';

export const STREAM = 'ironscales_incidents';

export function ids(result: RunResult): number[] {
  return result.records.map((r) => r.record.data.incident_id as number);
}

/** No incident is emitted twice by one sync. */
export function expectEachOnce(result: RunResult): void {
  const seen = ids(result);
  const repeated = seen.filter((id, i) => seen.indexOf(id) !== i);
  expect(repeated).toEqual([]);
}

/** `2025-10-27T07:16:07.368189Z` (any fraction, or none, or an offset) → epoch microseconds. */
export function toUs(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) throw new Error(`not an ISO timestamp: ${iso}`);
  return Date.parse(`${m[1]}${m[3]}`) * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** Epoch microseconds → `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function isoUs(us: number): string {
  const seconds = Math.floor(us / 1_000_000);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(us - seconds * 1_000_000).padStart(6, '0')}Z`;
}

/** The stream state of the last STATE message of a run. */
export function lastState(result: RunResult): Record<string, any> {
  const last = result.states.at(-1);
  if (!last) throw new Error('the run emitted no STATE');
  return last.state.stream.stream_state as Record<string, any>;
}

/** The `--state` content Airbyte would pass for this stream state. */
export function stateArg(streamState: Record<string, unknown>): unknown[] {
  return [{ type: 'STREAM', stream: { stream_descriptor: { name: STREAM }, stream_state: streamState } }];
}

/** First report time of an incident, read from the simulator. */
export function createdUs(sim: Simulator, id: number): number {
  const details = sim.details(id);
  if (!details) throw new Error(`incident ${id} has no details`);
  return toUs(details['first_reported_date'] as string);
}

/**
 * The checkpoint invariant, from the order of the printed messages: when a STATE says
 * `first_reported_date = c`, every expected incident first reported before c has already been
 * emitted, and so has every id it lists in `ids_at_cursor`.
 */
export function expectCheckpointsBehindEmitted(result: RunResult, expected: readonly number[], created: (id: number) => number): void {
  const emitted = new Set<number>();
  result.messages.forEach((m: Message, index) => {
    if (m.type === 'RECORD') emitted.add(m.record.data.incident_id as number);
    if (m.type !== 'STATE') return;
    const state = m.state.stream.stream_state as Record<string, unknown>;
    if (typeof state['first_reported_date'] !== 'string') return;
    const cursor = toUs(state['first_reported_date']);
    const skipped = expected.filter((id) => created(id) < cursor && !emitted.has(id));
    expect({ stateAt: index, cursor: state['first_reported_date'], notYetEmitted: skipped }).toEqual({ stateAt: index, cursor: state['first_reported_date'], notYetEmitted: [] });
    const atCursor = Array.isArray(state['ids_at_cursor']) ? (state['ids_at_cursor'] as number[]) : [];
    expect(atCursor.filter((id) => !emitted.has(id))).toEqual([]);
  });
}

/**
 * Runs `action` once, as soon as `condition` holds, polling while the connector runs in its own
 * process. Returns a function that stops the polling.
 */
export function when(condition: () => boolean, action: () => void): () => void {
  let done = false;
  const timer = setInterval(() => {
    if (!done && condition()) {
      done = true;
      clearInterval(timer);
      action();
    }
  }, 2);
  return () => clearInterval(timer);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
