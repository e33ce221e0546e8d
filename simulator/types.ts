/** Public types of the IRONSCALES API simulator (re-exported by index.ts). */

export interface SimulatorOptions {
  /** 0 (default) = ephemeral port; the server always binds 127.0.0.1. */
  port?: number;
  /** Default 1; the whole data set is a pure function of the seed + options. */
  seed?: number;
  /** Default 12345. */
  companyId?: number;
  /** Default 'company1'. */
  companyName?: string;
  /** Default `sim-key-${seed}`. */
  apiKey?: string;
  /** Number of generated incidents, default 0. */
  incidents?: number;
  /** ISO range of generated first_reported_date; default to = now - 1 h, from = to - 30 days. */
  from?: string;
  to?: string;
  /** Default 3_600_000. */
  tokenTtlMs?: number;
  /** Default {limit: 120, windowMs: 60000}; null = unlimited. */
  rateLimit?: { limit: number; windowMs: number } | null;
  /** Delay added to every response, default 0. */
  latencyMs?: number;
  /** Approximate size of original_email_body of "large" incidents (default 20_000). */
  bodyBytes?: number;
  /** Fraction of incidents with a large body (default 0.05); 1 = all. */
  largeBodyRatio?: number;
  /** Fraction of generated incidents whose details answer 410/404 (ATO/MTS style, default 0.01). */
  goneRatio?: number;
  /** Fraction with fields the schema has never seen (default 0.02). */
  extraFieldRatio?: number;
  /** Also load the seed example incident 123456 (company 12345). */
  loadExample?: boolean;
  /** The simulator's "now" = local now + this (default 0). Negative = IRONSCALES' clock is behind. */
  clockOffsetMs?: number;
  /** With `sort=created`, incidents sharing one created instant come in a new order on every request (default false). */
  unstableTies?: boolean;
  /** How an expired (TTL) token is answered; default 403 {"detail":"JWT expired"}. */
  expiredTokenAnswer?: TokenRejection;
  /** Number of mailboxes served by the mailboxes endpoint (default 50). */
  mailboxes?: number;
  /** Rows per page of the mitigations endpoint (default 100; an assumption). */
  mitigationsPerPage?: number;
  /** Most incident ids one mitigations request may name (default 100; an assumption). */
  mitigationsMaxIncidents?: number;
  /** Most incidents one list page holds, whatever `items_per_page` asks (default: no cap); total_pages follows the cap. */
  listPageCap?: number;
  /** Largest `items_per_page` the list accepts; above it, a 400 that names the parameter (default 1000). */
  listMaxItemsPerPage?: number;
  /** Generated scanback incidents (default 0), first reported in the same range as the incidents, ids after theirs. */
  scanbackIncidents?: number;
  /** Generated deepfake events (default 0), detections starting in the same range as the incidents. */
  deepfakeEvents?: number;
  /** The escalated-emails endpoint's own limit, on top of `rateLimit` (default {limit: 20, windowMs: 60000}; null = none). */
  emailsRateLimit?: { limit: number; windowMs: number } | null;
  /** Most escalated e-mails one page holds, whatever `page_size` asks (default: no cap); total_pages follows it. */
  emailsPageCap?: number;
  /** false: the deepfake endpoint answers 404, as for a company without the feature (default true). */
  deepfakeEnabled?: boolean;
}

/** Limits of the incident list that IRONSCALES does not document (see setListLimits). */
export interface ListLimits {
  pageCap?: number | null;
  maxItemsPerPage?: number;
}

/** What a token that is no longer valid gets, e.g. `{status: 401, body: {detail: 'Signature has expired.'}}`. */
export interface TokenRejection {
  status: 401 | 403;
  body: Record<string, unknown>;
}

export type Endpoint = 'token' | 'list' | 'open' | 'details' | 'mitigations' | 'mailboxes' | 'ato' | 'emails' | 'scanback' | 'deepfake' | 'other';

/**
 * `skip`: the first `skip` requests the fault matches pass untouched (so "the 6th list call"
 * is `{endpoint: 'list', skip: 5, count: 1}`).
 */
export type Fault = (
  | { kind: 'throttle'; count: number; retryAfterSeconds?: number; /** false: only the DRF text says how long (default true). */ retryAfterHeader?: boolean }
  | { kind: 'server_error'; count: number; status?: number }
  /** What a gateway or load balancer in front of the API answers: `status` with an HTML page, an empty body, or DRF's JSON `{"detail":"Not found."}`-style body. */
  | { kind: 'error_page'; count: number; status: number; body?: 'html' | 'empty' | 'json' }
  /** A fixed JSON answer, e.g. a 200 list page that claims to be empty (a stale cache, a misrouted call). */
  | { kind: 'canned'; count: number; status: number; body: unknown }
  | { kind: 'reset'; count: number }
  | { kind: 'delay'; count: number; ms: number }
  | { kind: 'truncate'; count: number }
) & { endpoint?: Endpoint; skip?: number };

export interface RequestLogEntry {
  at: number;
  method: string;
  /** Path including the query string. */
  path: string;
  endpoint: Endpoint;
  /** HTTP status sent; 0 when no response was sent (reset, client gone, simulator closed). */
  status: number;
}

export interface SimulatorStats {
  requests: Record<Endpoint, number>;
  total: number;
  /** 429s the throttles served (the company's and the escalated-emails endpoint's), not injected ones. */
  throttled: number;
  injectedFaults: number;
  maxCallsInWindow: number;
  /** Most escalated-emails calls accepted within one of its limit's windows. */
  emailsMaxCallsInWindow: number;
  log: RequestLogEntry[];
}

export interface IncidentSpec {
  /** Default: the simulator's now. */
  first_reported_date?: string;
  /** Default: the next id (higher than every id so far). */
  incident_id?: number;
  classification?: string;
  /** Details answer 410. Alone it makes an Account Takeover incident. */
  gone?: boolean;
  /** Default 'email', or 'ato' when `gone`. Non-email incidents have no details (410) unless `gone: false`. */
  reportType?: 'email' | 'ato' | 'teams' | 'msft_quarantine';
  extra?: Record<string, unknown>;
  bodyBytes?: number;
}

export interface Simulator {
  url: string;
  apiKey: string;
  companyId: number;
  close(): Promise<void>;
  addIncidents(specs: IncidentSpec[]): number[];
  generateIncidents(count: number, range?: { from?: string; to?: string }): number[];
  /** `at` defaults to the simulator's now. */
  reclassify(incidentId: number, classification: string, at?: string): void;
  reset(): void;
  /** Deletes incidents (they vanish from every endpoint, as deleted or merged incidents do). */
  removeIncidents(ids: number[]): void;
  loadExampleIncident(): void;
  incidentIds(): number[];
  details(incidentId: number): Record<string, unknown> | undefined;
  /** The incident's entry in the incident list, as the list serves it now. */
  listEntry(incidentId: number): Record<string, unknown> | undefined;
  inject(fault: Fault): void;
  /** Drops every queued fault (failDetails is separate: see healDetails). */
  clearFaults(): void;
  /** Every token issued so far now gets `answer` (default 403 {"detail":"JWT expired"}); new tokens work. */
  expireAllTokens(answer?: TokenRejection): void;
  /** Every JWT issued so far, so tests can assert none of them ever appears in the connector's output. */
  issuedTokens(): string[];
  setRateLimit(rateLimit: { limit: number; windowMs: number } | null): void;
  setLatency(ms: number): void;
  stats(): SimulatorStats;
  resetStats(): void;
  /** The simulator's own now (local now + clock offset), ISO with microseconds. */
  now(): string;
  setClockOffset(ms: number): void;
  setUnstableTies(on: boolean): void;
  /** From now on the incident's details answer `status` every time (HTML body by default). */
  failDetails(incidentId: number, status?: number, body?: 'html' | 'json'): void;
  healDetails(incidentId: number): void;
  /** From now on the incident's account-takeover details answer `status` every time (HTML body by default). */
  failAccountTakeover(incidentId: number, status?: number, body?: 'html' | 'json'): void;
  healAccountTakeover(incidentId: number): void;
  /** Changes the list's undocumented limits (page cap; largest accepted items_per_page). */
  setListLimits(limits: ListLimits): void;
  /** `count` scanback incidents first reported in the range (default as generateIncidents), ids after every id so far. */
  generateScanbackIncidents(count: number, range?: { from?: string; to?: string }): number[];
  scanbackIncidentIds(): number[];
  /** The scanback incident's item, as `scanback-list/` serves it now. */
  scanbackEntry(incidentId: number): Record<string, unknown> | undefined;
  /** Every row of `emails/{cid}/` (regular and scanback incidents; or of the given incidents only), ordered by arrival_date then mitigation_id. */
  escalatedEmails(incidentIds?: number[]): Record<string, unknown>[];
  /** Deepfake detections starting in the range (default as generateIncidents) until `count` events; their uuids. */
  generateDeepfakeEvents(count: number, range?: { from?: string; to?: string }): string[];
  /** `count` deepfake events that happened just now (whole detections, the last one cut short); their uuids. */
  addDeepfakeEvents(count: number): string[];
  /** Every deepfake event in feed order, as served. */
  deepfakeEvents(): Record<string, unknown>[];
  setDeepfakeEnabled(on: boolean): void;
  setEmailsRateLimit(rateLimit: { limit: number; windowMs: number } | null): void;
}
