/**
 * Runs `worker` over `inputs` with at most `limit` calls in flight and yields each result as soon
 * as it is ready (not in input order). The consumer's pace is the producer's pace: nothing new
 * starts while results wait to be taken, so memory stays bounded by what is in flight.
 * If a call fails, no new call starts and the error is thrown to the consumer.
 *
 * With `bytes`, what is in flight is bounded by size too: a result's size is known only once it
 * arrives, so the calls start a few at a time, and then as many as the budget holds at the
 * largest size seen lately (24 small answers in flight, or 3 of 5 MB, never 24 of 5 MB).
 */
export interface ByteBudget<R> {
  /** Bytes the results in flight (and waiting to be taken) may hold together, by estimate. */
  bytes: number;
  sizeOf(result: R): number;
}

/** Calls in flight before any size is known. */
const FIRST_CALLS = 4;
/** How fast the remembered largest size relaxes after a big answer (per result). */
const SIZE_MEMORY = 0.95;

export async function* mapUnordered<T, R>(inputs: Iterable<T>, limit: number, worker: (input: T) => Promise<R>, budget?: ByteBudget<R>): AsyncGenerator<R> {
  const iterator = inputs[Symbol.iterator]();
  const inFlight = new Map<number, Promise<{ id: number; result: R }>>();
  let nextId = 0;
  let exhausted = false;
  /** The largest result size seen lately (decaying), 0 until one is known. */
  let typical = 0;

  const cap = () => {
    if (!budget) return limit;
    if (typical === 0) return Math.min(limit, FIRST_CALLS);
    return Math.max(1, Math.min(limit, Math.floor(budget.bytes / typical)));
  };

  const launch = () => {
    while (!exhausted && inFlight.size < cap()) {
      const step = iterator.next();
      if (step.done) {
        exhausted = true;
        return;
      }
      const id = nextId++;
      inFlight.set(
        id,
        worker(step.value).then((result) => ({ id, result })),
      );
    }
  };

  try {
    launch();
    while (inFlight.size > 0) {
      const { id, result } = await Promise.race(inFlight.values());
      inFlight.delete(id);
      if (budget) typical = Math.max(budget.sizeOf(result), typical * SIZE_MEMORY);
      yield result;
      launch();
    }
  } finally {
    // Abandoned calls must not surface later as unhandled rejections.
    for (const pending of inFlight.values()) pending.catch(() => undefined);
  }
}
