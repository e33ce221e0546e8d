/**
 * Runs `worker` over `inputs` with at most `limit` calls in flight and yields each result as soon
 * as it is ready (not in input order). The consumer's pace is the producer's pace: nothing new
 * starts while results wait to be taken, so memory stays bounded by `limit` results.
 * If a call fails, no new call starts and the error is thrown to the consumer.
 */
export async function* mapUnordered<T, R>(inputs: Iterable<T>, limit: number, worker: (input: T) => Promise<R>): AsyncGenerator<R> {
  const iterator = inputs[Symbol.iterator]();
  const inFlight = new Map<number, Promise<{ id: number; result: R }>>();
  let nextId = 0;
  let exhausted = false;

  const launch = () => {
    while (!exhausted && inFlight.size < limit) {
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
      yield result;
      launch();
    }
  } finally {
    // Abandoned calls must not surface later as unhandled rejections.
    for (const pending of inFlight.values()) pending.catch(() => undefined);
  }
}
