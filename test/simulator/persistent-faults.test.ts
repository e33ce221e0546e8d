/**
 * Contract tests: an incident whose details always fail (failDetails/healDetails), the wordings an
 * expired token can get, and fault injection plus statistics on the newer endpoints.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator, type TokenRejection } from '../../simulator/index.js';
import { api, getToken, http, listAll, listPath } from './helpers.js';

let sim: Simulator;
let jwt: string;
let ids: number[];

beforeAll(async () => {
  sim = await startSimulator({ seed: 51, incidents: 12, rateLimit: null, goneRatio: 0 });
  jwt = await getToken(sim);
  ids = sim.incidentIds();
});
afterAll(() => sim.close());

const details = (id: number, token: string | null = jwt) => api(sim, token, `/incident/${sim.companyId}/details/${id}`);

describe('failDetails / healDetails', () => {
  test('the incident answers 500 (HTML) every time; everything else is normal', async () => {
    const [bad, good] = ids as [number, number];
    sim.failDetails(bad);
    try {
      sim.resetStats();
      for (let i = 0; i < 3; i++) {
        const res = await details(bad);
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.text).toBe('<html><body><h1>500 Internal Server Error</h1></body></html>');
      }
      expect((await details(good)).status).toBe(200);
      // still listed, still open/list as usual; auth still comes first
      expect((await listAll(sim, jwt)).map((i) => i.incidentID)).toContain(bad);
      expect((await details(bad, null)).status).toBe(403);
      const stats = sim.stats();
      expect(stats.requests.details).toBe(5);
      expect(stats.injectedFaults).toBe(0);
    } finally {
      sim.healDetails(bad);
    }
    expect((await details(bad)).body).toEqual(sim.details(bad));
  });

  test('another status with a JSON body; several incidents at once', async () => {
    const [a, b, c] = ids.slice(2) as [number, number, number];
    sim.failDetails(a, 503, 'json');
    sim.failDetails(b, 502);
    try {
      const resA = await details(a);
      expect(resA.status).toBe(503);
      expect(resA.headers.get('content-type')).toBe('application/json');
      expect(resA.body).toEqual({ detail: 'Internal server error.' });
      expect((await details(b)).status).toBe(502);
      expect((await details(c)).status).toBe(200);
      sim.healDetails(a);
      expect((await details(a)).status).toBe(200);
      expect((await details(b)).status).toBe(502);
    } finally {
      sim.healDetails(b);
    }
  });

  test('a status outside 400..599 is refused', () => {
    expect(() => sim.failDetails(ids[0] as number, 200)).toThrow(RangeError);
  });
});

describe('expired-token wordings', () => {
  const open = (token: string) => api(sim, token, `/incident/${sim.companyId}/open/`);
  const answers: [string, TokenRejection][] = [
    ['401 Signature has expired.', { status: 401, body: { detail: 'Signature has expired.' } }],
    ['401 Authentication credentials were not provided.', { status: 401, body: { detail: 'Authentication credentials were not provided.' } }],
    ['403 JWT expired', { status: 403, body: { detail: 'JWT expired' } }],
  ];

  test.each(answers)('expireAllTokens(%s): old tokens get exactly that, new tokens work', async (_label, answer) => {
    const old = await getToken(sim);
    expect((await open(old)).status).toBe(200);
    sim.expireAllTokens(answer);
    const res = await open(old);
    expect(res.status).toBe(answer.status);
    expect(res.body).toEqual(answer.body);
    // DRF only answers 401 with a challenge
    expect(res.headers.get('www-authenticate')).toBe(answer.status === 401 ? 'JWT realm="api"' : null);
    const fresh = await getToken(sim);
    expect((await open(fresh)).status).toBe(200);
    jwt = fresh;
  });

  test('the "wrong company" 403 stays distinct from an expiry', async () => {
    const fresh = await getToken(sim);
    const res = await api(sim, fresh, '/incident/777/list/');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ message: 'You do not have permission for company 777' });
    sim.expireAllTokens({ status: 401, body: { detail: 'Signature has expired.' } });
    expect((await api(sim, fresh, '/incident/777/list/')).body).toEqual({ detail: 'Signature has expired.' });
    jwt = await getToken(sim);
  });

  test('expiredTokenAnswer: the answer a token gets when its TTL runs out', async () => {
    const short = await startSimulator({ rateLimit: null, tokenTtlMs: 1000, expiredTokenAnswer: { status: 401, body: { detail: 'Signature has expired.' } } });
    try {
      const token = await getToken(short);
      short.setClockOffset(2000);
      const res = await api(short, token, `/incident/${short.companyId}/open/`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: 'Signature has expired.' });
    } finally {
      await short.close();
    }
  });

  test('only 401 or 403 can be chosen', () => {
    expect(() => sim.expireAllTokens({ status: 500 as 401, body: {} })).toThrow(RangeError);
  });
});

describe('newer endpoints: faults and statistics', () => {
  test('inject targets mitigations, mailboxes and ato by name; stats count them', async () => {
    const [ato] = sim.addIncidents([{ first_reported_date: '2025-01-01T00:00:00Z', reportType: 'ato' }]);
    const mitigations = () => http(`${sim.url}/appapi/mitigation/${sim.companyId}/details/`, {
      method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ incidents: [ids[0]], page: 1 }),
    });
    const mailboxes = () => api(sim, jwt, `/mailboxes/${sim.companyId}/list/`);
    const atoDetails = () => api(sim, jwt, `/incident/${sim.companyId}/account-takeover/${ato}/details/`);
    sim.resetStats();
    sim.inject({ kind: 'throttle', count: 1, endpoint: 'mitigations', retryAfterSeconds: 4 });
    sim.inject({ kind: 'server_error', count: 1, endpoint: 'mailboxes', status: 503 });
    sim.inject({ kind: 'server_error', count: 2, endpoint: 'ato' });
    expect((await api(sim, jwt, listPath(sim))).status).toBe(200);
    const throttled = await mitigations();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('4');
    expect((await mitigations()).status).toBe(200);
    expect((await mailboxes()).status).toBe(503);
    expect((await mailboxes()).status).toBe(200);
    expect((await atoDetails()).status).toBe(502);
    expect((await atoDetails()).status).toBe(502);
    expect((await atoDetails()).status).toBe(200);
    const stats = sim.stats();
    expect(stats.requests).toEqual({ token: 0, list: 1, open: 0, details: 0, mitigations: 2, mailboxes: 2, ato: 3, emails: 0, scanback: 0, deepfake: 0, other: 0 });
    expect(stats.total).toBe(8);
    expect(stats.injectedFaults).toBe(4);
    expect(stats.log.map((e) => `${e.method} ${e.endpoint} ${e.status}`)).toEqual([
      'GET list 200', 'POST mitigations 429', 'POST mitigations 200', 'GET mailboxes 503', 'GET mailboxes 200', 'GET ato 502', 'GET ato 502', 'GET ato 200',
    ]);
  });

  test('the rate limiter counts the newer endpoints too', async () => {
    const limited = await startSimulator({ rateLimit: { limit: 3, windowMs: 60_000 } });
    try {
      const token = await getToken(limited);
      expect((await api(limited, token, `/mailboxes/${limited.companyId}/list/`)).status).toBe(200);
      expect((await api(limited, token, `/mailboxes/${limited.companyId}/list/`)).status).toBe(200);
      expect((await api(limited, token, `/mailboxes/${limited.companyId}/list/`)).status).toBe(429);
      expect(limited.stats().throttled).toBe(1);
    } finally {
      await limited.close();
    }
  });
});
