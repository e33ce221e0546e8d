/**
 * What each endpoint method sends and how it reads the answer: the incident list against the
 * simulator (query, order, both filters), and account-takeover details, mitigations and
 * mailboxes against a local server (paths, bodies, paging merged, 404 as "none").
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { IronscalesClient } from '../../src/ironscales/client.js';
import { IronscalesApiError } from '../../src/ironscales/errors.js';
import { parseTimestamp } from '../../src/ironscales/timestamps.js';
import { clientOptions, fakeJwt, startLocalServer, type Answer, type LocalServer } from './local-server.js';

describe('incident list, against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 9, incidents: 0, rateLimit: null });
    sim.addIncidents(
      Array.from({ length: 30 }, (_, i) => ({
        // Ten incidents share each of three instants: the order must still be total.
        first_reported_date: `2025-05-0${1 + (i % 3)}T10:00:00.000000Z`,
        incident_id: 5000 + ((i * 7) % 30),
      })),
    );
  });
  afterAll(() => sim.close());

  const client = () => new IronscalesClient(clientOptions(sim.url, { companyId: sim.companyId, apiKey: sim.apiKey }));

  test('sends page, size, incidentID order, state/reportType=all and inclusive microsecond bounds', async () => {
    sim.resetStats();
    const c = client();
    const start = parseTimestamp('2025-05-01T10:00:00.000000Z');
    const end = parseTimestamp('2025-05-02T10:00:00.000000Z');
    const page = await c.listIncidents({ page: 1, itemsPerPage: 100, created: { start, end } });
    const query = new URL(sim.stats().log.find((e) => e.endpoint === 'list')!.path, sim.url).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      page: '1',
      items_per_page: '100',
      sort: 'incidentID',
      order: 'asc',
      state: 'all',
      reportType: 'all',
      created_start_time: '2025-05-01T10:00:00.000000+00:00',
      created_end_time: '2025-05-02T10:00:00.000000+00:00',
    });
    // Both bounds inclusive: the incidents of 05-01 and 05-02, not those of 05-03.
    expect(page?.total_count).toBe(20);
    expect(c.calls).toMatchObject({ token: 1, list: 1 });
  });

  test('pages in incidentID order cover every incident once, even among equal times', async () => {
    const c = client();
    const ids: number[] = [];
    for (let p = 1; ; p++) {
      const page = await c.listIncidents({ page: p, itemsPerPage: 7 });
      if (!page) break;
      ids.push(...page.incidents.map((i) => i.incidentID));
      if (p >= page.total_pages) break;
    }
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(30);
  });

  test('the created and last-update filters may be sent together', async () => {
    sim.resetStats();
    const range = { start: parseTimestamp('2025-05-01T00:00:00Z'), end: parseTimestamp('2025-05-04T00:00:00Z') };
    await client().listIncidents({ page: 1, itemsPerPage: 10, created: range, lastUpdate: range });
    const query = new URL(sim.stats().log.find((e) => e.endpoint === 'list')!.path, sim.url).searchParams;
    expect([...query.keys()]).toEqual(expect.arrayContaining(['created_start_time', 'created_end_time', 'last_update_start_time', 'last_update_end_time']));
  });

  test('a page past the end is undefined', async () => {
    await expect(client().listIncidents({ page: 99, itemsPerPage: 10 })).resolves.toBeUndefined();
  });
});

describe('account takeover, mitigations, mailboxes, against a local server', () => {
  let server: LocalServer;
  let routes: (path: string, body: string) => Answer;
  beforeAll(async () => {
    server = await startLocalServer((req) => {
      if (req.url.pathname === '/appapi/get-token/') return { status: 200, json: { jwt: fakeJwt({ exp: Date.now() / 1000 + 3600 }) } };
      if (req.headers.authorization === undefined) return { status: 403, json: { detail: 'Missing JWT' } };
      return routes(req.path, req.body);
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });
  const client = () => new IronscalesClient(clientOptions(server.url));
  const dataRequests = () => server.requests.filter((r) => !r.path.startsWith('/appapi/get-token/'));

  test('ATO details: every page of alerts merged into one incident_details', async () => {
    const alerts = Array.from({ length: 7 }, (_, i) => ({ id: 100 + i, title: `alert ${i}` }));
    routes = (path) => {
      const url = new URL(path, server.url);
      const page = Number(url.searchParams.get('page'));
      // Three per page, and alert 103 shows up on pages 2 and 3, as if the list shifted while paging.
      const slice = page === 3 ? [alerts[3]!, alerts[6]!] : alerts.slice((page - 1) * 3, page * 3 + (page === 2 ? 1 : 0));
      return { status: 200, json: { incident_details: { id: 42, state: 1, account_details: { email: 'a@b.c' }, alerts: slice }, filter_options: {}, pages_count: 3, page, items_per_page: 3 } };
    };
    const c = client();
    const details = await c.getAccountTakeoverDetails(42);
    expect(details).toMatchObject({ id: 42, state: 1, account_details: { email: 'a@b.c' } });
    expect((details!.alerts as Array<{ id: number }>).map((a) => a.id)).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(dataRequests().map((r) => r.path)).toEqual([1, 2, 3].map((p) => `/appapi/incident/77/account-takeover/42/details/?page=${p}&items_per_page=500`));
    expect(c.calls.ato).toBe(3);
  });

  test.each([404, 410])('ATO details %i → undefined', async (status) => {
    routes = () => ({ status, json: { detail: 'Not found.' } });
    await expect(client().getAccountTakeoverDetails(42)).resolves.toBeUndefined();
  });

  test('mitigations: POST with the incident ids and page; 404 → undefined', async () => {
    const rows = [{ incidentID: 5, mailboxId: 9, mailboxEmail: 'x@y.z', incidentState: 'Remediated' }];
    routes = (_path, body) => (JSON.parse(body).page === 1 ? { status: 200, json: { page: 1, total_pages: 1, mitigations: rows, messages: [] } } : { status: 404, json: { detail: 'Not found.' } });
    const c = client();
    await expect(c.listMitigations([5, 6], 1)).resolves.toMatchObject({ page: 1, total_pages: 1, mitigations: rows });
    await expect(c.listMitigations([5, 6], 2)).resolves.toBeUndefined();
    const sent = dataRequests()[0]!;
    expect({ method: sent.method, path: sent.path, body: JSON.parse(sent.body), type: sent.headers['content-type'] }).toEqual({
      method: 'POST',
      path: '/appapi/mitigation/77/details/',
      body: { incidents: [5, 6], page: 1 },
      type: 'application/json',
    });
    expect(c.calls.mitigations).toBe(2);
  });

  test('mailboxes: GET with page and size; 404 → undefined', async () => {
    routes = (path) =>
      path.includes('page=1&') ? { status: 200, json: { page: 1, total_pages: 1, total_count: 1, mailboxes: [{ id: 3, email: 'm@x.y', riskLevel: 'low' }] } } : { status: 404, json: {} };
    const c = client();
    await expect(c.listMailboxes(1, 250)).resolves.toMatchObject({ total_count: 1, mailboxes: [{ id: 3, email: 'm@x.y', riskLevel: 'low' }] });
    await expect(c.listMailboxes(2, 250)).resolves.toBeUndefined();
    expect(dataRequests()[0]!.path).toBe('/appapi/mailboxes/77/list/?page=1&items_per_page=250');
  });

  test.each<[string, () => Promise<unknown>, Answer]>([
    ['a mitigations page without rows', () => client().listMitigations([1], 1), { status: 200, json: { page: 1, total_pages: 1 } }],
    ['a mailbox without id', () => client().listMailboxes(1, 10), { status: 200, json: { page: 1, total_pages: 1, total_count: 1, mailboxes: [{ email: 'x' }] } }],
    ['ATO details without incident_details', () => client().getAccountTakeoverDetails(1), { status: 200, json: { pages_count: 1 } }],
    ['a list item without incidentID', () => client().listIncidents({ page: 1, itemsPerPage: 1 }), { status: 200, json: { page: 1, total_pages: 1, total_count: 1, incidents: [{ created: 'x' }] } }],
  ])('%s is an unexpected answer', async (_name, call, answer) => {
    routes = () => answer;
    const err = await call().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IronscalesApiError);
    expect((err as IronscalesApiError).failure).toBe('unexpected');
  });
});
