/**
 * The send loop: executes what responses.ts declares for each answer. It waits for the rate
 * limits, attaches the token, retries what is worth retrying within the call's budget (p-retry:
 * exponential backoff with jitter, the only place retry timing lives), waits out 429s as the
 * server asks, and renews the token when IRONSCALES refuses it. Every answer feeds the server clock.
 *
 * Fail-fast mode (for `check`, which must answer within 30 s): network faults are final at once,
 * calls time out sooner, and all calls together get one short budget.
 */
import pRetry from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerClock } from './clock.js';
import { IronscalesApiError } from './errors.js';
import { HttpTransport, TransportError, type TransportFailure } from './http.js';
import type { RateLimits } from './rate-limiter.js';
import { actionFor, errorText, throttleWaitMs, type BodyKind, type EndpointKind, type Failure, type FailureContext, type Status } from './responses.js';
import type { TokenHolder } from './token.js';

export interface SendOptions {
  baseUrl: string;
  companyId: number;
  requestTimeoutMs: number;
  maxRetryMs: number;
  failFast?: boolean;
}

export interface SendEvents {
  /** A 429 made every caller wait `waitMs` (as the server asked). */
  onRateLimited?(waitMs: number, quotaResetEpochMs: number): void | Promise<void>;
  /** A request failed and will be retried (with exponential backoff). */
  onRetry?(reason: string, attempt: number): void | Promise<void>;
  onLog?(message: string): void | Promise<void>;
}

export interface ApiRequest {
  kind: EndpointKind;
  method: 'GET' | 'POST';
  /** Path and query under the host, e.g. /appapi/incident/1/list/?page=2. */
  path: string;
  body?: unknown;
  /** For messages, e.g. "GET incident list". */
  what: string;
  /** Send the JWT (every call but the token request). */
  authorized: boolean;
  /** How long this call may keep retrying its own failures; default: the client's max retry time. Throttle waits do not count. */
  retryBudgetMs?: number;
  /**
   * Whether a 404 in IRONSCALES' own JSON means "nothing there" for this request: the details of
   * one incident, or a page after page 1 (whose answer announced the pages). Anywhere else a 404
   * is a fault (see responses.ts).
   */
  absentMeansNone?: boolean;
}

/** `bytes`: the size of the answer's text, for callers that bound what they hold by bytes. */
export type ApiReply = { found: true; body: unknown; snippet: string; bytes: number } | { found: false; status: number; message: string };

/** Refusals of the token per call before the refusal is believed. */
const MAX_TOKEN_REFRESHES_PER_CALL = 3;
/** During long waits, say so at least this often, so the platform's logs never go silent. */
const WAIT_LOG_INTERVAL_MS = 60_000;
/** Exponential backoff with jitter: 0.5–1 s, 1–2 s, 2–4 s… at most 30 s, and never past the call's remaining budget. */
const BACKOFF = { firstMs: 500, factor: 2, maxMs: 30_000 } as const;
/** Fail-fast: every call of the client together, and each single exchange. */
const FAIL_FAST_BUDGET_MS = 20_000;
const FAIL_FAST_TIMEOUT_MS = 8_000;
/** Fail-fast still waits out a throttle this long: a company whose API budget is busy is not a broken configuration. */
const FAIL_FAST_THROTTLE_MS = 60_000;

interface Exchange {
  status: Status;
  retryAfter?: string;
  body?: unknown;
  bodyKind: BodyKind;
  /** Length of the answer's text. */
  bytes: number;
  /** What went wrong below HTTP, when no answer came. */
  transport?: TransportFailure;
  /** The start of the raw body (for logs), or the transport failure. */
  snippet: string;
  /** The human part of the answer, for messages and body hints. */
  detail: string;
}

/** A failure the table says to retry; carries what to say if the budget runs out. */
class Retryable extends Error {
  constructor(
    message: string,
    readonly exhausted: Failure,
    readonly status: Status,
    readonly bodyKind: BodyKind,
  ) {
    super(message);
  }
}

export class Sender {
  readonly calls: Record<EndpointKind, number> = { token: 0, list: 0, details: 0, ato: 0, mitigations: 0, mailboxes: 0, scanback: 0, emails: 0, deepfake: 0 };
  private readonly http: HttpTransport;
  private readonly host: string;
  private failFastDeadline: number | undefined;

  constructor(
    private readonly options: SendOptions,
    private readonly events: SendEvents,
    private readonly limits: RateLimits,
    private readonly clock: ServerClock,
    private readonly tokens: TokenHolder,
    maxConnections: number,
  ) {
    this.http = new HttpTransport(options.baseUrl, maxConnections);
    this.host = new URL(options.baseUrl).host;
  }

  async send(req: ApiRequest): Promise<ApiReply> {
    this.calls[req.kind] += 1;
    const started = performance.now();
    const budgetMs = this.budgetFor(req);
    // A throttle is waited out, not counted as failing: the call's own budget is for its failures only.
    const throttleAllowanceMs = this.options.failFast ? FAIL_FAST_THROTTLE_MS : this.options.maxRetryMs;
    let waitedMs = 0;
    let throttledMs = 0;
    let attempts = 0;
    let refreshes = 0;
    const failingMs = () => performance.now() - started - waitedMs;
    const context = (status: Status, detail: string, body: BodyKind = 'json'): FailureContext => ({
      what: req.what,
      status: typeof status === 'number' ? status : 0,
      detail,
      body,
      companyId: this.options.companyId,
      host: this.host,
      elapsedSeconds: Math.round(failingMs() / 1000),
      attempts,
    });

    const attempt = async (): Promise<ApiReply> => {
      for (;;) {
        const token = req.authorized ? await this.tokens.current() : undefined;
        const queued = performance.now();
        await this.limits.acquire(req.kind);
        waitedMs += performance.now() - queued;
        attempts += 1;
        const ex = await this.exchange(req, token, budgetMs - failingMs());
        if (this.options.failFast && ex.transport === 'dns' && !/EAI_AGAIN/.test(ex.detail)) {
          // `check` asks "is this configuration right?": a host name that does not resolve is not.
          throw new IronscalesApiError('host', `The API host ${this.host} does not exist (${ex.detail}). Check the API Host setting, for example appapi.ironscales.com.`, ex.detail);
        }
        const act = actionFor(req.kind, ex.status, ex.detail, { body: ex.bodyKind, absentMeansNone: req.absentMeansNone === true });
        switch (act.action) {
          case 'ok':
            return { found: true, body: ex.body, snippet: ex.snippet, bytes: ex.bytes };
          case 'not_found':
            return { found: false, status: ex.status as number, message: ex.detail };
          case 'retry':
            throw new Retryable(ex.detail, act.exhausted, ex.status, ex.bodyKind);
          case 'wait': {
            const waitMs = throttleWaitMs(ex.retryAfter, ex.detail, this.clock.nowMs());
            if (throttledMs + waitMs > throttleAllowanceMs) {
              const throttle = { waitedSeconds: Math.round(throttledMs / 1000), askedSeconds: Math.ceil(waitMs / 1000), budgetSeconds: Math.round(throttleAllowanceMs / 1000) };
              throw failure(act.exhausted, { ...context(ex.status, ex.detail), throttle }, ex.snippet);
            }
            if (this.limits.pauseFor(waitMs)) await this.events.onRateLimited?.(waitMs, Date.now() + waitMs);
            await this.waitWithHeartbeat(waitMs, 'IRONSCALES rate limit (HTTP 429)');
            throttledMs += waitMs;
            waitedMs += waitMs;
            if (this.failFastDeadline !== undefined) this.failFastDeadline += waitMs;
            continue;
          }
          case 'refresh_token':
            if (refreshes >= MAX_TOKEN_REFRESHES_PER_CALL) throw failure(act.exhausted, context(ex.status, ex.detail, ex.bodyKind), ex.snippet);
            break;
          case 'fail':
            if (!(act.renewExpiredToken && token !== undefined && this.tokens.isExpired(token) && refreshes < MAX_TOKEN_REFRESHES_PER_CALL)) {
              throw new IronscalesApiError(act.failure, act.message(context(ex.status, ex.detail, ex.bodyKind)), `HTTP ${ex.status}: ${ex.snippet}`);
            }
            // The refusal came to a token past its exp: renew it, as for a refresh_token answer.
            break;
        }
        refreshes += 1;
        await this.events.onLog?.(`IRONSCALES answered ${ex.status} (${ex.detail}) to a ${req.what} call; getting a new token and retrying.`);
        await this.tokens.refresh(token);
      }
    };

    let lastFailure = '';
    // Decided before the pause, so the last attempt comes at the budget's end (not after a pause that ends it).
    let again = false;
    try {
      // p-retry runs the loop; the pause between attempts is this loop's own (minTimeout 0), because it
      // must end at the call's budget, which leaves out the time spent waiting for limits and throttles.
      return await pRetry(attempt, {
        retries: 1000,
        minTimeout: 0,
        shouldRetry: () => again,
        onFailedAttempt: async ({ error, attemptNumber }) => {
          again = this.worthRetrying(error) && failingMs() < budgetMs;
          if (!again) return;
          lastFailure = error.message;
          await this.events.onRetry?.(`${req.what} failed (${error.message})`, attemptNumber);
          await sleep(Math.min(backoffMs(attemptNumber), budgetMs - failingMs()));
        },
      });
    } catch (err) {
      if (err instanceof Retryable) throw failure(err.exhausted, context(err.status, lastFailure || err.message, err.bodyKind), err.message);
      throw err;
    }
  }

  /** Closes idle connections (end of a sync). */
  close(): void {
    this.http.close();
  }

  /** Fail-fast: a host that cannot be reached will not be reached by trying again (a reset still is retried). */
  private worthRetrying(error: Error): error is Retryable {
    return error instanceof Retryable && !(this.options.failFast && error.status === 'network');
  }

  private budgetFor(req: ApiRequest): number {
    const budget = req.retryBudgetMs ?? this.options.maxRetryMs;
    if (!this.options.failFast) return budget;
    this.failFastDeadline ??= performance.now() + FAIL_FAST_BUDGET_MS;
    return Math.max(0, Math.min(budget, this.failFastDeadline - performance.now()));
  }

  private async exchange(req: ApiRequest, token: string | undefined, remainingMs: number): Promise<Exchange> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'source-ironscales (Airbyte connector)' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    const timeoutMs = this.options.failFast ? Math.max(1000, Math.min(this.options.requestTimeoutMs, FAIL_FAST_TIMEOUT_MS, remainingMs)) : this.options.requestTimeoutMs;
    const sentAt = Date.now();
    let res;
    try {
      res = await this.http.request(req.method, `${this.options.baseUrl}${req.path}`, headers, req.body === undefined ? undefined : JSON.stringify(req.body), timeoutMs);
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      return { status: err.failure === 'cut_short' ? 'truncated' : 'network', snippet: err.message, detail: err.message, bodyKind: 'empty', bytes: 0, transport: err.failure };
    }
    this.clock.observe(res.date, sentAt, Date.now());
    const { status, text, contentType } = res;
    // Only a snippet of the raw text is kept (for messages): records are held parsed, once.
    const snippet = text.slice(0, 300);
    const bytes = text.length;
    let body: unknown;
    if (text !== '' && contentType.includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        // A success whose JSON is cut short is a broken transfer, not an answer.
        if (status < 400) return { status: 'truncated', snippet, detail: `HTTP ${status} with an incomplete JSON body (${text.length} bytes)`, bodyKind: 'text', bytes };
      }
    } else if (status >= 200 && status < 300) {
      return { status: 'truncated', snippet, detail: `HTTP ${status} without a JSON body (content-type ${contentType || 'none'})`, bodyKind: kindOf(text, contentType), bytes };
    }
    // Only a failure needs its body's text: summarising a 30 KB success would cost a JSON.stringify per record.
    const ok = status >= 200 && status < 300;
    const detail = ok ? `HTTP ${status}` : errorText(body) || plainText(text, contentType) || `HTTP ${status}`;
    return { status, retryAfter: res.retryAfter, body, snippet, detail, bodyKind: body === undefined ? kindOf(text, contentType) : 'json', bytes };
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
}

function failure(f: Failure, context: FailureContext, detail: string): IronscalesApiError {
  return new IronscalesApiError(f.failure, f.message(context), detail);
}

function backoffMs(attempt: number): number {
  return Math.min(BACKOFF.maxMs, BACKOFF.firstMs * BACKOFF.factor ** (attempt - 1) * (1 + Math.random()));
}

/** What a body that is not JSON was: an HTML page (a gateway's), nothing at all, or text. */
function kindOf(text: string, contentType: string): BodyKind {
  const trimmed = text.trim();
  if (trimmed === '') return 'empty';
  return contentType.includes('html') || trimmed.startsWith('<') ? 'html' : 'text';
}

/** A short plain-text error body ("Signature has expired.") is worth quoting; an HTML page is not. */
function plainText(text: string, contentType: string): string {
  const trimmed = text.trim();
  return trimmed !== '' && trimmed.length <= 200 && !contentType.includes('html') && !trimmed.startsWith('<') ? trimmed : '';
}
