/**
 * The HTTP side of the simulator: the server, fault injection, request statistics and the Date
 * header. What each request means is decided by the routes (routes.ts); the data lives in
 * IncidentStore and is built on demand by the generators.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { SimClock, httpDate } from './clock.js';
import { buildDetails, buildListItem, classificationIndex, companyDomainOf } from './generator.js';
import { EXAMPLE_INCIDENT_ID } from './example-incident.js';
import { exampleMeta, generatedMetas, metasFromSpecs, parseIsoOption, type FactorySettings } from './incident-factory.js';
import { hashInts } from './prng.js';
import { RateLimiter, checkRateLimit } from './rate-limiter.js';
import { JSON_TYPE, errorPage, htmlStatus, json, readBody, throttledResponse, type SimResponse } from './responses.js';
import { Routes, endpointOf, type RouteSettings } from './routes.js';
import { DeepfakeFeed } from './deepfake.js';
import { EscalatedEmails } from './escalated-emails.js';
import { buildScanbackItem } from './scanback.js';
import { MAX_ITEMS_PER_PAGE } from './list-query.js';
import { DEFAULT_MAILBOXES } from './mailboxes.js';
import { IncidentStore } from './store.js';
import { formatUs, US_PER_MS } from './time.js';
import { JWT_EXPIRED, TokenAuthority, checkRejection } from './tokens.js';
import type {
  Endpoint, Fault, IncidentSpec, ListLimits, RequestLogEntry, Simulator, SimulatorOptions, SimulatorStats, TokenRejection,
} from './types.js';

type QueuedFault = Fault & { remaining: number; toSkip: number };

const LOG_CAP = 100_000;
const DAY_US = 86_400_000_000;
const ENDPOINTS: readonly Endpoint[] = ['token', 'list', 'open', 'details', 'mitigations', 'mailboxes', 'ato', 'emails', 'scanback', 'deepfake', 'other'];
/** IRONSCALES' documented limit of the escalated-emails endpoint (S1): 20 calls a minute. */
const EMAILS_RATE_LIMIT = { limit: 20, windowMs: 60_000 };

function checkRatio(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`${name} must be between 0 and 1`);
  return value;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
  return value;
}

function zeroCounts(): Record<Endpoint, number> {
  return Object.fromEntries(ENDPOINTS.map((e) => [e, 0])) as Record<Endpoint, number>;
}

class IronscalesSimulator implements Simulator {
  url = '';
  readonly apiKey: string;
  readonly companyId: number;

  private readonly factory: FactorySettings;
  private readonly store: IncidentStore;
  private readonly scanbacks: IncidentStore;
  private readonly emails: EscalatedEmails;
  private readonly deepfake: DeepfakeFeed;
  private readonly emailsLimiter: RateLimiter;
  private readonly clock: SimClock;
  private readonly tokens: TokenAuthority;
  private readonly limiter: RateLimiter;
  private readonly routes: Routes;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private faults: QueuedFault[] = [];
  private closed = false;
  private closing: Promise<void> | null = null;
  private nextId: number;
  private latencyMs: number;
  private readonly defaultFromUs: number | undefined;
  private readonly defaultToUs: number | undefined;

  private counts = zeroCounts();
  private injectedCount = 0;
  private log: RequestLogEntry[] = [];

  constructor(options: SimulatorOptions) {
    const seed = Math.trunc(options.seed ?? 1);
    this.companyId = options.companyId ?? 12345;
    if (!Number.isSafeInteger(this.companyId) || this.companyId < 1) throw new RangeError('companyId must be a positive integer');
    const companyName = options.companyName ?? 'company1';
    this.apiKey = options.apiKey ?? `sim-key-${seed}`;
    this.clock = new SimClock(options.clockOffsetMs ?? 0);
    this.tokens = new TokenAuthority(this.clock, options.tokenTtlMs ?? 3_600_000, checkRejection(options.expiredTokenAnswer ?? JWT_EXPIRED));
    this.limiter = new RateLimiter(checkRateLimit(options.rateLimit === undefined ? { limit: 120, windowMs: 60_000 } : options.rateLimit));
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.factory = {
      seed,
      bodyBytes: Math.max(0, Math.trunc(options.bodyBytes ?? 20_000)),
      largeBodyRatio: checkRatio('largeBodyRatio', options.largeBodyRatio ?? 0.05),
      goneRatio: checkRatio('goneRatio', options.goneRatio ?? 0.01),
      extraFieldRatio: checkRatio('extraFieldRatio', options.extraFieldRatio ?? 0.02),
    };
    this.defaultFromUs = options.from === undefined ? undefined : parseIsoOption('from', options.from);
    this.defaultToUs = options.to === undefined ? undefined : parseIsoOption('to', options.to);
    const ctx = { seed, companyId: this.companyId, companyName, companyDomain: companyDomainOf(companyName) };
    this.store = new IncidentStore(ctx);
    this.scanbacks = new IncidentStore(ctx);
    this.emails = new EscalatedEmails(ctx, this.store, this.scanbacks, options.emailsPageCap === undefined ? null : positiveInt('emailsPageCap', options.emailsPageCap));
    this.deepfake = new DeepfakeFeed(ctx);
    this.deepfake.enabled = options.deepfakeEnabled !== false;
    this.emailsLimiter = new RateLimiter(checkRateLimit(options.emailsRateLimit === undefined ? EMAILS_RATE_LIMIT : options.emailsRateLimit));
    this.nextId = 72_300_000 + (hashInts(seed, 0) % 5000);
    const mailboxes = options.mailboxes ?? DEFAULT_MAILBOXES;
    if (!Number.isSafeInteger(mailboxes) || mailboxes < 0) throw new RangeError('mailboxes must be an integer >= 0');
    const settings: RouteSettings = {
      apiKey: this.apiKey,
      companyId: this.companyId,
      unstableTies: options.unstableTies === true,
      mailboxes,
      mitigations: {
        perPage: positiveInt('mitigationsPerPage', options.mitigationsPerPage ?? 100),
        maxIncidents: positiveInt('mitigationsMaxIncidents', options.mitigationsMaxIncidents ?? 100),
      },
      list: {
        pageCap: options.listPageCap === undefined ? null : positiveInt('listPageCap', options.listPageCap),
        maxItemsPerPage: positiveInt('listMaxItemsPerPage', options.listMaxItemsPerPage ?? MAX_ITEMS_PER_PAGE),
      },
    };
    this.routes = new Routes(ctx, this.store, this.clock, this.tokens, this.limiter, settings, {
      scanbacks: this.scanbacks, emails: this.emails, deepfake: this.deepfake, emailsLimiter: this.emailsLimiter,
    });

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
    const { metas, nextId } = metasFromSpecs(specs, this.nextId, this.clock.nowUs(), this.factory, (id) => this.store.has(id));
    this.store.add(metas);
    this.nextId = nextId;
    return metas.map((m) => m.id);
  }

  generateIncidents(count: number, range?: { from?: string; to?: string }): number[] {
    return this.generateInto(this.store, this.factory, count, range);
  }

  generateScanbackIncidents(count: number, range?: { from?: string; to?: string }): number[] {
    // What a scan finds are e-mails: every scanback incident has details.
    return this.generateInto(this.scanbacks, { ...this.factory, goneRatio: 0 }, count, range);
  }

  private generateInto(store: IncidentStore, factory: FactorySettings, count: number, range?: { from?: string; to?: string }): number[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
    if (count === 0) return [];
    const { fromUs, toUs } = this.range(range);
    const { metas, nextId } = generatedMetas(count, fromUs, toUs, this.nextId, factory);
    store.add(metas);
    this.nextId = nextId;
    return metas.map((m) => m.id);
  }

  /** A generation range: the given bounds, else the simulator's (default: the 30 days before now − 1 h). */
  private range(range?: { from?: string; to?: string }): { fromUs: number; toUs: number } {
    const toUs = range?.to !== undefined ? parseIsoOption('to', range.to)
      : this.defaultToUs ?? Math.floor((this.clock.nowMs() - 3_600_000) / 1000) * 1000 * US_PER_MS;
    const fromUs = range?.from !== undefined ? parseIsoOption('from', range.from) : this.defaultFromUs ?? toUs - 30 * DAY_US;
    if (fromUs > toUs) throw new RangeError('from must not be after to');
    return { fromUs, toUs };
  }

  scanbackIncidentIds(): number[] {
    return this.scanbacks.ids();
  }

  scanbackEntry(incidentId: number): Record<string, unknown> | undefined {
    const meta = this.scanbacks.get(incidentId);
    return meta ? buildScanbackItem(this.routes.ctx, meta) : undefined;
  }

  escalatedEmails(incidentIds?: number[]): Record<string, unknown>[] {
    return this.emails.all(incidentIds);
  }

  generateDeepfakeEvents(count: number, range?: { from?: string; to?: string }): string[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
    if (count === 0) return [];
    const { fromUs, toUs } = this.range(range);
    return this.deepfake.generate(count, fromUs, toUs);
  }

  addDeepfakeEvents(count: number): string[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
    return this.deepfake.add(count, this.clock.nowUs());
  }

  deepfakeEvents(): Record<string, unknown>[] {
    return this.deepfake.all();
  }

  setDeepfakeEnabled(on: boolean): void {
    this.deepfake.enabled = on;
  }

  setEmailsRateLimit(rateLimit: { limit: number; windowMs: number } | null): void {
    this.emailsLimiter.set(rateLimit);
  }

  reclassify(incidentId: number, classification: string, at?: string): void {
    const meta = this.store.get(incidentId);
    if (!meta) throw new Error(`Unknown incident ${incidentId}`);
    const cls = classificationIndex(classification);
    const atUs = at === undefined ? this.clock.nowUs() : parseIsoOption('at', at);
    meta.cls = cls;
    meta.isReclassified = true;
    meta.reclassifiedOnUs = atUs;
    meta.lastUpdateUs = atUs;
    this.store.changed();
  }

  reset(): void {
    this.store.clear();
    this.scanbacks.clear();
  }

  removeIncidents(ids: number[]): void {
    for (const id of ids) this.store.remove(id);
  }

  loadExampleIncident(): void {
    if (this.store.has(EXAMPLE_INCIDENT_ID)) this.store.remove(EXAMPLE_INCIDENT_ID);
    this.store.add([exampleMeta(this.factory.seed)]);
  }

  incidentIds(): number[] {
    return this.store.ids();
  }

  details(incidentId: number): Record<string, unknown> | undefined {
    const meta = this.store.get(incidentId) ?? this.scanbacks.get(incidentId);
    return meta ? buildDetails(this.routes.ctx, meta) : undefined;
  }

  listEntry(incidentId: number): Record<string, unknown> | undefined {
    const meta = this.store.get(incidentId);
    return meta ? buildListItem(this.routes.ctx, meta) : undefined;
  }

  inject(fault: Fault): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) throw new RangeError('fault.count must be an integer >= 1');
    if (fault.kind === 'delay' && (!Number.isFinite(fault.ms) || fault.ms < 0)) throw new RangeError('delay fault needs ms >= 0');
    if (fault.kind === 'error_page' && (!Number.isInteger(fault.status) || fault.status < 300 || fault.status > 599)) throw new RangeError('error_page fault needs a status 300..599');
    const skip = fault.skip ?? 0;
    if (!Number.isInteger(skip) || skip < 0) throw new RangeError('fault.skip must be an integer >= 0');
    this.faults.push({ ...fault, remaining: fault.count, toSkip: skip });
  }

  clearFaults(): void {
    this.faults = [];
  }

  expireAllTokens(answer: TokenRejection = JWT_EXPIRED): void {
    this.tokens.expireAll(answer);
  }

  issuedTokens(): string[] {
    return this.tokens.issued();
  }

  setRateLimit(rateLimit: { limit: number; windowMs: number } | null): void {
    this.limiter.set(rateLimit);
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  now(): string {
    return formatUs(this.clock.nowUs());
  }

  setClockOffset(ms: number): void {
    this.clock.setOffset(ms);
  }

  setUnstableTies(on: boolean): void {
    this.routes.settings.unstableTies = on;
  }

  failDetails(incidentId: number, status = 500, body: 'html' | 'json' = 'html'): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError('failDetails status must be 400..599');
    this.routes.failingDetails.set(incidentId, { status, body });
  }

  healDetails(incidentId: number): void {
    this.routes.failingDetails.delete(incidentId);
  }

  failAccountTakeover(incidentId: number, status = 500, body: 'html' | 'json' = 'html'): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError('failAccountTakeover status must be 400..599');
    this.routes.failingAto.set(incidentId, { status, body });
  }

  healAccountTakeover(incidentId: number): void {
    this.routes.failingAto.delete(incidentId);
  }

  setListLimits(limits: ListLimits): void {
    const list = this.routes.settings.list;
    if (limits.pageCap !== undefined) list.pageCap = limits.pageCap === null ? null : positiveInt('pageCap', limits.pageCap);
    if (limits.maxItemsPerPage !== undefined) list.maxItemsPerPage = positiveInt('maxItemsPerPage', limits.maxItemsPerPage);
  }

  stats(): SimulatorStats {
    const requests = { ...this.counts };
    const total = ENDPOINTS.reduce((sum, e) => sum + requests[e], 0);
    return {
      requests, total, throttled: this.limiter.throttled, injectedFaults: this.injectedCount,
      maxCallsInWindow: this.limiter.maxCallsInWindow, emailsMaxCallsInWindow: this.emailsLimiter.maxCallsInWindow, log: this.log.slice(-LOG_CAP),
    };
  }

  resetStats(): void {
    this.counts = zeroCounts();
    this.injectedCount = 0;
    this.limiter.resetStats();
    this.emailsLimiter.resetStats();
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
          this.send(res, throttledResponse(Math.max(1, Math.ceil(fault.retryAfterSeconds ?? 1)), fault.retryAfterHeader !== false), record);
          return;
        case 'server_error':
          this.send(res, htmlStatus(fault.status ?? 502), record);
          return;
        case 'error_page':
          this.send(res, errorPage(fault.status, fault.body ?? 'html'), record);
          return;
        case 'canned':
          this.send(res, json(fault.status, fault.body), record);
          return;
        case 'reset':
          record(0);
          req.socket.destroy();
          return;
        case 'delay':
          await this.sleep(fault.ms);
          if (this.closed) return;
          break;
        case 'truncate': {
          const full = this.routes.handle(req, url, body, true);
          const bytes = Buffer.from(full.body, 'utf8');
          record(200);
          res.writeHead(200, { 'Content-Type': JSON_TYPE, Date: httpDate(this.clock.nowMs()) });
          res.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
          return;
        }
      }
    }
    this.send(res, this.routes.handle(req, url, body, false), record);
  }

  /** The first queued fault that matches and has no requests left to let pass; those still skipping count this one. */
  private takeFault(endpoint: Endpoint): QueuedFault | undefined {
    for (let index = 0; index < this.faults.length; index++) {
      const fault = this.faults[index] as QueuedFault;
      if (fault.endpoint !== undefined && fault.endpoint !== endpoint) continue;
      if (fault.toSkip > 0) {
        fault.toSkip--;
        continue;
      }
      fault.remaining--;
      if (fault.remaining <= 0) this.faults.splice(index, 1);
      return fault;
    }
    return undefined;
  }

  private send(res: http.ServerResponse, response: SimResponse, record: (status: number) => void): void {
    if (res.destroyed) return;
    record(response.status);
    res.writeHead(response.status, {
      'Content-Type': response.contentType,
      'Content-Length': String(Buffer.byteLength(response.body)),
      // the server's own clock, as a real server's Date header is
      Date: httpDate(this.clock.nowMs()),
      ...response.headers,
    });
    res.end(response.body);
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new IronscalesSimulator(options);
  const incidents = options.incidents ?? 0;
  if (incidents > 0) sim.generateIncidents(incidents);
  // After the incidents, so their ids are those of a simulator without scanbacks.
  sim.generateScanbackIncidents(options.scanbackIncidents ?? 0);
  sim.generateDeepfakeEvents(options.deepfakeEvents ?? 0);
  if (options.loadExample) sim.loadExampleIncident();
  await sim.listen(options.port ?? 0);
  return sim;
}
