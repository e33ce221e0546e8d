/**
 * The response table: what each answer of each endpoint means (pure), and the same answers
 * served over real HTTP by a local server, through the whole client (send loop included).
 */
import { IronscalesClient } from '../../src/ironscales/client.js';
import { IronscalesApiError, type FailureKind } from '../../src/ironscales/errors.js';
import { actionFor, throttleWaitMs, type AnswerFacts, type EndpointKind, type Status } from '../../src/ironscales/responses.js';
import { clientOptions, failureOf, fakeJwt, startLocalServer, type Answer, type LocalServer } from './local-server.js';

type Expected = 'ok' | 'not_found' | 'retry' | 'wait' | 'refresh_token' | FailureKind | `${FailureKind} unless expired`;

/** An answer in IRONSCALES' own JSON, on a request where it documents no "nothing there". */
const ownJson: AnswerFacts = { body: 'json', absentMeansNone: false };
/** The details of one incident, or a page after page 1: a 404 in its own JSON means "nothing there". */
const documented: AnswerFacts = { body: 'json', absentMeansNone: true };

function summary(endpoint: EndpointKind, status: Status, body: string, facts: AnswerFacts = ownJson): Expected {
  const act = actionFor(endpoint, status, body, facts);
  if (act.action !== 'fail') return act.action;
  return act.renewExpiredToken ? `${act.failure} unless expired` : act.failure;
}

describe('the response table', () => {
  test.each<[EndpointKind, Status, string, AnswerFacts, Expected]>([
    // Documented: the details of an unknown incident, a page past the last one — in IRONSCALES' JSON.
    ['list', 404, 'Incident or page were not found', documented, 'not_found'],
    ['details', 404, 'Not found.', documented, 'not_found'],
    ['details', 410, 'Gone', documented, 'not_found'],
    ['details', 410, 'Gone', ownJson, 'not_found'],
    ['ato', 404, 'Incident/company were not found', documented, 'not_found'],
    ['mitigations', 404, 'Invalid page.', documented, 'not_found'],
    ['mailboxes', 404, 'Invalid page.', documented, 'not_found'],
    // Anything else is a fault to retry: page 1 of a list, a mitigations batch, an HTML page, an empty body.
    ['list', 404, 'Incident or page were not found', ownJson, 'retry'],
    ['mitigations', 404, 'Not found.', ownJson, 'retry'],
    ['mailboxes', 404, 'Not found.', ownJson, 'retry'],
    ['details', 404, 'HTTP 404', { body: 'html', absentMeansNone: true }, 'retry'],
    ['list', 404, 'HTTP 404', { body: 'empty', absentMeansNone: true }, 'retry'],
    ['details', 410, 'HTTP 410', { body: 'html', absentMeansNone: true }, 'retry'],
    ['token', 404, 'HTTP 404', { body: 'html', absentMeansNone: false }, 'retry'],
    // IRONSCALES' own words for a company it does not know: the configuration.
    ['list', 404, 'Company not found', ownJson, 'permission'],
    ['details', 404, 'Company not found', documented, 'permission'],
    // The newer endpoints: a page after page 1 may be past the end; page 1 missing is a fault.
    ['scanback', 404, 'Incident or page were not found', documented, 'not_found'],
    ['scanback', 404, 'Incident or page were not found', ownJson, 'retry'],
    ['emails', 404, 'Invalid page.', documented, 'not_found'],
    ['emails', 404, 'Invalid page.', ownJson, 'retry'],
    ['emails', 404, 'Company not found', ownJson, 'permission'],
    // The deepfake feed has no pages; S1 documents its 404 as "Company not found or feature disabled".
    ['deepfake', 404, 'Deepfake protection is not enabled for company 5.', ownJson, 'permission'],
    ['deepfake', 404, 'HTTP 404', { body: 'html', absentMeansNone: false }, 'retry'],
  ])('%s answered %s (%s, %j) → %s', (endpoint, status, body, facts, expected) => {
    expect(summary(endpoint, status, body, facts)).toBe(expected);
  });

  test.each<[EndpointKind, Status, string, Expected]>([
    ['list', 200, '', 'ok'],
    ['mailboxes', 201, '', 'ok'],
    ['list', 410, 'Gone', 'unexpected'],
    ['list', 500, 'Internal server error.', 'retry'],
    ['details', 502, '', 'retry'],
    ['ato', 503, '', 'retry'],
    ['mitigations', 504, '', 'retry'],
    ['token', 500, '', 'retry'],
    ['list', 408, '', 'retry'],
    ['details', 'network', 'connection refused', 'retry'],
    ['list', 'truncated', 'HTTP 200 with an incomplete JSON body', 'retry'],
    ['list', 429, 'Request was throttled. Expected available in 60 seconds.', 'wait'],
    ['token', 429, '', 'wait'],
    ['token', 400, 'Missing scope list under "scopes"', 'bad_request'],
    ['token', 401, 'Invalid key', 'credentials'],
    ['token', 403, 'No company found for API key', 'credentials'],
    ['token', 403, 'API permission disabled', 'credentials'],
    ['token', 404, '', 'credentials'],
    ['list', 401, 'Signature has expired.', 'refresh_token'],
    ['details', 401, 'Invalid token.', 'refresh_token'],
    ['mailboxes', 401, 'HTTP 401', 'refresh_token'],
    ['details', 403, 'JWT expired', 'refresh_token'],
    ['list', 403, 'Missing JWT', 'refresh_token'],
    ['ato', 403, 'Authentication credentials were not provided.', 'refresh_token'],
    ['list', 403, 'Error decoding signature.', 'refresh_token'],
    ['list', 403, 'You do not have permission for company 5', 'permission'],
    ['details', 403, 'Company not found', 'permission'],
    ['list', 403, 'You do not have permission to perform this action.', 'permission unless expired'],
    ['list', 400, '{"end_time": ["This field is required."]}', 'bad_request'],
    ['list', 302, '', 'unexpected'],
    ['details', 418, '', 'unexpected'],
  ])('%s answered %s (%s) → %s', (endpoint, status, body, expected) => {
    expect(summary(endpoint, status, body)).toBe(expected);
  });

  test.each<[string | undefined, string, number]>([
    ['7', '', 7000],
    ['0', '', 100],
    [undefined, 'Request was throttled. Expected available in 12 seconds.', 12_000],
    [undefined, 'Request was throttled. Expected available in 1 second.', 1000],
    ['soon', 'Request was throttled. Expected available in 3 seconds.', 3000],
    [undefined, 'Too many requests', 60_000],
  ])('a 429 with Retry-After %s and body "%s" waits %i ms', (retryAfter, body, ms) => {
    expect(throttleWaitMs(retryAfter, body)).toBe(ms);
  });

  test('a Retry-After date is read against the given (server) time', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(throttleWaitMs('Sun, 01 Jun 2025 12:00:30 GMT', '', now)).toBe(30_000);
  });
});

describe('the table through the client, over HTTP', () => {
  let server: LocalServer;
  /** What the data endpoints answer next; the token endpoint always issues a token. */
  let script: Answer[] = [];
  let fallback: Answer = { status: 200, json: { page: 1, total_pages: 1, total_count: 0, incidents: [] } };

  beforeAll(async () => {
    server = await startLocalServer((req) => {
      if (req.url.pathname === '/appapi/get-token/') return { status: 200, json: { jwt: fakeJwt({ n: Math.random() }) } };
      return script.shift() ?? fallback;
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    script = [];
    fallback = { status: 200, json: { page: 1, total_pages: 1, total_count: 0, incidents: [] } };
    server.requests.length = 0;
  });

  const dataCalls = () => server.requests.filter((r) => !r.path.startsWith('/appapi/get-token/')).length;

  test('a list page past the end (404 in IRONSCALES\' JSON) is undefined', async () => {
    fallback = { status: 404, json: { error_message: 'Incident or page were not found' } };
    const client = new IronscalesClient(clientOptions(server.url));
    await expect(client.listIncidents({ page: 9, itemsPerPage: 10 })).resolves.toBeUndefined();
  });

  test('a 404 on page 1 is never "no incidents": retried, and the answer after it is used', async () => {
    script = [{ status: 404, json: { error_message: 'Incident or page were not found' } }, { status: 404, text: '<html><body><h1>404 Not Found</h1></body></html>', contentType: 'text/html' }];
    fallback = { status: 200, json: { page: 1, total_pages: 1, total_count: 1, incidents: [{ incidentID: 7, created: '2025-01-01T00:00:00Z' }] } };
    const client = new IronscalesClient(clientOptions(server.url));
    const page = await client.listIncidents({ page: 1, itemsPerPage: 10 });
    expect(page?.total_count).toBe(1);
    expect(dataCalls()).toBe(3);
  });

  test('an HTML 404 that persists on page 1 fails as "unavailable", naming the body and the host to check', async () => {
    fallback = { status: 404, text: '<html><body><h1>404 Not Found</h1></body></html>', contentType: 'text/html' };
    const client = new IronscalesClient(clientOptions(server.url, { maxRetryMs: 1200 }));
    const err = await failureOf(client.listIncidents({ page: 1, itemsPerPage: 10 }));
    expect(err.failure).toBe('unavailable');
    expect(err.message).toMatch(/HTTP 404 with an HTML page to GET incident list/);
    expect(err.message).toMatch(/API Host/);
  });

  test.each([404, 410])('details %i is "not found" with the reason IRONSCALES gave', async (status) => {
    fallback = { status, json: { detail: 'Not available for ATO incidents' } };
    const client = new IronscalesClient(clientOptions(server.url));
    await expect(client.getIncidentDetails(5)).resolves.toEqual({ found: false, status, message: 'Not available for ATO incidents' });
  });

  test.each<[string, FailureKind, Answer, RegExp]>([
    ['400 on the list', 'bad_request', { status: 400, json: { error_message: 'bad created_start_time' } }, /rejected the GET incident list call as invalid \(bad created_start_time\)/],
    ['403 for another company', 'permission', { status: 403, json: { message: 'You do not have permission for company 77' } }, /no permission for company 77/],
    ['403 without a reason, token still valid', 'permission', { status: 403, json: { detail: 'You do not have permission to perform this action.' } }, /company\.all \(or company\.view\) scope/],
    ['an undocumented status', 'unexpected', { status: 418, text: "I'm a teapot", contentType: 'text/plain' }, /HTTP 418 \(I'm a teapot\)/],
    ['5xx that never ends', 'unavailable', { status: 503, json: { detail: 'Service unavailable' } }, /IRONSCALES API unavailable at 127\.0\.0\.1:\d+ \(Service unavailable; GET incident list\), still after retrying/],
    ['429 asking for longer than the budget', 'throttled', { status: 429, json: { detail: 'Request was throttled. Expected available in 60 seconds.' }, headers: { 'Retry-After': '60' } }, /waited 0 s as it asked, and its last answer asked for 60 s more, past the 2 s this call may wait/],
  ])('%s → IronscalesApiError %s, with no Airbyte wording', async (_name, kind, answer, message) => {
    fallback = answer;
    const client = new IronscalesClient(clientOptions(server.url, { maxRetryMs: 1500 }));
    const err = await failureOf(client.listIncidents({ page: 1, itemsPerPage: 10 }));
    expect(err.failure).toBe(kind);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/airbyte/i);
  });

  test('a truncated body and a 500 are retried, and the third answer is used', async () => {
    script = [{ status: 200, text: '{"page": 1, "total_pa' }, { status: 500, json: { detail: 'Internal server error.' } }];
    const retries: string[] = [];
    const client = new IronscalesClient(clientOptions(server.url), { onRetry: (reason) => void retries.push(reason) });
    const page = await client.listIncidents({ page: 1, itemsPerPage: 10 });
    expect(page?.total_count).toBe(0);
    expect(dataCalls()).toBe(3);
    expect(retries).toEqual([expect.stringMatching(/incomplete JSON body/), expect.stringMatching(/Internal server error/)]);
    expect(client.calls.list).toBe(1);
  });

  test('a connection dropped mid-request is retried', async () => {
    script = ['reset'];
    const client = new IronscalesClient(clientOptions(server.url));
    await expect(client.listIncidents({ page: 1, itemsPerPage: 10 })).resolves.toBeDefined();
    expect(dataCalls()).toBe(2);
  });

  test('a 429 waits for Retry-After, reports it once, then goes on', async () => {
    script = [{ status: 429, json: { detail: 'Request was throttled. Expected available in 1 second.' }, headers: { 'Retry-After': '1' } }];
    const waits: number[] = [];
    const client = new IronscalesClient(clientOptions(server.url), { onRateLimited: (ms) => void waits.push(ms) });
    const started = performance.now();
    await expect(client.listIncidents({ page: 1, itemsPerPage: 10 })).resolves.toBeDefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(waits).toEqual([1000]);
  });

  test('details accept a short retry budget of their own', async () => {
    fallback = { status: 503, json: { detail: 'Service unavailable' } };
    const client = new IronscalesClient(clientOptions(server.url, { maxRetryMs: 60_000 }));
    const started = performance.now();
    const err = await failureOf(client.getIncidentDetails(8, { retryBudgetMs: 800 }));
    expect(err.failure).toBe('unavailable');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('details that are not a JSON object are unexpected', async () => {
    fallback = { status: 200, json: [1, 2] };
    const client = new IronscalesClient(clientOptions(server.url));
    expect((await failureOf(client.getIncidentDetails(8))).failure).toBe('unexpected');
  });
});

describe('the token request', () => {
  test.each<[string, FailureKind, Answer, RegExp]>([
    ['an unknown key', 'credentials', { status: 403, json: { error_message: 'No company found for API key' } }, /rejected the API key \(No company found for API key\)/],
    ['no scopes', 'bad_request', { status: 400, json: { error_message: 'Missing scope list under "scopes"' } }, /Check the Scopes setting/],
    ['a 200 without a token', 'unexpected', { status: 200, json: { token: 'x' } }, /without a token/],
  ])('%s → %s', async (_name, kind, answer, message) => {
    const server = await startLocalServer(() => answer);
    try {
      const client = new IronscalesClient(clientOptions(server.url));
      const err = await client.authenticate().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IronscalesApiError);
      expect((err as IronscalesApiError).failure).toBe(kind);
      expect((err as IronscalesApiError).message).toMatch(message);
      expect(JSON.parse(server.requests[0]!.body)).toEqual({ key: 'unit-test-key', scopes: ['company.all'] });
    } finally {
      await server.close();
    }
  });
});
