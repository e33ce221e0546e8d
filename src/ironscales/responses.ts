/**
 * What an IRONSCALES answer means, declared once. Each row matches an endpoint kind, a status
 * (or a transport failure), and optionally a hint in the error body or a fact about the answer;
 * the first matching row decides the action. The send loop (send.ts) only executes what this
 * table says.
 *
 * An answer is what its status AND its body say. IRONSCALES' error bodies vary (error_message,
 * detail, message), so body hints only refine the status. It answers an expired JWT with 403 (or
 * 401, "Signature has expired."), throttling with 429, and "nothing there" with 404 (or 410 for
 * details it cannot give: account takeover, Teams) — in its own JSON, and only where its API
 * documents it: the details of an unknown incident, a page past the last one. Any other 404 (an
 * HTML page or an empty body from a gateway or load balancer, page 1 of a list, a mitigations
 * batch) is a fault to retry, never "no data": read as empty, it would move a cursor past
 * incidents or empty a snapshot.
 */
import type { FailureKind } from './errors.js';

export type EndpointKind = 'token' | 'list' | 'details' | 'ato' | 'mitigations' | 'mailboxes' | 'scanback' | 'emails' | 'deepfake';

/** What the caller of a failing call knows, for the messages. */
export interface FailureContext {
  /** e.g. "GET incident list". */
  what: string;
  status: number;
  /** The human part of the error body, or "HTTP <status>". */
  detail: string;
  /** What the body was: IRONSCALES' JSON, or something else (an HTML page, an empty body, text). */
  body: BodyKind;
  companyId: number;
  host: string;
  elapsedSeconds: number;
  /** Attempts made so far (1 = the first answer was final). */
  attempts: number;
  /** For a throttle that outlasted the call's allowance: what was waited and what IRONSCALES asked for next. */
  throttle?: { waitedSeconds: number; askedSeconds: number; budgetSeconds: number };
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

/** What an error body was. Only IRONSCALES' own JSON can say "nothing there". */
export type BodyKind = 'json' | 'html' | 'empty' | 'text';

/** What the answer's body was, and whether the request is one where IRONSCALES documents a 404 as "nothing there". */
export interface AnswerFacts {
  body: BodyKind;
  /** Details of one incident, or a page after page 1 (whose answer announced the pages). */
  absentMeansNone: boolean;
}

interface Row {
  endpoints?: readonly EndpointKind[];
  status: Status | readonly [number, number];
  /** Matched against the error body's text. */
  body?: RegExp;
  /** A condition on the answer's facts. */
  when?: (facts: AnswerFacts) => boolean;
  then: Action;
}

const DATA: readonly EndpointKind[] = ['list', 'details', 'ato', 'mitigations', 'mailboxes', 'scanback', 'emails', 'deepfake'];
/** A 403 that talks about the token means the token, not the key's rights. */
const TOKEN_WORDING = /jwt|token|signature|expired|credentials/i;
/**
 * IRONSCALES' words for a company it does not know ({"message": "Company not found"}, "You do not
 * have permission for company 5"); not its details 404, "Incident/company were not found".
 */
const COMPANY_WORDING = /permission for company|^\s*company not found/i;
const inOwnJson = (f: AnswerFacts) => f.body === 'json';
const documentedAbsence = (f: AnswerFacts) => f.body === 'json' && f.absentMeansNone;

function describeBody(kind: BodyKind): string {
  return kind === 'html' ? 'an HTML page' : kind === 'empty' ? 'an empty body' : kind === 'text' ? 'a plain-text body' : 'a JSON body';
}

const unavailable: Failure = {
  failure: 'unavailable',
  message: (c) =>
    `IRONSCALES API unavailable at ${c.host} (${c.detail}; ${c.what})${c.attempts > 1 ? `, still after retrying for ${c.elapsedSeconds} s` : ''}. ` +
    'Check that the API Host setting is right; if it is, IRONSCALES may be having an outage.',
};
const throttled: Failure = {
  failure: 'throttled',
  message: (c) => {
    const t = c.throttle;
    const told = t
      ? `IRONSCALES kept throttling ${c.what} (HTTP 429): the connector waited ${t.waitedSeconds} s as it asked, and its last answer asked for ${t.askedSeconds} s more, past the ${t.budgetSeconds} s this call may wait`
      : `IRONSCALES API rate limit still exceeded (${c.what})`;
    return `${told}. If this keeps happening, lower Requests Per Minute or check which other tools use the same company API budget.`;
  },
};
/** A 404 or 410 that IRONSCALES' API does not document for this request: a gateway, a load balancer, or a fault behind them. */
const undocumentedAbsence: Failure = {
  failure: 'unavailable',
  message: (c) =>
    `IRONSCALES API at ${c.host} answered HTTP ${c.status} with ${describeBody(c.body)} to ${c.what}, where IRONSCALES documents no such answer` +
    `${c.attempts > 1 ? `, still after retrying for ${c.elapsedSeconds} s` : ''}. It is not read as "no data". ` +
    'Check that the API Host setting is right; if it is, a gateway in front of IRONSCALES may be failing.',
};
const companyUnknown: Message = (c) =>
  `IRONSCALES does not know company ${c.companyId} (${c.detail}; ${c.what}). Check the Company ID (Settings > Account Settings > General & Security) and that the key belongs to that company.`;
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
  // IRONSCALES' own 404 on the token path: the key (or the host path) is wrong. A gateway's page is retried below.
  { endpoints: ['token'], status: 404, when: inOwnJson, then: { action: 'fail', failure: 'credentials', message: keyRejected } },

  { endpoints: DATA, status: 404, when: inOwnJson, body: COMPANY_WORDING, then: { action: 'fail', failure: 'permission', message: companyUnknown } },
  // The deepfake feed has no pages: IRONSCALES documents its 404 as "Company not found or feature disabled".
  {
    endpoints: ['deepfake'],
    status: 404,
    when: inOwnJson,
    then: {
      action: 'fail',
      failure: 'permission',
      message: (c) =>
        `IRONSCALES answered 404 (${c.detail}) to ${c.what}: company ${c.companyId} is unknown or has no Deepfake protection. ` +
        'Enable it for the company, or deselect the ironscales_deepfake_events stream.',
    },
  },
  { endpoints: DATA, status: 404, when: documentedAbsence, then: { action: 'not_found' } },
  { endpoints: ['details', 'ato'], status: 410, when: inOwnJson, then: { action: 'not_found' } },
  { status: 404, then: { action: 'retry', exhausted: undocumentedAbsence } },
  { endpoints: ['details', 'ato'], status: 410, then: { action: 'retry', exhausted: undocumentedAbsence } },
  // Any 401 is about the token: IRONSCALES says "Signature has expired.", "Invalid token." and the like.
  { endpoints: DATA, status: 401, then: { action: 'refresh_token', exhausted: tokensRefused } },
  { endpoints: DATA, status: 403, body: TOKEN_WORDING, then: { action: 'refresh_token', exhausted: tokensRefused } },
  {
    endpoints: DATA,
    status: 403,
    body: COMPANY_WORDING,
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
export function actionFor(endpoint: EndpointKind, status: Status, bodyText: string, facts: AnswerFacts = { body: 'json', absentMeansNone: false }): Action {
  for (const row of RESPONSE_TABLE) {
    if (row.endpoints && !row.endpoints.includes(endpoint)) continue;
    if (!statusMatches(row.status, status)) continue;
    if (row.body && !row.body.test(bodyText)) continue;
    if (row.when && !row.when(facts)) continue;
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
