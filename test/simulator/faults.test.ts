/** Contract tests: injected faults, latency, rate limiting and request statistics. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, http, listPath, postToken, sleep } from './helpers.js';

let sim: Simulator;
let jwt: string;
let firstId: number;

beforeAll(async () => {
  sim = await startSimulator({ seed: 8, incidents: 30, rateLimit: null, goneRatio: 0 });
  jwt = await getToken(sim);
  firstId = sim.incidentIds()[0] as number;
});
afterAll(() => sim.close());

const detailsPath = (): string => `/incident/${sim.companyId}/details/${firstId}`;

describe('faults', () => {
  test('throttle: 429 with Retry-After and the DRF text, only on the chosen endpoint', async () => {
    sim.resetStats();
    sim.inject({ kind: 'throttle', count: 2, retryAfterSeconds: 7, endpoint: 'details' });
    const list = await api(sim, jwt, listPath(sim));
    expect(list.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await api(sim, jwt, detailsPath());
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.body).toEqual({ detail: 'Request was throttled. Expected available in 7 seconds.' });
    }
    expect((await api(sim, jwt, detailsPath())).status).toBe(200);
    const stats = sim.stats();
    expect(stats.injectedFaults).toBe(2);
    expect(stats.throttled).toBe(0);
    expect(stats.requests.details).toBe(3);
    expect(stats.log.map((e) => e.status)).toEqual([200, 429, 429, 200]);
  });

  test('server_error: an HTML body, 502 by default or the given status', async () => {
    sim.inject({ kind: 'server_error', count: 1 });
    sim.inject({ kind: 'server_error', count: 1, status: 503, endpoint: 'list' });
    const first = await api(sim, jwt, detailsPath());
    expect(first.status).toBe(502);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.text).toBe('<html><body><h1>502 Bad Gateway</h1></body></html>');
    expect(first.body).toBeUndefined();
    const second = await api(sim, jwt, listPath(sim));
    expect(second.status).toBe(503);
    expect(second.text).toContain('503');
    expect((await api(sim, jwt, listPath(sim))).status).toBe(200);
  });

  test('reset: the socket is destroyed without a response', async () => {
    sim.resetStats();
    sim.inject({ kind: 'reset', count: 1, endpoint: 'token' });
    await expect(postToken(sim, { key: sim.apiKey, scopes: ['company.all'] })).rejects.toThrow();
    expect(sim.stats().log.at(-1)).toMatchObject({ endpoint: 'token', status: 0 });
    expect((await postToken(sim, { key: sim.apiKey, scopes: ['company.all'] })).status).toBe(200);
  });

  test('delay: the response is held back, then served normally', async () => {
    sim.inject({ kind: 'delay', count: 1, ms: 300, endpoint: 'open' });
    const started = Date.now();
    const res = await api(sim, jwt, `/incident/${sim.companyId}/open/`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.incident_ids)).toBe(true);
  });

  test('truncate: 200 application/json with the real body cut in half', async () => {
    const full = await api(sim, jwt, detailsPath());
    sim.inject({ kind: 'truncate', count: 1, endpoint: 'details' });
    const res = await api(sim, jwt, detailsPath());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.body).toBeUndefined();
    expect(() => JSON.parse(res.text)).toThrow();
    expect(res.text.length).toBeGreaterThan(10);
    expect(full.text.startsWith(res.text.slice(0, -2))).toBe(true);
    expect(Buffer.byteLength(res.text)).toBeLessThanOrEqual(Buffer.byteLength(full.text) / 2 + 4);
  });

  test('faults are consumed in order by matching requests; unmatched endpoints pass', async () => {
    sim.inject({ kind: 'server_error', count: 1, status: 500, endpoint: 'details' });
    sim.inject({ kind: 'throttle', count: 1 });
    sim.inject({ kind: 'server_error', count: 1, status: 504, endpoint: 'details' });
    expect((await api(sim, jwt, listPath(sim))).status).toBe(429); // the endpoint-less fault matches first
    expect((await api(sim, jwt, detailsPath())).status).toBe(500);
    expect((await api(sim, jwt, detailsPath())).status).toBe(504);
    expect((await api(sim, jwt, detailsPath())).status).toBe(200);
  });

  test('clearFaults drops every queued fault', async () => {
    sim.inject({ kind: 'server_error', count: 50 });
    sim.inject({ kind: 'throttle', count: 5, endpoint: 'details' });
    expect((await api(sim, jwt, listPath(sim))).status).toBe(502);
    sim.clearFaults();
    expect((await api(sim, jwt, listPath(sim))).status).toBe(200);
    expect((await api(sim, jwt, detailsPath())).status).toBe(200);
  });

  test('faults apply before auth', async () => {
    sim.inject({ kind: 'server_error', count: 1 });
    expect((await api(sim, null, listPath(sim))).status).toBe(502);
    expect((await api(sim, null, listPath(sim))).status).toBe(403);
  });

  test('setLatency delays every response', async () => {
    sim.setLatency(150);
    try {
      const started = Date.now();
      await api(sim, jwt, `/incident/${sim.companyId}/open/`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      sim.setLatency(0);
    }
  });
});

test('close() resolves promptly even with a hung (delayed) request in flight', async () => {
  const local = await startSimulator({ rateLimit: null });
  const token = await getToken(local);
  local.inject({ kind: 'delay', count: 1, ms: 60_000 });
  const pending = api(local, token, `/incident/${local.companyId}/open/`);
  await sleep(50);
  const started = Date.now();
  await local.close();
  expect(Date.now() - started).toBeLessThan(1000);
  await expect(pending).rejects.toThrow();
});

describe('rate limit (DRF sliding log)', () => {
  let limited: Simulator;
  beforeAll(async () => {
    limited = await startSimulator({ rateLimit: { limit: 5, windowMs: 3000 } });
  });
  afterAll(() => limited.close());

  test('more than limit calls in a window → 429 with Retry-After and the DRF text; get-token counts', async () => {
    const token = await getToken(limited); // call 1
    for (let i = 0; i < 4; i++) expect((await api(limited, token, `/incident/${limited.companyId}/open/`)).status).toBe(200);
    const res = await api(limited, token, listPath(limited));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.body).toEqual({ detail: 'Request was throttled. Expected available in 3 seconds.' });
    const tokenAgain = await postToken(limited, { key: limited.apiKey, scopes: ['company.all'] });
    expect(tokenAgain.status).toBe(429);
    // auth failures are answered before the throttle
    expect((await api(limited, null, listPath(limited))).status).toBe(403);
    const stats = limited.stats();
    expect(stats.throttled).toBe(2);
    expect(stats.maxCallsInWindow).toBe(5);
    expect(stats.requests.token).toBe(2);
    expect(stats.requests.open).toBe(4);
    expect(stats.requests.list).toBe(2);
    expect(stats.total).toBe(8);
  });

  test('rejected calls are not logged: the window reopens once the accepted calls age out', async () => {
    limited.setRateLimit({ limit: 2, windowMs: 1000 });
    await sleep(1050);
    limited.resetStats();
    const token = await getToken(limited); // t≈0: accepted 1
    expect((await api(limited, token, listPath(limited))).status).toBe(200); // accepted 2
    await sleep(400);
    for (let i = 0; i < 3; i++) {
      const res = await api(limited, token, listPath(limited)); // t≈400: rejected, must not be logged
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body.detail).toMatch(/^Request was throttled\. Expected available in 1 seconds?\.$/);
    }
    await sleep(700);
    // t≈1100: the accepted calls have left the window; had the rejections been logged it would still be full
    expect((await api(limited, token, listPath(limited))).status).toBe(200);
    expect(limited.stats().maxCallsInWindow).toBe(2);
    expect(limited.stats().throttled).toBe(3);
  });

  test('null = unlimited, while maxCallsInWindow is still tracked', async () => {
    limited.setRateLimit(null);
    limited.resetStats();
    const token = await getToken(limited);
    const results = await Promise.all(Array.from({ length: 20 }, () => api(limited, token, `/incident/${limited.companyId}/open/`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(limited.stats().maxCallsInWindow).toBe(21);
    expect(limited.stats().throttled).toBe(0);
  });

  test('the default is 120 calls per 60 s', async () => {
    const dflt = await startSimulator();
    try {
      const token = await getToken(dflt);
      const results = await Promise.all(Array.from({ length: 121 }, () => api(dflt, token, `/incident/${dflt.companyId}/open/`)));
      expect(results.filter((r) => r.status === 429)).toHaveLength(2);
      const throttled = results.find((r) => r.status === 429);
      expect(Number(throttled?.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
      expect(dflt.stats().maxCallsInWindow).toBe(120);
    } finally {
      await dflt.close();
    }
  });
});

test('stats: per-endpoint counts, request log, resetStats', async () => {
  const local = await startSimulator({ incidents: 3, rateLimit: null });
  try {
    const token = await getToken(local);
    const id = local.incidentIds()[0] as number;
    await api(local, token, listPath(local, { page: 1 }));
    await api(local, token, `/incident/${local.companyId}/details/${id}`);
    await api(local, token, `/incident/${local.companyId}/open/`);
    await http(`${local.url}/favicon.ico`);
    const stats = local.stats();
    expect(stats.requests).toEqual({ token: 1, list: 1, open: 1, details: 1, mitigations: 0, mailboxes: 0, ato: 0, emails: 0, scanback: 0, deepfake: 0, other: 1 });
    expect(stats.total).toBe(5);
    expect(stats.log.map((e) => [e.method, e.endpoint, e.status])).toEqual([
      ['POST', 'token', 200], ['GET', 'list', 200], ['GET', 'details', 200], ['GET', 'open', 200], ['GET', 'other', 404],
    ]);
    expect(stats.log[1]?.path).toBe(`/appapi/incident/${local.companyId}/list/?page=1`);
    expect(typeof stats.log[0]?.at).toBe('number');
    local.resetStats();
    expect(local.stats()).toEqual({
      requests: { token: 0, list: 0, open: 0, details: 0, mitigations: 0, mailboxes: 0, ato: 0, emails: 0, scanback: 0, deepfake: 0, other: 0 }, total: 0, throttled: 0, injectedFaults: 0, maxCallsInWindow: 0, emailsMaxCallsInWindow: 0, log: [],
    });
  } finally {
    await local.close();
  }
});
