/**
 * Diagnostic only (`npm run bench -- --memwatch`): preloaded into the connector process with
 * `node --import build/bench/memwatch.js`, it appends process.memoryUsage() and V8's heap-space
 * sizes every 50 ms to the file named by BENCH_MEMWATCH_FILE (one JSON object per line). It never
 * writes to stdout, so the Airbyte stream stays clean. Measured runs do not load it.
 */
import { appendFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.BENCH_MEMWATCH_FILE;
if (file) {
  const started = performance.now();
  const sample = (): void => {
    const mem = process.memoryUsage();
    const spaces: Record<string, number> = {};
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = Math.round(s.space_size / 1024);
    const line = {
      t: Math.round(performance.now() - started),
      rssKb: Math.round(mem.rss / 1024),
      heapTotalKb: Math.round(mem.heapTotal / 1024),
      heapUsedKb: Math.round(mem.heapUsed / 1024),
      externalKb: Math.round(mem.external / 1024),
      arrayBuffersKb: Math.round(mem.arrayBuffers / 1024),
      spacesKb: spaces,
    };
    appendFileSync(file, JSON.stringify(line) + '\n');
  };
  setInterval(sample, 50).unref();
  process.on('exit', sample);
}
