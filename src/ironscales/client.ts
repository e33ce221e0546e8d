/**
 * The IRONSCALES appapi client: token, incident list pages and incident details, over fetch.
 * It owns everything between "I want page 3" and a parsed answer: the rate limiter, token refresh
 * when the JWT expires, 429 waits that honour Retry-After, and bounded exponential-backoff retries
 * (p-retry, with jitter) for 5xx, resets, timeouts and truncated bodies. What it cannot fix becomes
 * an AirbyteTracedError whose failure type tells Airbyte whether to retry.
 */
import pRetry from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import { AirbyteTracedError, configError, transientError } from '../airbyte/errors.js';
import { HttpTransport, TransportError } from './http.js';
import { RateLimiter } from './rate-limiter.js';
import { formatQueryTimestamp, type Micros } from './timestamps.js';

export interface ClientOptions {
  baseUrl: string;
  companyId: number;
  apiKey: string;
  scopes: string[];
  requestsPerMinute: number;
  requestTimeoutMs: number;
  maxRetryMs: number;
}

export interface ClientEvents {
  /** A 429 made every caller wait `waitMs` (the server's Retry-After). */
  onRateLimited?(waitMs: number, quotaResetEpochMs: number): void | Promise<void>;
  /** A request failed and will be retried (with exponential backoff). */
  onRetry?(reason: string, attempt: number): void | Promise<void>;
  /** A new token was issued (the value is registered as a secret before anything can print it). */
  onToken?(jwt: string): void;
  onLog?(message: string): void | Promise<void>;
}

/** One item of the list endpoint (camelCase, as IRONSCALES sends it); unknown fields are kept. */
export interface IncidentListItem {
  incidentID: number;
  created: string;
  classification?: string;
  [field: string]: unknown;
}

export interface IncidentListPage {
  page: number;
  total_pages: number;
  total_count: number;
  incidents: IncidentListItem[];
}

export interface ListQuery {
  /** Which time the window filters: first report (created_*) or last update (last_update_*). */
  filter: 'created' | 'last_update';
  start: Micros;
  end: Micros;
  page: number;
  itemsPerPage: number;
}

export type DetailsResult =
  | { found: true; details: Record<string, unknown> }
  | { found: false; status: number; message: string };

/** Failures worth another attempt: network faults, timeouts, 5xx, unreadable bodies. */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface RawResponse {
  status: number;
  retryAfter: string | undefined;
  body: unknown;
  /** The start of the raw body, for error messages. */
  snippet: string;
}

/** Default wait when a 429 names no time: IRONSCALES' own message says 60 seconds. */
const DEFAULT_THROTTLE_WAIT_MS = 60_000;
/**
 * A call whose token expired gets a new one and tries again; a token can also expire while the
 * call waits out a long 429, so a few refreshes are allowed before "refused" is believed.
 */
const MAX_TOKEN_REFRESHES_PER_CALL = 3;
/** Open connections at most; more than the stream's concurrent calls, so none waits for a socket. */
const MAX_CONNECTIONS = 32;
/** During long waits, say so at least this often, so the platform's logs never go silent. */
const WAIT_LOG_INTERVAL_MS = 60_000;

export class IronscalesClient {
  private readonly limiter: RateLimiter;
  private readonly http: HttpTransport;
  private token: string | undefined;
  private tokenRequest: Promise<string> | undefined;
  /** Calls made, by kind — for logs and tests. */
  readonly calls = { token: 0, list: 0, details: 0 };

  constructor(
    private readonly options: ClientOptions,
    private readonly events: ClientEvents = {},
  ) {
    this.limiter = new RateLimiter(options.requestsPerMinute);
    this.http = new HttpTransport(options.baseUrl, MAX_CONNECTIONS);
  }

  private get apiRoot(): string {
    return `${this.options.baseUrl}/appapi`;
  }

  /** Gets a fresh JWT (one per sync; again only when IRONSCALES says it expired). */
  async authenticate(): Promise<void> {
    await this.refreshToken(undefined);
  }

  private refreshToken(stale: string | undefined): Promise<string> {
    if (this.token !== undefined && this.token !== stale) return Promise.resolve(this.token);
    // One refresh for all concurrent callers that saw the same expired token.
    this.tokenRequest ??= this.requestToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async requestToken(): Promise<string> {
    this.calls.token += 1;
    const res = await this.send('POST', `${this.apiRoot}/get-token/`, { key: this.options.apiKey, scopes: this.options.scopes }, undefined);
    const detail = errorText(res.body);
    if (res.status === 200) {
      const jwt = (res.body as { jwt?: unknown } | undefined)?.jwt;
      if (typeof jwt !== 'string' || jwt === '') throw new AirbyteTracedError('IRONSCALES answered the token request without a token.', 'system_error', res.snippet.slice(0, 200));
      this.events.onToken?.(jwt);
      this.token = jwt;
      return jwt;
    }
    if (res.status === 400) {
      throw configError(`IRONSCALES rejected the token request (${detail || 'HTTP 400'}). Check the Scopes setting; company.all is the usual choice.`);
    }
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      throw configError(
        `IRONSCALES rejected the API key (${detail || `HTTP ${res.status}`}). Check the API Key (Settings > Account Settings > General & Security > APP API Token), ` +
          'that API access is enabled for your company, and that the key allows the requested scopes.',
      );
    }
    throw unexpectedStatus('POST get-token', res);
  }

  /** One page of the incident list for a time window (both bounds inclusive). Undefined when the page is past the end (404). */
  async listIncidents(query: ListQuery): Promise<IncidentListPage | undefined> {
    const params = new URLSearchParams({
      page: String(query.page),
      items_per_page: String(query.itemsPerPage),
      sort: 'created',
      order: 'asc',
      state: 'all',
      reportType: 'all',
      [`${query.filter}_start_time`]: formatQueryTimestamp(query.start),
      [`${query.filter}_end_time`]: formatQueryTimestamp(query.end),
    });
    this.calls.list += 1;
    const res = await this.authorized(`${this.apiRoot}/incident/${this.options.companyId}/list/?${params}`, 'list');
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw unexpectedStatus('GET incident list', res);
    return parseListPage(res.body);
  }

  /** The details object of one incident, or why IRONSCALES has none (404/410: account takeover, Teams and similar). */
  async getIncidentDetails(incidentId: number): Promise<DetailsResult> {
    this.calls.details += 1;
    const res = await this.authorized(`${this.apiRoot}/incident/${this.options.companyId}/details/${incidentId}`, 'details');
    if (res.status === 200) {
      if (typeof res.body !== 'object' || res.body === null || Array.isArray(res.body)) {
        throw new AirbyteTracedError(`IRONSCALES returned details for incident ${incidentId} that are not a JSON object.`, 'system_error', res.snippet.slice(0, 200));
      }
      return { found: true, details: res.body as Record<string, unknown> };
    }
    if (res.status === 404 || res.status === 410) return { found: false, status: res.status, message: errorText(res.body) || `HTTP ${res.status}` };
    throw unexpectedStatus(`GET incident details ${incidentId}`, res);
  }

  /** A GET with the JWT; gets a new token when IRONSCALES says the current one expired. */
  private async authorized(url: string, what: string): Promise<RawResponse> {
    if (this.token === undefined) await this.authenticate();
    let refreshes = 0;
    for (;;) {
      const token = this.token as string;
      const res = await this.send('GET', url, undefined, token);
      if (res.status !== 401 && res.status !== 403) return res;
      const detail = errorText(res.body);
      if (/jwt|token|credentials/i.test(detail) && refreshes < MAX_TOKEN_REFRESHES_PER_CALL) {
        refreshes += 1;
        await this.events.onLog?.(`IRONSCALES answered ${res.status} (${detail}) to a ${what} call; getting a new token and retrying.`);
        await this.refreshToken(token);
        continue;
      }
      if (/permission for company|company not found/i.test(detail)) {
        throw configError(
          `The API key has no permission for company ${this.options.companyId} (${detail}). Check the Company ID (Settings > Account Settings > General & Security) and that the key belongs to that company.`,
        );
      }
      throw configError(
        `IRONSCALES refused the ${what} call with HTTP ${res.status} (${detail || 'no reason given'}). Check that the API key has the company.all (or company.view) scope for company ${this.options.companyId}.`,
      );
    }
  }

  /**
   * Sends one logical request: waits for the rate limiter, retries what is worth retrying within
   * the retry budget, and returns the first answer that is not a 429, 5xx or network fault.
   */
  private async send(method: 'GET' | 'POST', url: string, body: unknown, token: string | undefined): Promise<RawResponse> {
    const started = performance.now();
    const path = new URL(url).pathname;
    let lastFailure = '';
    const attempt = async (): Promise<RawResponse> => {
      for (;;) {
        await this.limiter.acquire();
        const res = await this.fetchOnce(method, url, body, token);
        if (res.status !== 429) {
          if (res.status >= 500 || res.status === 408) throw new RetryableError(`HTTP ${res.status}${summarize(res)}`, res.status);
          return res;
        }
        const waitMs = throttleWait(res);
        const elapsed = performance.now() - started;
        if (elapsed + waitMs > this.options.maxRetryMs) {
          throw transientError(
            `IRONSCALES API rate limit still exceeded after retrying for ${Math.round(elapsed / 1000)} s (${method} ${path}). ` +
              'Airbyte will retry the sync; if this keeps happening, lower Requests Per Minute or check which other tools use the same company API budget.',
            `last 429 asked to wait ${Math.round(waitMs / 1000)} s`,
          );
        }
        if (this.limiter.pauseFor(waitMs)) await this.events.onRateLimited?.(waitMs, Date.now() + waitMs);
        await this.waitWithHeartbeat(waitMs, 'IRONSCALES rate limit (HTTP 429)');
      }
    };
    try {
      return await pRetry(attempt, {
        retries: 1000,
        factor: 2,
        minTimeout: 500,
        maxTimeout: 30_000,
        randomize: true,
        maxRetryTime: this.options.maxRetryMs,
        shouldRetry: ({ error }) => error instanceof RetryableError,
        onFailedAttempt: async ({ error, attemptNumber }) => {
          if (!(error instanceof RetryableError)) return;
          lastFailure = error.message;
          await this.events.onRetry?.(`${method} ${path} failed (${error.message})`, attemptNumber);
        },
      });
    } catch (err) {
      if (err instanceof RetryableError) {
        const seconds = Math.round((performance.now() - started) / 1000);
        throw transientError(
          `IRONSCALES API unavailable (${lastFailure || err.message}) after retrying for ${seconds} s (${method} ${path}). ` +
            'Airbyte will retry the sync; nothing is lost, it resumes from the last saved state.',
          err.message,
          err,
        );
      }
      throw err;
    }
  }

  private async waitWithHeartbeat(waitMs: number, reason: string): Promise<void> {
    let remaining = waitMs;
    while (remaining > 0) {
      const step = Math.min(remaining, WAIT_LOG_INTERVAL_MS);
      await sleep(step);
      remaining -= step;
      if (remaining > 0) await this.events.onLog?.(`Still waiting for the ${reason}: ${Math.ceil(remaining / 1000)} s left.`);
    }
  }

  private async fetchOnce(method: 'GET' | 'POST', url: string, body: unknown, token: string | undefined): Promise<RawResponse> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'source-ironscales (Airbyte connector)' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await this.http.request(method, url, headers, body === undefined ? undefined : JSON.stringify(body), this.options.requestTimeoutMs);
    } catch (err) {
      if (err instanceof TransportError) throw new RetryableError(err.message);
      throw err;
    }
    const { status, text, contentType, retryAfter } = response;
    let parsed: unknown;
    if (text !== '' && contentType.includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // A 200 whose JSON is cut short is a broken transfer, not an answer.
        if (status < 400) throw new RetryableError(`HTTP ${status} with an incomplete JSON body (${text.length} bytes)`, status);
      }
    } else if (status === 200) {
      throw new RetryableError(`HTTP 200 without a JSON body (content-type ${contentType || 'none'})`, 200);
    }
    // Only a snippet of the raw text is kept (for error messages): records are held parsed, once.
    return { status, retryAfter, body: parsed, snippet: text.slice(0, 300) };
  }
}

function parseListPage(body: unknown): IncidentListPage {
  const page = body as Partial<IncidentListPage> | undefined;
  if (!page || !Array.isArray(page.incidents) || typeof page.total_pages !== 'number' || typeof page.total_count !== 'number') {
    throw new AirbyteTracedError('IRONSCALES returned an incident list page in an unexpected shape.', 'system_error', JSON.stringify(body)?.slice(0, 300));
  }
  for (const item of page.incidents) {
    if (typeof item?.incidentID !== 'number' || typeof item.created !== 'string') {
      throw new AirbyteTracedError('IRONSCALES returned an incident list item without incidentID or created.', 'system_error', JSON.stringify(item)?.slice(0, 300));
    }
  }
  return page as IncidentListPage;
}

/** Retry-After (seconds or HTTP date), else DRF's "Expected available in N seconds.", else 60 s. */
function throttleWait(res: RawResponse): number {
  const header = res.retryAfter;
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.max(seconds * 1000, 100);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(date - Date.now(), 100);
  }
  const m = /available in (\d+(?:\.\d+)?) seconds?/i.exec(errorText(res.body) || res.snippet);
  if (m) return Math.max(Number(m[1]) * 1000, 100);
  return DEFAULT_THROTTLE_WAIT_MS;
}

/** The human part of an IRONSCALES error body: error_message, detail or message, whichever it sent. */
function errorText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const b = body as Record<string, unknown>;
  for (const key of ['error_message', 'detail', 'message']) {
    if (typeof b[key] === 'string') return b[key];
  }
  return JSON.stringify(body).slice(0, 200);
}

function summarize(res: RawResponse): string {
  const text = errorText(res.body);
  return text ? `: ${text}` : '';
}

function unexpectedStatus(what: string, res: RawResponse): AirbyteTracedError {
  return new AirbyteTracedError(
    `IRONSCALES answered ${what} with HTTP ${res.status}${summarize(res)}. This is unexpected; please report it with the connector logs.`,
    'system_error',
    res.snippet,
  );
}
