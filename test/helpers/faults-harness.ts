/**
 * Tools for the fault matrix: a seeded PRNG for reproducible kill points, running the connector
 * while acting on the in-process simulator, draining leftover injected faults, and the "what did
 * the platform safely receive" view of a run that did not finish.
 */
import type { Simulator } from '../../simulator/index.js';
import type { Message, RunResult } from './connector.js';
import { runChecked, type CheckedRunOptions } from './acceptance-protocol.js';

/** mulberry32: a tiny deterministic PRNG; the same seed always gives the same kill points. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct integers in [min, max], sorted, from a seeded PRNG. */
export function pickPoints(seed: number, count: number, min: number, max: number): number[] {
  const random = seededRandom(seed);
  const points = new Set<number>();
  while (points.size < count) points.add(min + Math.floor(random() * (max - min + 1)));
  return [...points].sort((a, b) => a - b);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the connector (with every protocol check of runChecked) while `during` acts on the
 * simulator; `during` receives a function telling whether the process has already ended.
 */
export async function runDuring(
  command: string,
  options: CheckedRunOptions,
  during: (ended: () => boolean) => Promise<void>,
): Promise<RunResult> {
  let ended = false;
  const run = runChecked(command, options);
  run.then(
    () => (ended = true),
    () => (ended = true),
  );
  await during(() => ended);
  return run;
}

/** Polls until `condition` holds; false when the process ended first (or after `timeoutMs`). */
export async function waitUntil(condition: () => boolean, ended: () => boolean, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (ended() || Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/**
 * Consumes every injected fault still queued in the simulator that matches `path`'s endpoint
 * (the default, an unknown path, matches faults injected without an endpoint). Requests go in
 * parallel batches until a batch meets no fault.
 */
export async function drainFaults(sim: Simulator, path = '/drain-injected-faults', batch = 64): Promise<number> {
  let drained = 0;
  for (;;) {
    const before = sim.stats().injectedFaults;
    await Promise.all(
      Array.from({ length: batch }, () =>
        fetch(`${sim.url}${path}`, { signal: AbortSignal.timeout(10_000) }).then(
          (res) => res.arrayBuffer(),
          () => undefined,
        ),
      ),
    );
    const taken = sim.stats().injectedFaults - before;
    drained += taken;
    if (taken < batch) return drained;
  }
}

/**
 * What a platform that commits on STATE has safely received from a run that did not finish:
 * the records printed before its last STATE, and that STATE (the resume point) if any.
 */
export function committed(result: RunResult): { ids: number[]; records: Message[]; state: unknown[] | undefined } {
  let lastStateIndex = -1;
  result.messages.forEach((m, i) => {
    if (m.type === 'STATE') lastStateIndex = i;
  });
  const records = result.messages.slice(0, lastStateIndex + 1).filter((m) => m.type === 'RECORD');
  const ids = records.map((m) => m.record.data.incident_id as number);
  const last = lastStateIndex >= 0 ? result.messages[lastStateIndex] : undefined;
  return { ids, records, state: last ? [{ type: 'STREAM', stream: last.state.stream }] : undefined };
}

/** Ids of `all` missing from `seen`. */
export function missingIds(all: number[], seen: Iterable<number>): number[] {
  const got = new Set(seen);
  return all.filter((id) => !got.has(id));
}
