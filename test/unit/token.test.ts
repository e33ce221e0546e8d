/**
 * Token rules, over HTTP against a local server that issues JWTs with chosen claims: any 401
 * renews the token once and retries; a 403 renews it when it names the token or when the token
 * is past its `exp`; renewal happens ahead of `exp` (in IRONSCALES' time); concurrent callers
 * share one renewal; each JWT is handed to onToken before it is ever sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { IronscalesClient } from '../../src/ironscales/client.js';
import { IronscalesApiError } from '../../src/ironscales/errors.js';
import { clientOptions, fakeJwt, startLocalServer, type Answer, type LocalServer } from './local-server.js';

const EMPTY_PAGE: Answer = { status: 200, json: { page: 1, total_pages: 1, total_count: 0, incidents: [] } };

interface Setup {
  /** Claims of the n-th token (0-based), in seconds of the server's clock. */
  claims?: (n: number, serverNowS: number) => Record<string, unknown>;
  /** The data endpoint's answer to a call made with the n-th token. */
  answer: (tokenIndex: number) => Answer;
  /** Server clock minus real time. */
  serverOffsetMs?: number;
}

interface Harness {
  server: LocalServer;
  issued: string[];
  /** Tokens the client registered through onToken, in order. */
  registered: string[];
  /** Data calls whose token had not been registered before it arrived (must stay 0). */
  unregisteredUses: number;
  logs: string[];
  client(extra?: Record<string, unknown>): IronscalesClient;
}

const open: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function harness(setup: Setup): Promise<Harness> {
  const offset = setup.serverOffsetMs ?? 0;
  const h = { issued: [] as string[], registered: [] as string[], unregisteredUses: 0, logs: [] as string[] } as Harness;
  h.server = await startLocalServer((req) => {
    const date = { Date: new Date(Date.now() + offset).toUTCString() };
    if (req.url.pathname === '/appapi/get-token/') {
      const nowS = (Date.now() + offset) / 1000;
      const jwt = fakeJwt(setup.claims?.(h.issued.length, nowS) ?? { iat: nowS, exp: nowS + 3600 }, String(h.issued.length));
      h.issued.push(jwt);
      return { status: 200, json: { jwt }, headers: date };
    }
    const jwt = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!h.registered.includes(jwt)) h.unregisteredUses += 1;
    const answer = setup.answer(h.issued.indexOf(jwt));
    return answer === 'hang' || answer === 'reset' ? answer : { ...answer, headers: { ...date, ...answer.headers } };
  });
  open.push(h.server);
  h.client = (extra = {}) =>
    new IronscalesClient(clientOptions(h.server.url, extra), {
      onToken: (jwt) => void h.registered.push(jwt),
      onLog: (m) => void h.logs.push(m),
    });
  return h;
}

const list = (client: IronscalesClient) => client.listIncidents({ page: 1, itemsPerPage: 10 });
const dataCalls = (h: Harness) => h.server.requests.filter((r) => !r.path.startsWith('/appapi/get-token/')).length;

describe('renewal on refusal', () => {
  test.each<[string, Answer]>([
    ['401 "Signature has expired." (JSON)', { status: 401, json: { detail: 'Signature has expired.' } }],
    ['401 with a plain-text body', { status: 401, text: 'Signature has expired.', contentType: 'text/plain' }],
    ['401 with no body at all', { status: 401, text: '' }],
    ['403 "JWT expired"', { status: 403, json: { detail: 'JWT expired' } }],
    ['403 "Invalid JWT"', { status: 403, json: { detail: 'Invalid JWT' } }],
  ])('%s → one new token, the call retried and answered', async (_name, refusal) => {
    const h = await harness({ answer: (t) => (t === 0 ? refusal : EMPTY_PAGE) });
    const client = h.client();
    await expect(list(client)).resolves.toMatchObject({ total_count: 0 });
    expect(h.issued).toHaveLength(2);
    expect(dataCalls(h)).toBe(2);
    expect(client.calls).toMatchObject({ token: 2, list: 1 });
    expect(h.logs.some((l) => /getting a new token/.test(l))).toBe(true);
    expect(h.unregisteredUses).toBe(0);
  });

  test('a 401 to every token ends, after a few renewals, as a credentials failure', async () => {
    const h = await harness({ answer: () => ({ status: 401, json: { detail: 'Signature has expired.' } }) });
    const err = await list(h.client()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IronscalesApiError);
    expect((err as IronscalesApiError).failure).toBe('credentials');
    expect((err as IronscalesApiError).message).toMatch(/kept refusing freshly issued tokens/);
    expect(h.issued).toHaveLength(4);
  });

  test('a 403 that does not name the token, with a token still valid, is a permission failure without renewal', async () => {
    const h = await harness({ answer: () => ({ status: 403, json: { detail: 'You do not have permission to perform this action.' } }) });
    const err = await list(h.client()).catch((e: unknown) => e);
    expect((err as IronscalesApiError).failure).toBe('permission');
    expect(h.issued).toHaveLength(1);
  });

  test('the same 403 with a token past its exp renews the token', async () => {
    const h = await harness({
      // The first token is already expired by IRONSCALES' clock.
      claims: (n, now) => (n === 0 ? { iat: now - 7200, exp: now - 10 } : { iat: now, exp: now + 3600 }),
      answer: (t) => (t === 0 ? { status: 403, json: { detail: 'You do not have permission to perform this action.' } } : EMPTY_PAGE),
    });
    await expect(list(h.client())).resolves.toBeDefined();
    expect(h.issued).toHaveLength(2);
  });

  test('concurrent calls refused together share one renewal', async () => {
    const h = await harness({ answer: (t) => (t === 0 ? { status: 401, json: { detail: 'Signature has expired.' } } : { status: 200, json: { incident_id: 1 } }) });
    const client = h.client();
    await client.authenticate();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => client.getIncidentDetails(i + 1)));
    expect(results.every((r) => r.found)).toBe(true);
    expect(h.issued).toHaveLength(2);
    expect(h.unregisteredUses).toBe(0);
  });
});

describe('renewal ahead of exp', () => {
  test('a short-lived token is renewed before IRONSCALES would refuse it', async () => {
    // Lifetime 4 s: renewed halfway, so the 401 this server would send after exp never happens.
    const h = await harness({
      claims: (_n, now) => ({ iat: now, exp: now + 4 }),
      answer: () => EMPTY_PAGE,
    });
    const client = h.client();
    await list(client);
    // Past halfway even if the clock estimate (Date headers have whole seconds) is half a second behind.
    await sleep(2700);
    await list(client);
    expect(h.issued).toHaveLength(2);
    const authOf = (i: number) => h.server.requests.filter((r) => !r.path.startsWith('/appapi/get-token/'))[i]!.headers.authorization;
    expect(authOf(1)).toBe(`Bearer ${h.issued[1]}`);
    expect(h.unregisteredUses).toBe(0);
  });

  test('a long-lived token is kept', async () => {
    const h = await harness({ answer: () => EMPTY_PAGE });
    const client = h.client();
    for (let i = 0; i < 5; i++) await list(client);
    expect(h.issued).toHaveLength(1);
  });

  test("exp is read in IRONSCALES' time: a server clock 1 h ahead does not make a fresh token look expired", async () => {
    const h = await harness({ serverOffsetMs: 3_600_000, claims: (_n, now) => ({ iat: now, exp: now + 1800 }), answer: () => EMPTY_PAGE });
    const client = h.client();
    await list(client);
    await list(client);
    expect(h.issued).toHaveLength(1);
  });

  test('a token without exp is renewed only on refusal', async () => {
    const h = await harness({ claims: () => ({}), answer: () => EMPTY_PAGE });
    const client = h.client();
    await list(client);
    await list(client);
    expect(h.issued).toHaveLength(1);
  });
});
