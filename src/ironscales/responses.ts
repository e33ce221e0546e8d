/**
 * What an IRONSCALES answer means, declared once. Each row matches an endpoint kind, a status
 * (or a transport failure) and optionally a hint in the error body; the first matching row
 * decides the action. The send loop (send.ts) only executes what this table says.
 *
 * Why these rows: IRONSCALES' error bodies vary (error_message, detail, message), so only the
 * status is reliable and body hints only refine it. It answers an expired JWT with 403 (or 401,
 * with wordings such as "Signature has expired."), a page past the end of the list with 404,
 * details it cannot give (account takeover, Teams) with 404 or 410, and throttling with 429.
 */
import type { FailureKind } from './errors.js';

export type EndpointKind = 'token' | 'list' | 'details' | 'ato' | 'mitigations' | 'mailboxes';

/** What the caller of a failing call knows, for the messages. */
export interface FailureContext {
  /** e.g. "GET incident list". */
  what: string;
  status: number;
  /** The human part of the error body, or "HTTP <status>". */
  detail: string;
  companyId: number;
  host: string;
  elapsedSeconds: number;
  /** Attempts made so far (1 = the first answer was final). */
  attempts: number;
}

type Message = (c: FailureContext) => string;

export interface Failure {
  failure: FailureKind;
  message: Message;
}

export type Action =
  | { action: 'ok' }
  | { action: 'not_found' }
  /** 5xx, 408, network faults, truncated bodies: try again with backoff; `exhausted` when the budget ran out. */
  | { action: 'retry'; exhausted: Failure }
  /** 429: wait as the server asks (Retry-After, else its "available in N seconds", else 60 s). */
  | { action: 'wait'; exhausted: Failure }
  /** The token was refused: get a new one (a few times per call at most) and send again. */
  | { action: 'refresh_token'; exhausted: Failure }
  /** `renewExpiredToken`: if the token sent is past its `exp`, refresh instead of failing. */
  | { action: 'fail'; failure: FailureKind; message: Message; renewExpiredToken?: boolean };

/** Statuses, plus what happened when no complete answer came. */
export type Status = number | 'network' | 'truncated';

interface Row {
  endpoints?: readonly EndpointKind[];
  status: Status | readonly [number, number];
  /** Matched against the error body's text. */
  body?: RegExp;
  then: Action;
}

const DATA: readonly EndpointKind[] = ['list', 'details', 'ato', 'mitigations', 'mailboxes'];
/** Endpoints where 404 (and 410) mean "nothing here", not a failure. */
const ABSENT_OK: readonly EndpointKind[] = ['list', 'details', 'ato', 'mitigations', 'mailboxes'];
/** A 403 that talks about the token means the token, not the key's rights. */
const TOKEN_WORDING = /jwt|token|signature|expired|credentials/i;

const unavailable: Failure = {
  failure: 'unavailable',
  message: (c) =>
    `IRONSCALES API unavailable at ${c.host} (${c.detail}; ${c.what})${c.attempts > 1 ? `, still after retrying for ${c.elapsedSeconds} s` : ''}. ` +
    'Check that the API Host setting is right; if it is, IRONSCALES may be having an outage.',
};
const throttled: Failure = {
  failure: 'throttled',
  message: (c) =>
    `IRONSCALES API rate limit still exceeded after retrying for ${c.elapsedSeconds} s (${c.what}). ` +
    'If this keeps happening, lower Requests Per Minute or check which other tools use the same company API budget.',
};
const tokensRefused: Failure = {
  failure: 'credentials',
  message: (c) =>
    `IRONSCALES kept refusing freshly issued tokens for the ${c.what} call (HTTP ${c.status}: ${c.detail}). ` +
    'Check that the API key is still valid and that API access is enabled for your company.',
};
const keyRejected: Message = (c) =>
  `IRONSCALES rejected the API key (${c.detail}). Check the API Key (Settings > Account Settings > General & Security > APP API Token), ` +
  'that API access is enabled for your company, and that the key allows the requested scopes.';

export const RESPONSE_TABLE: readonly Row[] = [
  { status: [200, 299], then: { action: 'ok' } },
  { status: 'network', then: { action: 'retry', exhausted: unavailable } },
  { status: 'truncated', then: { action: 'retry', exhausted: unavailable } },
  { status: 408, then: { action: 'retry', exhausted: unavailable } },
  { status: [500, 599], then: { action: 'retry', exhausted: unavailable } },
  { status: 429, then: { action: 'wait', exhausted: throttled } },

  { endpoints: ['token'], status: 400, then: { action: 'fail', failure: 'bad_request', message: (c) => `IRONSCALES rejected the token request (${c.detail}). Check the Scopes setting; company.all is the usual choice.` } },
  { endpoints: ['token'], status: 401, then: { action: 'fail', failure: 'credentials', message: keyRejected } },
  { endpoints: ['token'], status: 403, then: { action: 'fail', failure: 'credentials', message: keyRejected } },
  // A wrong host path answers 404 too; the key is still the first thing to check.
  { endpoints: ['token'], status: 404, then: { action: 'fail', failure: 'credentials', message: keyRejected } },

  { endpoints: ABSENT_OK, status: 404, then: { action: 'not_found' } },
  { endpoints: ['details', 'ato'], status: 410, then: { action: 'not_found' } },
  // Any 401 is about the token: IRONSCALES says "Signature has expired.", "Invalid token." and the like.
  { endpoints: DATA, status: 401, then: { action: 'refresh_token', exhausted: tokensRefused } },
  { endpoints: DATA, status: 403, body: TOKEN_WORDING, then: { action: 'refresh_token', exhausted: tokensRefused } },
  {
    endpoints: DATA,
    status: 403,
    body: /permission for company|company not found/i,
    then: {
      action: 'fail',
      failure: 'permission',
      message: (c) =>
        `The API key has no permission for company ${c.companyId} (${c.detail}). Check the Company ID (Settings > Account Settings > General & Security) and that the key belongs to that company.`,
    },
  },
  {
    endpoints: DATA,
    status: 403,
    then: {
      action: 'fail',
      failure: 'permission',
      renewExpiredToken: true,
      message: (c) => `IRONSCALES refused the ${c.what} call with HTTP 403 (${c.detail}). Check that the API key has the company.all (or company.view) scope for company ${c.companyId}.`,
    },
  },
  {
    endpoints: DATA,
    status: 400,
    then: { action: 'fail', failure: 'bad_request', message: (c) => `IRONSCALES rejected the ${c.what} call as invalid (${c.detail}). Check the Company ID and Start Date settings.` },
  },
];

/** Anything no row expects: a status IRONSCALES does not document for this endpoint. */
const UNEXPECTED: Action = {
  action: 'fail',
  failure: 'unexpected',
  message: (c) => `IRONSCALES answered ${c.what} with HTTP ${c.status} (${c.detail}), which this connector does not expect.`,
};

/** The action for one answer of `endpoint`: the first row that matches, else "unexpected". */
export function actionFor(endpoint: EndpointKind, status: Status, bodyText: string): Action {
  for (const row of RESPONSE_TABLE) {
    if (row.endpoints && !row.endpoints.includes(endpoint)) continue;
    if (!statusMatches(row.status, status)) continue;
    if (row.body && !row.body.test(bodyText)) continue;
    return row.then;
  }
  return UNEXPECTED;
}

function statusMatches(expected: Row['status'], actual: Status): boolean {
  if (typeof expected === 'object') return typeof actual === 'number' && actual >= expected[0] && actual <= expected[1];
  return expected === actual;
}

/** Default wait when a 429 names no time: IRONSCALES' own message says 60 seconds. */
export const DEFAULT_THROTTLE_WAIT_MS = 60_000;

/** How long a 429 asks to wait: Retry-After (seconds or HTTP date), else DRF's "Expected available in N seconds.", else 60 s. */
export function throttleWaitMs(retryAfter: string | undefined, bodyText: string, nowMs: number = Date.now()): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.max(seconds * 1000, 100);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(date - nowMs, 100);
  }
  const m = /available in (\d+(?:\.\d+)?) seconds?/i.exec(bodyText);
  if (m) return Math.max(Number(m[1]) * 1000, 100);
  return DEFAULT_THROTTLE_WAIT_MS;
}

/** The human part of an IRONSCALES error body: error_message, detail or message, whichever it sent. */
export function errorText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const b = body as Record<string, unknown>;
  for (const key of ['error_message', 'detail', 'message']) {
    if (typeof b[key] === 'string') return b[key];
  }
  return JSON.stringify(body).slice(0, 200);
}
