/**
 * Contract tests for the switches that reproduce what a real API behind real gateways sends:
 * a fault on the Nth call of an endpoint, a gateway's error page (HTML, empty or JSON), a 429
 * whose only hint is the DRF text, per-incident account-takeover failures, and the list's
 * undocumented page limits.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, listPath } from './helpers.js';

let sim: Simulator;
let jwt: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 14, incidents: 40, rateLimit: null, goneRatio: 0 });
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

describe('faults on the Nth call', () => {
  test('skip lets the first matching calls pass, then the fault applies count times', async () => {
    sim.clearFaults();
    sim.resetStats();
    sim.inject({ kind: 'error_page', status: 404, endpoint: 'list', skip: 2, count: 1 });
    const statuses: number[] = [];
    // a details call in between does not count: the fault matches list calls only
    await api(sim, jwt, `/incident/${sim.companyId}/details/${sim.incidentIds()[0]}`);
    for (let i = 0; i < 4; i++) statuses.push((await api(sim, jwt, listPath(sim))).status);
    expect(statuses).toEqual([200, 200, 404, 200]);
    expect(sim.stats().injectedFaults).toBe(1);
  });

  test('a skipping fault does not hide a later fault that matches', async () => {
    sim.clearFaults();
    sim.inject({ kind: 'error_page', status: 404, endpoint: 'list', skip: 5, count: 1 });
    sim.inject({ kind: 'server_error', status: 503, endpoint: 'list', count: 1 });
    expect((await api(sim, jwt, listPath(sim))).status).toBe(503);
    sim.clearFaults();
  });
});

describe('error pages', () => {
  test('html, empty and json bodies', async () => {
    sim.inject({ kind: 'error_page', status: 404, body: 'html', count: 1 });
    sim.inject({ kind: 'error_page', status: 404, body: 'empty', count: 1 });
    sim.inject({ kind: 'error_page', status: 404, body: 'json', count: 1 });
    const html = await api(sim, jwt, listPath(sim));
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toBe('<html><body><h1>404 Not Found</h1></body></html>');
    const empty = await api(sim, jwt, listPath(sim));
    expect(empty.status).toBe(404);
    expect(empty.text).toBe('');
    const json = await api(sim, jwt, listPath(sim));
    expect(json.status).toBe(404);
    expect(json.body).toEqual({ detail: 'Not found.' });
    expect((await api(sim, jwt, listPath(sim))).status).toBe(200);
  });

  test('a status outside 300..599 is refused', () => {
    expect(() => sim.inject({ kind: 'error_page', status: 200, count: 1 })).toThrow(RangeError);
  });
});

test('canned: a fixed JSON answer, such as a list page that claims to be empty', async () => {
  const empty = { page: 1, total_pages: 0, total_count: 0, incidents: [] };
  sim.inject({ kind: 'canned', status: 200, body: empty, endpoint: 'list', count: 1 });
  expect((await api(sim, jwt, listPath(sim))).body).toEqual(empty);
  expect((await api(sim, jwt, listPath(sim))).body.total_count).toBe(40);
});

test('removeIncidents: deleted incidents vanish from the list and details', async () => {
  const local = await startSimulator({ seed: 16, incidents: 5, rateLimit: null, goneRatio: 0 });
  try {
    const [gone] = local.incidentIds() as [number];
    local.removeIncidents([gone]);
    const token = await getToken(local);
    expect((await api(local, token, listPath(local))).body.total_count).toBe(4);
    expect((await api(local, token, `/incident/${local.companyId}/details/${gone}`)).status).toBe(404);
  } finally {
    await local.close();
  }
});

test('a throttle without Retry-After: only the DRF text says how long', async () => {
  sim.inject({ kind: 'throttle', count: 1, retryAfterSeconds: 60, retryAfterHeader: false, endpoint: 'details' });
  const res = await api(sim, jwt, `/incident/${sim.companyId}/details/${sim.incidentIds()[0]}`);
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBeNull();
  expect(res.body).toEqual({ detail: 'Request was throttled. Expected available in 60 seconds.' });
});

describe('failAccountTakeover', () => {
  test('one account-takeover incident answers the given status until healed', async () => {
    const local = await startSimulator({ seed: 15, incidents: 0, rateLimit: null });
    try {
      const [ato, other] = local.addIncidents([{ reportType: 'ato' }, { reportType: 'ato' }]) as [number, number];
      const token = await getToken(local);
      const path = (id: number) => `/incident/${local.companyId}/account-takeover/${id}/details/`;
      local.failAccountTakeover(ato, 403, 'json');
      const refused = await api(local, token, path(ato));
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ detail: 'You do not have permission to perform this action.' });
      expect((await api(local, token, path(other))).status).toBe(200);
      local.failAccountTakeover(ato, 502);
      expect((await api(local, token, path(ato))).text).toContain('502 Bad Gateway');
      local.healAccountTakeover(ato);
      expect((await api(local, token, path(ato))).status).toBe(200);
    } finally {
      await local.close();
    }
  });
});

describe('list limits', () => {
  test('pageCap: pages hold at most the cap and total_pages follows it', async () => {
    sim.setListLimits({ pageCap: 15 });
    try {
      const first = await api(sim, jwt, listPath(sim, { items_per_page: 500, sort: 'incidentID', order: 'asc' }));
      expect(first.body.incidents).toHaveLength(15);
      expect(first.body.total_count).toBe(40);
      expect(first.body.total_pages).toBe(3);
      const third = await api(sim, jwt, listPath(sim, { items_per_page: 500, sort: 'incidentID', order: 'asc', page: 3 }));
      expect(third.body.incidents).toHaveLength(10);
    } finally {
      sim.setListLimits({ pageCap: null });
    }
  });

  test('maxItemsPerPage: a larger items_per_page gets a 400 that names the parameter', async () => {
    sim.setListLimits({ maxItemsPerPage: 100 });
    try {
      const refused = await api(sim, jwt, listPath(sim, { items_per_page: 500 }));
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ error_message: 'Invalid value for items_per_page: 500 (at most 100)' });
      expect((await api(sim, jwt, listPath(sim, { items_per_page: 100 }))).status).toBe(200);
    } finally {
      sim.setListLimits({ maxItemsPerPage: 1000 });
    }
  });
});
