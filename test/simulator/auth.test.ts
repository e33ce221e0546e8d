/** Contract tests: get-token and authentication of the incident endpoints. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, http, postToken, sleep } from './helpers.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, incidents: 20, rateLimit: null });
});
afterAll(() => sim.close());

describe('POST /appapi/get-token/', () => {
  test('a valid key and scopes give a JWT-looking token', async () => {
    const res = await postToken(sim, { key: sim.apiKey, scopes: ['company.all'] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.body)).toEqual(['jwt']);
    const parts = (res.body.jwt as string).split('.');
    expect(parts).toHaveLength(3);
    const payload = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
    expect(payload.company_id).toBe(sim.companyId);
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
  });

  test('defaults: company 12345 and a fixed key per seed', async () => {
    expect(sim.companyId).toBe(12345);
    expect(sim.apiKey).toBe('sim-key-3');
    const other = await startSimulator({ seed: 4 });
    try {
      expect(other.apiKey).not.toBe(sim.apiKey);
      expect(other.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await other.close();
    }
  });

  test('unknown key → 403 "No company found for API key"', async () => {
    const res = await postToken(sim, { key: 'nope', scopes: ['company.all'] });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error_message: 'No company found for API key' });
  });

  test.each([
    ['missing', { key: 'k' }],
    ['empty', { key: 'k', scopes: [] }],
    ['not an array', { key: 'k', scopes: 'company.all' }],
  ])('scopes %s → 400', async (_label, payload) => {
    const res = await postToken(sim, { ...payload, key: sim.apiKey });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_message: 'Missing scope list under "scopes"' });
  });

  test('a body that is not JSON → 400', async () => {
    const res = await postToken(sim, '{"key": ');
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/JSON parse error/);
  });

  test('a non-JSON content type → 415 (DRF parser behaviour)', async () => {
    const res = await postToken(sim, JSON.stringify({ key: sim.apiKey, scopes: ['company.all'] }), 'text/plain');
    expect(res.status).toBe(415);
  });

  test('unknown scope names → 403', async () => {
    const res = await postToken(sim, { key: sim.apiKey, scopes: ['company.everything'] });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error_message: 'Company does not have permission for requested scopes' });
  });

  test('GET is not allowed; a missing trailing slash redirects', async () => {
    const get = await http(`${sim.url}/appapi/get-token/`);
    expect(get.status).toBe(405);
    const noSlash = await http(`${sim.url}/appapi/get-token`, { method: 'POST', body: '{}' });
    expect(noSlash.status).toBe(301);
    expect(noSlash.headers.get('location')).toBe('/appapi/get-token/');
  });
});

describe('Authorization on incident endpoints', () => {
  test('both "Bearer" and "JWT" schemes are accepted', async () => {
    const jwt = await getToken(sim);
    const bearer = await api(sim, jwt, `/incident/${sim.companyId}/open/`, 'Bearer');
    const jwtScheme = await api(sim, jwt, `/incident/${sim.companyId}/open/`, 'JWT');
    expect(bearer.status).toBe(200);
    expect(jwtScheme.status).toBe(200);
    expect(jwtScheme.body).toEqual(bearer.body);
  });

  test('no Authorization header → 403 Missing JWT (every endpoint)', async () => {
    const id = sim.incidentIds()[0] as number;
    for (const path of [`/incident/${sim.companyId}/list/`, `/incident/${sim.companyId}/open/`, `/incident/${sim.companyId}/details/${id}`]) {
      const res = await api(sim, null, path);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'Missing JWT' });
    }
  });

  test('a garbage token → 403 Invalid JWT', async () => {
    const res = await api(sim, 'not.a.token', `/incident/${sim.companyId}/list/`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'Invalid JWT' });
  });

  test("another company's id → 403 with the company in the message", async () => {
    const jwt = await getToken(sim);
    const res = await api(sim, jwt, '/incident/999/list/');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ message: 'You do not have permission for company 999' });
  });

  test('a token without a read scope → 403', async () => {
    const jwt = await getToken(sim, ['company.classify']);
    const res = await api(sim, jwt, `/incident/${sim.companyId}/open/`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  test('expireAllTokens: old tokens answer JWT expired, new tokens work', async () => {
    const old = await getToken(sim);
    expect((await api(sim, old, `/incident/${sim.companyId}/open/`)).status).toBe(200);
    sim.expireAllTokens();
    const expired = await api(sim, old, `/incident/${sim.companyId}/open/`);
    expect(expired.status).toBe(403);
    expect(expired.body).toEqual({ detail: 'JWT expired' });
    const fresh = await getToken(sim);
    expect((await api(sim, fresh, `/incident/${sim.companyId}/open/`)).status).toBe(200);
  });
});

test('tokens expire after tokenTtlMs', async () => {
  const short = await startSimulator({ tokenTtlMs: 150, rateLimit: null });
  try {
    const jwt = await getToken(short);
    expect((await api(short, jwt, `/incident/${short.companyId}/open/`)).status).toBe(200);
    await sleep(250);
    const res = await api(short, jwt, `/incident/${short.companyId}/open/`);
    expect(res.status).toBe(403);
    expect(res.body.detail.toLowerCase()).toContain('jwt expired');
    const again = await getToken(short);
    expect((await api(short, again, `/incident/${short.companyId}/open/`)).status).toBe(200);
  } finally {
    await short.close();
  }
});

test('unknown paths are a Django-style HTML 404 and count as "other"', async () => {
  sim.resetStats();
  const res = await http(`${sim.url}/appapi/nothing-here/`);
  expect(res.status).toBe(404);
  expect(res.headers.get('content-type')).toMatch(/text\/html/);
  expect(sim.stats().requests.other).toBe(1);
});
