/** The shared limits: one global budget for every endpoint, plus the per-endpoint table's own limits. */
import { ENDPOINT_LIMITS, RateLimits } from '../../src/ironscales/rate-limiter.js';

test('the documented per-endpoint limits are declared', () => {
  expect(ENDPOINT_LIMITS).toEqual({ emails: { limit: 20, windowMs: 60_000 }, stats: { limit: 20, windowMs: 1_000 } });
});

test('an endpoint with its own limit is paced by it; others only by the global budget', async () => {
  const limits = new RateLimits(600_000, { slow: { limit: 2, windowMs: 400 } });
  const started = performance.now();
  for (let i = 0; i < 3; i++) await limits.acquire('slow');
  const slow = performance.now() - started;
  // Releases at 0, ~204 and ~408 ms.
  expect(slow).toBeGreaterThanOrEqual(400);
  const fastStart = performance.now();
  for (let i = 0; i < 3; i++) await limits.acquire('list');
  // Far below the ~408 ms the 'slow' limit would impose (generous for a loaded machine).
  expect(performance.now() - fastStart).toBeLessThan(300);
});

test('every endpoint shares the global budget', async () => {
  const limits = new RateLimits(300, {}); // one call per ~204 ms
  const started = performance.now();
  await Promise.all([limits.acquire('list'), limits.acquire('details'), limits.acquire('mailboxes')]);
  expect(performance.now() - started).toBeGreaterThanOrEqual(400);
});
