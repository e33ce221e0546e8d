/**
 * The HTTP side of the simulator: routing, tokens, the DRF-style rate limiter, fault injection and
 * request statistics. Data lives in IncidentStore; details are built on demand by generator.ts.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  CLS_REPORT, REPORT_TYPES, RT_ATO, buildDetails, buildListItem, classificationIndex, companyDomainOf,
  generateTimestamps, rollAttributes,
  type GenContext, type IncidentMeta,
} from './generator.js';
import { EXAMPLE_INCIDENT_ID } from './example-incident.js';
import { Rng, hashInts } from './prng.js';
import { SEARCH_PARAMS, SORT_FIELDS, IncidentStore, type ListQuery, type SortField } from './store.js';
import { US_PER_MS, nowUs, parseIsoUs } from './time.js';
import type {
  Endpoint, Fault, IncidentSpec, RequestLogEntry, Simulator, SimulatorOptions, SimulatorStats,
} from './types.js';

interface SimResponse {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

interface TokenInfo {
  companyId: number;
  scopes: string[];
  expiresAtMs: number;
  revoked: boolean;
}

type QueuedFault = Fault & { remaining: number };

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';
const LOG_CAP = 100_000;
const MAX_BODY_BYTES = 1_000_000;
const DEFAULT_WINDOW_MS = 60_000;
const HOUR_US = 3_600_000_000;
const DAY_US = 24 * HOUR_US;

const READ_SCOPES = new Set(['company.all', 'company.view', 'partner.all', 'partner.company.view']);
const KNOWN_SCOPES = new Set([
  'company.all', 'company.view', 'company.classify', 'company.edit',
  'partner.all', 'partner.company.view', 'partner.company.classify', 'partner.company.edit', 'partner.company.create',
]);
const STATES = new Set(['all', 'classified', 'unclassified', 'challenged']);
const CLASSIFICATION_FILTERS = new Set(['all', 'phishing', 'spam', 'compromised', 'safe', 'open', 'silent']);
const CHALLENGE_FILTERS: Record<string, number> = { release_request: 1, end_user_report: 2 };

const TOKEN_PATH = /^\/appapi\/get-token(\/?)$/;
const LIST_PATH = /^\/appapi\/incident\/(\d+)\/list(\/?)$/;
const OPEN_PATH = /^\/appapi\/incident\/(\d+)\/open(\/?)$/;
const DETAILS_PATH = /^\/appapi\/incident\/(\d+)\/details\/(\d+)\/?$/;

function endpointOf(pathname: string): Endpoint {
  if (TOKEN_PATH.test(pathname)) return 'token';
  if (LIST_PATH.test(pathname)) return 'list';
  if (OPEN_PATH.test(pathname)) return 'open';
  if (DETAILS_PATH.test(pathname)) return 'details';
  return 'other';
}

function json(status: number, value: unknown, headers?: Record<string, string>): SimResponse {
  return { status, body: JSON.stringify(value), contentType: JSON_TYPE, ...(headers ? { headers } : {}) };
}

function html(status: number, title: string): SimResponse {
  return { status, body: `<html><body><h1>${title}</h1></body></html>`, contentType: HTML_TYPE };
}

function badRequest(message: string): SimResponse {
  return json(400, { error_message: message });
}

/** DRF's Throttled text (singular for 1 second, as DRF's ngettext does). */
function throttledResponse(seconds: number): SimResponse {
  const unit = seconds === 1 ? 'second' : 'seconds';
  return json(429, { detail: `Request was throttled. Expected available in ${seconds} ${unit}.` }, { 'Retry-After': String(seconds) });
}

/** Accepted-call timestamps inside a sliding window (amortised O(1) eviction). */
class SlidingLog {
  private times: number[] = [];
  private head = 0;

  evict(now: number, windowMs: number): void {
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  get count(): number {
    return this.times.length - this.head;
  }

  oldest(): number | undefined {
    return this.times[this.head];
  }

  push(now: number): void {
    this.times.push(now);
  }
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: string | null): void => {
      if (!done) {
        done = true;
        resolve(value);
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) finish(null);
      else if (!done) chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => finish(null));
    req.on('close', () => finish(null));
  });
}

function checkRatio(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`${name} must be between 0 and 1`);
  return value;
}

function checkRateLimit(rateLimit: { limit: number; windowMs: number } | null): { limit: number; windowMs: number } | null {
  if (rateLimit === null) return null;
  if (!Number.isInteger(rateLimit.limit) || rateLimit.limit < 1) throw new RangeError('rateLimit.limit must be an integer >= 1 (use null for unlimited)');
  if (!Number.isFinite(rateLimit.windowMs) || rateLimit.windowMs <= 0) throw new RangeError('rateLimit.windowMs must be > 0');
  return { limit: rateLimit.limit, windowMs: rateLimit.windowMs };
}

function parseIsoOption(name: string, value: string): number {
  const us = parseIsoUs(value);
  if (us === null) throw new RangeError(`${name} is not an ISO-8601 date-time with offset: ${value}`);
  return us;
}

class IronscalesSimulator implements Simulator {
  url = '';
  readonly apiKey: string;
  readonly companyId: number;

  private readonly seed: number;
  private readonly ctx: GenContext;
  private readonly store: IncidentStore;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly tokenSecret = randomBytes(32);
  private readonly limiterLogs = new Map<number, SlidingLog>();
  private statsLogs = new Map<number, SlidingLog>();
  private faults: QueuedFault[] = [];
  private closed = false;
  private closing: Promise<void> | null = null;
  private nextId: number;

  private readonly tokenTtlMs: number;
  private rateLimit: { limit: number; windowMs: number } | null;
  private latencyMs: number;
  private readonly bodyBytes: number;
  private readonly largeBodyRatio: number;
  private readonly goneRatio: number;
  private readonly extraFieldRatio: number;
  private readonly defaultFromUs: number | undefined;
  private readonly defaultToUs: number | undefined;

  private counts: Record<Endpoint, number> = { token: 0, list: 0, open: 0, details: 0, other: 0 };
  private throttledCount = 0;
  private injectedCount = 0;
  private maxCallsInWindow = 0;
  private log: RequestLogEntry[] = [];

  constructor(options: SimulatorOptions) {
    this.seed = Math.trunc(options.seed ?? 1);
    this.companyId = options.companyId ?? 12345;
    if (!Number.isSafeInteger(this.companyId) || this.companyId < 1) throw new RangeError('companyId must be a positive integer');
    const companyName = options.companyName ?? 'company1';
    this.apiKey = options.apiKey ?? `sim-key-${this.seed}`;
    this.tokenTtlMs = options.tokenTtlMs ?? 3_600_000;
    this.rateLimit = checkRateLimit(options.rateLimit === undefined ? { limit: 120, windowMs: 60_000 } : options.rateLimit);
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.bodyBytes = Math.max(0, Math.trunc(options.bodyBytes ?? 20_000));
    this.largeBodyRatio = checkRatio('largeBodyRatio', options.largeBodyRatio ?? 0.05);
    this.goneRatio = checkRatio('goneRatio', options.goneRatio ?? 0.01);
    this.extraFieldRatio = checkRatio('extraFieldRatio', options.extraFieldRatio ?? 0.02);
    this.defaultFromUs = options.from === undefined ? undefined : parseIsoOption('from', options.from);
    this.defaultToUs = options.to === undefined ? undefined : parseIsoOption('to', options.to);
    this.ctx = { seed: this.seed, companyId: this.companyId, companyName, companyDomain: companyDomainOf(companyName) };
    this.store = new IncidentStore(this.ctx);
    this.nextId = 72_300_000 + (hashInts(this.seed, 0) % 5000);

    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        const address = this.server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('unexpected server address'));
          return;
        }
        this.url = `http://127.0.0.1:${address.port}`;
        resolve();
      });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Public API
  // -------------------------------------------------------------------------------------------

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
    return this.closing;
  }

  addIncidents(specs: IncidentSpec[]): number[] {
    const metas: IncidentMeta[] = [];
    const batchIds = new Set<number>();
    let nextId = this.nextId;
    for (const spec of specs) {
      const id = spec.incident_id ?? nextId;
      if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`incident_id must be a positive integer: ${id}`);
      if (this.store.has(id) || batchIds.has(id)) throw new Error(`Incident ${id} already exists`);
      batchIds.add(id);
      nextId = Math.max(nextId, id + 1);
      const createdUs = spec.first_reported_date === undefined ? nowUs() : parseIsoOption('first_reported_date', spec.first_reported_date);
      const gone = spec.gone === true;
      const rolled = rollAttributes(this.seed, id, gone);
      const cls = spec.classification === undefined ? rolled.cls : classificationIndex(spec.classification);
      const bodyBytes = spec.bodyBytes === undefined ? 0 : Math.max(1, Math.trunc(spec.bodyBytes));
      metas.push({
        id, createdUs, lastUpdateUs: createdUs, cls,
        reportType: gone ? RT_ATO : 0,
        gone: gone ? 410 : 0,
        bodyBytes, extraFields: false, extra: spec.extra ?? null,
        challenged: cls === CLS_REPORT ? 0 : rolled.challenged,
        isReclassified: false, reclassifiedOnUs: 0,
        shuffleKey: hashInts(this.seed, id, 99), example: false,
      });
    }
    this.store.add(metas);
    this.nextId = nextId;
    return metas.map((m) => m.id);
  }

  generateIncidents(count: number, range?: { from?: string; to?: string }): number[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
    if (count === 0) return [];
    const toUs = range?.to !== undefined ? parseIsoOption('to', range.to)
      : this.defaultToUs ?? Math.floor((Date.now() - 3_600_000) / 1000) * 1000 * US_PER_MS;
    const fromUs = range?.from !== undefined ? parseIsoOption('from', range.from)
      : this.defaultFromUs ?? toUs - 30 * DAY_US;
    if (fromUs > toUs) throw new RangeError('from must not be after to');
    const firstId = this.nextId;
    const rng = new Rng(hashInts(this.seed, firstId, count, 11));
    const timestamps = generateTimestamps(rng, count, fromUs, toUs);
    const pick = (stream: number, ratio: number): Set<number> =>
      new Set(new Rng(hashInts(this.seed, firstId, count, stream)).sampleIndices(count, Math.round(ratio * count)));
    const gone = pick(12, this.goneRatio);
    const large = pick(13, this.largeBodyRatio);
    const extra = pick(14, this.extraFieldRatio);
    const metas: IncidentMeta[] = new Array<IncidentMeta>(count);
    let id = firstId;
    for (let i = 0; i < count; i++) {
      const createdUs = timestamps[i] as number;
      const isGone = gone.has(i);
      const rolled = rollAttributes(this.seed, id, isGone);
      metas[i] = {
        id, createdUs, lastUpdateUs: createdUs, cls: rolled.cls, reportType: rolled.reportType, gone: rolled.goneStatus,
        bodyBytes: large.has(i) ? Math.max(1, this.bodyBytes) : 0,
        extraFields: extra.has(i), extra: null, challenged: rolled.challenged,
        isReclassified: false, reclassifiedOnUs: 0,
        shuffleKey: hashInts(this.seed, id, 99), example: false,
      };
      id += 1 + (rng.chance(0.15) ? rng.int(1, 3) : 0);
    }
    this.store.add(metas);
    this.nextId = id;
    return metas.map((m) => m.id);
  }

  reclassify(incidentId: number, classification: string, at?: string): void {
    const meta = this.store.get(incidentId);
    if (!meta) throw new Error(`Unknown incident ${incidentId}`);
    const cls = classificationIndex(classification);
    const atUs = at === undefined ? nowUs() : parseIsoOption('at', at);
    meta.cls = cls;
    meta.isReclassified = true;
    meta.reclassifiedOnUs = atUs;
    meta.lastUpdateUs = atUs;
    this.store.changed();
  }

  reset(): void {
    this.store.clear();
  }

  loadExampleIncident(): void {
    const existing = this.store.get(EXAMPLE_INCIDENT_ID);
    const createdUs = parseIsoOption('example', '2023-07-04T09:29:29.317504Z');
    const fresh: IncidentMeta = {
      id: EXAMPLE_INCIDENT_ID, createdUs, lastUpdateUs: createdUs, cls: 0, reportType: 0, gone: 0,
      bodyBytes: 0, extraFields: false, extra: null, challenged: 0, isReclassified: false, reclassifiedOnUs: 0,
      shuffleKey: hashInts(this.seed, EXAMPLE_INCIDENT_ID, 99), example: true,
    };
    if (existing) this.store.remove(EXAMPLE_INCIDENT_ID);
    this.store.add([fresh]);
  }

  incidentIds(): number[] {
    return this.store.ids();
  }

  details(incidentId: number): Record<string, unknown> | undefined {
    const meta = this.store.get(incidentId);
    return meta ? buildDetails(this.ctx, meta) : undefined;
  }

  inject(fault: Fault): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) throw new RangeError('fault.count must be an integer >= 1');
    if (fault.kind === 'delay' && (!Number.isFinite(fault.ms) || fault.ms < 0)) throw new RangeError('delay fault needs ms >= 0');
    this.faults.push({ ...fault, remaining: fault.count });
  }

  expireAllTokens(): void {
    for (const info of this.tokens.values()) info.revoked = true;
  }

  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  setRateLimit(rateLimit: { limit: number; windowMs: number } | null): void {
    this.rateLimit = checkRateLimit(rateLimit);
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  stats(): SimulatorStats {
    const requests = { ...this.counts };
    const total = requests.token + requests.list + requests.open + requests.details + requests.other;
    return {
      requests, total, throttled: this.throttledCount, injectedFaults: this.injectedCount,
      maxCallsInWindow: this.maxCallsInWindow, log: this.log.slice(-LOG_CAP),
    };
  }

  resetStats(): void {
    this.counts = { token: 0, list: 0, open: 0, details: 0, other: 0 };
    this.throttledCount = 0;
    this.injectedCount = 0;
    this.maxCallsInWindow = 0;
    this.statsLogs = new Map();
    this.log = [];
  }

  // -------------------------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------------------------

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const at = Date.now();
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const endpoint = endpointOf(url.pathname);
    const method = req.method ?? 'GET';
    this.counts[endpoint]++;
    let logged = false;
    // logged when the response is handed to the socket, so a client that has read the response
    // always finds its entry; requests that never get a response are logged with status 0
    const record = (status: number): void => {
      if (logged) return;
      logged = true;
      this.log.push({ at, method, path: rawUrl, endpoint, status });
      if (this.log.length >= 2 * LOG_CAP) this.log = this.log.slice(-LOG_CAP);
    };
    res.on('close', () => record(res.headersSent ? res.statusCode : 0));
    this.process(req, res, url, endpoint, record).catch((err: unknown) => {
      console.error('[ironscales-simulator] internal error:', err);
      if (!res.headersSent && !res.destroyed) this.send(res, json(500, { detail: 'Internal server error.' }), record);
    });
  }

  private async process(
    req: http.IncomingMessage, res: http.ServerResponse, url: URL, endpoint: Endpoint, record: (status: number) => void,
  ): Promise<void> {
    const body = await readBody(req);
    if (body === null) {
      record(0);
      req.socket.destroy();
      return;
    }
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    if (this.closed) return;
    const fault = this.takeFault(endpoint);
    if (fault) {
      this.injectedCount++;
      switch (fault.kind) {
        case 'throttle':
          this.send(res, throttledResponse(Math.max(1, Math.ceil(fault.retryAfterSeconds ?? 1))), record);
          return;
        case 'server_error': {
          const status = fault.status ?? 502;
          this.send(res, html(status, `${status} ${http.STATUS_CODES[status] ?? 'Server Error'}`), record);
          return;
        }
        case 'reset':
          record(0);
          req.socket.destroy();
          return;
        case 'delay':
          await this.sleep(fault.ms);
          if (this.closed) return;
          break;
        case 'truncate': {
          const full = this.route(req, url, body, true);
          const bytes = Buffer.from(full.body, 'utf8');
          record(200);
          res.writeHead(200, { 'Content-Type': JSON_TYPE });
          res.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
          return;
        }
      }
    }
    this.send(res, this.route(req, url, body, false), record);
  }

  private takeFault(endpoint: Endpoint): QueuedFault | undefined {
    const index = this.faults.findIndex((f) => f.endpoint === undefined || f.endpoint === endpoint);
    if (index < 0) return undefined;
    const fault = this.faults[index] as QueuedFault;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private send(res: http.ServerResponse, response: SimResponse, record: (status: number) => void): void {
    if (res.destroyed) return;
    record(response.status);
    res.writeHead(response.status, {
      'Content-Type': response.contentType,
      'Content-Length': String(Buffer.byteLength(response.body)),
      ...response.headers,
    });
    res.end(response.body);
  }

  /** Route a request. `bypass` skips auth and the rate limiter (used to build truncated bodies). */
  private route(req: http.IncomingMessage, url: URL, body: string, bypass: boolean): SimResponse {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const withSlash = (): SimResponse => ({
      status: 301, body: '', contentType: HTML_TYPE, headers: { Location: `${path}/${url.search}` },
    });
    let m: RegExpExecArray | null;
    if ((m = TOKEN_PATH.exec(path))) {
      if (m[1] === '') return withSlash();
      if (method !== 'POST') return json(405, { detail: `Method "${method}" not allowed.` });
      return this.getToken(req, body, bypass);
    }
    if ((m = LIST_PATH.exec(path)) || (m = OPEN_PATH.exec(path)) || (m = DETAILS_PATH.exec(path))) {
      const isDetails = DETAILS_PATH.test(path);
      if (!isDetails && m[2] === '') return withSlash();
      if (method !== 'GET') return json(405, { detail: `Method "${method}" not allowed.` });
      const companyId = Number(m[1]);
      if (!bypass) {
        const denied = this.authorize(req, companyId);
        if (denied) return denied;
      }
      if (isDetails) return this.detailsResponse(Number(m[2]));
      if (LIST_PATH.test(path)) return this.listResponse(url.searchParams);
      return json(200, { incident_ids: this.store.openIds() });
    }
    return html(404, 'Not Found');
  }

  private getToken(req: http.IncomingMessage, body: string, bypass: boolean): SimResponse {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    let data: Record<string, unknown>;
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(body);
      data = { key: form.get('key') ?? undefined, scopes: form.has('scopes') ? form.getAll('scopes') : undefined };
    } else if (contentType === '' || contentType === 'application/json' || contentType.endsWith('+json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return json(400, { detail: 'JSON parse error - Expecting value: line 1 column 1 (char 0)' });
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return json(400, { non_field_errors: ['Invalid data. Expected a dictionary, but got ' + (Array.isArray(parsed) ? 'list' : typeof parsed) + '.'] });
      }
      data = parsed as Record<string, unknown>;
    } else {
      return json(415, { detail: `Unsupported media type "${contentType}" in request.` });
    }
    const scopes = data['scopes'];
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string' && s !== '')) {
      return badRequest('Missing scope list under "scopes"');
    }
    const key = data['key'];
    if (typeof key !== 'string' || key === '') return json(400, { key: ['This field is required.'] });
    if (key !== this.apiKey) return json(403, { error_message: 'No company found for API key' });
    if (!scopes.every((s: string) => KNOWN_SCOPES.has(s))) {
      return json(403, { error_message: 'Company does not have permission for requested scopes' });
    }
    if (!bypass) {
      const throttled = this.throttle(this.companyId);
      if (throttled) return throttled;
    }
    return json(200, { jwt: this.issueToken(this.companyId, scopes as string[]) });
  }

  private issueToken(companyId: number, scopes: string[]): string {
    const nowMs = Date.now();
    const expiresAtMs = nowMs + this.tokenTtlMs;
    const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
      token_type: 'access', company_id: companyId, scopes,
      iat: Math.floor(nowMs / 1000), exp: Math.floor(expiresAtMs / 1000), jti: randomUUID(),
    })}`;
    const token = `${unsigned}.${createHmac('sha256', this.tokenSecret).update(unsigned).digest('base64url')}`;
    this.tokens.set(token, { companyId, scopes, expiresAtMs, revoked: false });
    return token;
  }

  /** Auth, company permission, scope check, then the rate limiter (DRF order). null = go on. */
  private authorize(req: http.IncomingMessage, pathCompanyId: number): SimResponse | null {
    const header = req.headers.authorization;
    const m = header === undefined ? null : /^(?:Bearer|JWT)\s+(\S+)\s*$/i.exec(header);
    if (!m || m[1] === undefined) return json(403, { detail: 'Missing JWT' });
    const info = this.tokens.get(m[1]);
    if (!info) return json(403, { detail: 'Invalid JWT' });
    if (info.revoked || Date.now() >= info.expiresAtMs) return json(403, { detail: 'JWT expired' });
    if (info.companyId !== pathCompanyId) {
      return json(403, { message: `You do not have permission for company ${pathCompanyId}` });
    }
    if (!info.scopes.some((s) => READ_SCOPES.has(s))) {
      return json(403, { detail: 'You do not have permission to perform this action.' });
    }
    return this.throttle(info.companyId);
  }

  /** DRF SimpleRateThrottle semantics: a sliding log of accepted calls; rejected calls are not logged. */
  private throttle(companyId: number): SimResponse | null {
    const now = Date.now();
    const windowMs = this.rateLimit?.windowMs ?? DEFAULT_WINDOW_MS;
    if (this.rateLimit) {
      let log = this.limiterLogs.get(companyId);
      if (!log) this.limiterLogs.set(companyId, (log = new SlidingLog()));
      log.evict(now, windowMs);
      if (log.count >= this.rateLimit.limit) {
        this.throttledCount++;
        const oldest = log.oldest() ?? now;
        return throttledResponse(Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)));
      }
      log.push(now);
    }
    let stats = this.statsLogs.get(companyId);
    if (!stats) this.statsLogs.set(companyId, (stats = new SlidingLog()));
    stats.evict(now, windowMs);
    stats.push(now);
    if (stats.count > this.maxCallsInWindow) this.maxCallsInWindow = stats.count;
    return null;
  }

  private detailsResponse(incidentId: number): SimResponse {
    const meta = this.store.get(incidentId);
    if (!meta || meta.gone === 404) return json(404, { error_message: 'Incident/company were not found' });
    if (meta.gone === 410) return json(410, { error_message: 'Incident details are not available for this incident type' });
    const details = buildDetails(this.ctx, meta);
    if (!details) return json(404, { error_message: 'Incident/company were not found' });
    return json(200, details);
  }

  private listResponse(params: URLSearchParams): SimResponse {
    const intParam = (name: string, fallback: number, min: number, max: number): number | SimResponse => {
      const raw = params.get(name);
      if (raw === null) return fallback;
      if (!/^\d+$/.test(raw)) return badRequest(`Invalid value for ${name}`);
      const value = Number(raw);
      if (value < min || value > max) return badRequest(`Invalid value for ${name}`);
      return value;
    };
    const page = intParam('page', 1, 1, Number.MAX_SAFE_INTEGER);
    if (typeof page !== 'number') return page;
    const perPage = intParam('items_per_page', 100, 1, 1000);
    if (typeof perPage !== 'number') return perPage;

    const sort = params.get('sort') ?? 'noSorting';
    if (!(SORT_FIELDS as readonly string[]).includes(sort)) return badRequest(`Invalid value for sort: ${sort}`);
    const order = params.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') return badRequest(`Invalid value for order: ${order}`);

    const query: ListQuery = {
      states: null, reportType: null, classifications: null, search: [], sort: sort as SortField, order,
    };
    const dateParams = [
      ['created_start_time', 'createdFromUs'], ['created_end_time', 'createdToUs'],
      ['last_update_start_time', 'updatedFromUs'], ['last_update_end_time', 'updatedToUs'],
      ['challenged_start_date', 'challengedFromUs'], ['challenged_end_date', 'challengedToUs'],
    ] as const;
    for (const [name, field] of dateParams) {
      const raw = params.get(name);
      if (raw === null) continue;
      const us = parseIsoUs(raw);
      if (us === null) return badRequest(`Invalid date format for ${name}`);
      query[field] = us;
    }

    const period = params.get('period');
    if (period !== null) {
      const now = nowUs();
      const starts: Record<string, number> = {
        '0': now - DAY_US, '1': now - 7 * DAY_US, '2': now - 90 * DAY_US, '3': now - 180 * DAY_US,
        '4': now - 360 * DAY_US, '5': Date.UTC(new Date().getUTCFullYear(), 0, 1) * US_PER_MS,
      };
      if (period !== '6') {
        const start = starts[period];
        if (start === undefined) return badRequest(`Invalid value for period: ${period}`);
        query.createdFromUs = Math.max(query.createdFromUs ?? start, start);
      }
    }

    const states = params.getAll('state');
    for (const s of states) if (!STATES.has(s)) return badRequest(`Invalid value for state: ${s}`);
    if (states.length > 0 && !states.includes('all')) query.states = [...new Set(states)].sort();

    const classifications = params.getAll('classification');
    for (const c of classifications) if (!CLASSIFICATION_FILTERS.has(c)) return badRequest(`Invalid value for classification: ${c}`);
    if (classifications.length > 0 && !classifications.includes('all')) query.classifications = [...new Set(classifications)].sort();

    const reportType = params.get('reportType');
    if (reportType !== null && reportType !== 'all') {
      const index = (REPORT_TYPES as readonly string[]).indexOf(reportType);
      if (index < 0) return badRequest(`Invalid value for reportType: ${reportType}`);
      query.reportType = index;
    }

    const incidentId = params.get('incidentID');
    if (incidentId !== null && incidentId !== '') {
      if (!/^\d+$/.test(incidentId)) return badRequest('Invalid value for incidentID');
      query.incidentId = Number(incidentId);
    }

    const challengedType = params.get('challenged_type');
    if (challengedType !== null && challengedType !== '') {
      const index = CHALLENGE_FILTERS[challengedType];
      if (index === undefined) return badRequest(`Invalid value for challenged_type: ${challengedType}`);
      query.challengedType = index;
    }

    for (const [param, field] of Object.entries(SEARCH_PARAMS)) {
      const needle = params.get(param);
      if (needle) query.search.push([field, needle]);
    }

    const all = this.store.query(query);
    const totalCount = all.length;
    const totalPages = Math.ceil(totalCount / perPage);
    if (page > Math.max(totalPages, 1)) return json(404, { error_message: 'Incident or page were not found' });
    const slice = all.slice((page - 1) * perPage, page * perPage);
    return json(200, {
      page,
      total_pages: totalPages,
      total_count: totalCount,
      incidents: slice.map((meta) => buildListItem(this.ctx, meta)),
    });
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new IronscalesSimulator(options);
  const incidents = options.incidents ?? 0;
  if (incidents > 0) sim.generateIncidents(incidents);
  if (options.loadExample) sim.loadExampleIncident();
  await sim.listen(options.port ?? 0);
  return sim;
}
