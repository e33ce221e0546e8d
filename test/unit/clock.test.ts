/**
 * IRONSCALES' time from Date headers: the offset is bounded by each response (whole seconds,
 * stamped between send and receive), narrows as responses arrive, restarts when a clock steps,
 * and reaches the client over HTTP from a local server whose clock runs ahead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { IronscalesClient } from '../../src/ironscales/client.js';
import { ServerClock } from '../../src/ironscales/clock.js';
import { clientOptions, startLocalServer } from './local-server.js';

const T = Date.parse('2025-06-01T12:00:00Z');
const header = (ms: number) => new Date(ms).toUTCString();

describe('ServerClock', () => {
  test('is local time until a Date header was seen', () => {
    const clock = new ServerClock(() => T);
    expect(clock.offsetMs).toBeUndefined();
    expect(clock.nowMicros()).toBe(T * 1000);
    clock.observe(undefined, T, T);
    clock.observe('not a date', T, T);
    expect(clock.offsetMs).toBeUndefined();
  });

  test('one response bounds the offset to within a second; more responses narrow it', () => {
    let local = T;
    const clock = new ServerClock(() => local);
    const trueOffset = 42_300; // the server is 42.3 s ahead
    const serve = (sentAt: number, rtt: number) => {
      const stampedAt = sentAt + rtt / 2 + trueOffset;
      clock.observe(header(Math.floor(stampedAt / 1000) * 1000), sentAt, sentAt + rtt);
    };
    serve(T, 20);
    expect(Math.abs(clock.offsetMs! - trueOffset)).toBeLessThanOrEqual(520);
    for (let i = 1; i <= 10; i++) serve(T + i * 1130, 20);
    expect(Math.abs(clock.offsetMs! - trueOffset)).toBeLessThanOrEqual(60);
    local = T + 20_000;
    expect(Math.abs(clock.nowMs() - (local + trueOffset))).toBeLessThanOrEqual(60);
  });

  test('a clock that steps starts the estimate over instead of staying wrong', () => {
    const clock = new ServerClock(() => T);
    clock.observe(header(T + 5000), T, T + 10);
    expect(Math.abs(clock.offsetMs! - 5500)).toBeLessThanOrEqual(510);
    clock.observe(header(T + 100 + 3_600_000), T + 100, T + 110);
    expect(Math.abs(clock.offsetMs! - 3_600_500)).toBeLessThanOrEqual(510);
  });
});

test("the client follows IRONSCALES' clock from the Date header of its answers", async () => {
  const ahead = 90_000;
  const server = await startLocalServer((req) => {
    const headers = { Date: new Date(Date.now() + ahead).toUTCString() };
    if (req.url.pathname === '/appapi/get-token/') return { status: 200, json: { jwt: 'a.b.c' }, headers };
    return { status: 200, json: { page: 1, total_pages: 1, total_count: 0, incidents: [] }, headers };
  });
  try {
    const client = new IronscalesClient(clientOptions(server.url));
    expect(client.clockOffsetMs).toBeUndefined();
    await client.listIncidents({ page: 1, itemsPerPage: 1 });
    expect(Math.abs(client.clockOffsetMs! - ahead)).toBeLessThanOrEqual(1000);
    for (let i = 0; i < 6; i++) {
      await sleep(270);
      await client.listIncidents({ page: 1, itemsPerPage: 1 });
    }
    expect(Math.abs(client.clockOffsetMs! - ahead)).toBeLessThanOrEqual(600);
    expect(Math.abs(client.serverNow() - (Date.now() + ahead) * 1000)).toBeLessThanOrEqual(600_000);
  } finally {
    await server.close();
  }
});
