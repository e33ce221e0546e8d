/**
 * The IRONSCALES appapi endpoints the connector reads: token, incident list, incident details,
 * account-takeover details, mailbox mitigations and mailboxes. Each method builds its request,
 * hands it to the send loop (send.ts: limits, token, retries, the response table) and checks the
 * answer's shape (shapes.ts). One client per sync, shared by every stream: IRONSCALES' rate limit
 * is per company, so one limiter must see every call.
 */
import { ServerClock } from './clock.js';
import { IronscalesApiError } from './errors.js';
import type { EndpointKind } from './responses.js';
import { RateLimits } from './rate-limiter.js';
import { Sender, type ApiRequest } from './send.js';
import { addRange, PAGED_LISTS, refusesPageSize, type ClientEvents, type ClientOptions, type DetailsResult, type ListQuery, type PagedList, type TimeRange } from './requests.js';
import {
  parseAtoPage, parseDeepfakePage, parseDetails, parseEmailsPage, parseListPage, parseMailboxesPage, parseMitigationsPage, parseScanbackPage,
  type DeepfakePage, type EmailsPage, type IncidentListPage, type MailboxesPage, type MitigationsPage, type ScanbackPage,
} from './shapes.js';
import { formatQueryTimestamp, type Micros } from './timestamps.js';
import { TokenHolder } from './token.js';

export type { ClientEvents, ClientOptions, DetailsResult, ListQuery, TimeRange } from './requests.js';
export type {
  DeepfakeEvent, DeepfakePage, EmailsPage, EscalatedEmail, IncidentListItem, IncidentListPage, Mailbox, MailboxesPage, Mitigation, MitigationsPage,
  ScanbackItem, ScanbackPage,
} from './shapes.js';

/** Open connections at most; more than the streams' concurrent calls, so none waits for a socket. */
const MAX_CONNECTIONS = 32;
/** IRONSCALES' maximum page size for account-takeover alerts: fewest calls per incident. */
const ATO_ITEMS_PER_PAGE = 500;
/**
 * The list documents no maximum page size; 100–500 is the range integrations use, and 500 costs
 * one call per 500 incidents listed (a page of list entries is ~0.5 MB). If IRONSCALES refuses it,
 * the client falls back to the documented default, 100; if it serves fewer per page, the client
 * asks for what it serves, so page numbers stay IRONSCALES' own.
 */
export const LIST_PAGE_SIZE = 500;
const DOCUMENTED_LIST_PAGE_SIZE = 100;

export class IronscalesClient {
  private readonly clock = new ServerClock();
  private readonly tokens: TokenHolder;
  private readonly sender: Sender;
  /** Items per page of each paged list: LIST_PAGE_SIZE until IRONSCALES shows it serves fewer or refuses it. */
  private readonly pageSizes: Record<PagedList, number> = { list: LIST_PAGE_SIZE, scanback: LIST_PAGE_SIZE };

  constructor(
    private readonly options: ClientOptions,
    private readonly events: ClientEvents = {},
  ) {
    this.tokens = new TokenHolder(() => this.requestToken(), () => this.clock.nowMs());
    this.sender = new Sender(options, events, new RateLimits(options.requestsPerMinute), this.clock, this.tokens, MAX_CONNECTIONS);
  }

  /** Calls made so far, by endpoint kind (retries of one call count once). */
  get calls(): Readonly<Record<EndpointKind, number>> {
    return this.sender.calls;
  }

  /** IRONSCALES' current time (this machine's until a response carried a Date header). */
  serverNow(): Micros {
    return this.clock.nowMicros();
  }

  /**
   * A time IRONSCALES' clock has certainly reached: the earliest its Date headers allow. Windows
   * that end "now" end here, so a slow answer can never place them in IRONSCALES' future.
   */
  serverNowAtLeast(): Micros {
    return this.clock.earliestNowMicros();
  }

  /** Incidents the list serves per page (see LIST_PAGE_SIZE). */
  get listPageSize(): number {
    return this.pageSizes.list;
  }

  /**
   * serverNowAtLeast, once IRONSCALES has answered at least once: a stream that reads first gets
   * the token it needs anyway, and its windows end by IRONSCALES' clock, not this machine's.
   */
  async serverNowAtLeastConfirmed(): Promise<Micros> {
    if (this.clock.offsetMs === undefined) await this.tokens.current();
    return this.clock.earliestNowMicros();
  }

  /** IRONSCALES' clock minus this machine's, in ms; undefined until a response carried a Date header. */
  get clockOffsetMs(): number | undefined {
    return this.clock.offsetMs;
  }

  /** Gets a fresh JWT; later ones are fetched when it nears its expiry or IRONSCALES refuses it. */
  async authenticate(): Promise<void> {
    await this.tokens.refresh(this.tokens.value);
  }

  /** One page of incidents, ordered by incidentID (unique, so pages are stable); undefined past the last page. */
  async listIncidents(q: ListQuery): Promise<IncidentListPage | undefined> {
    return this.incidentPage('list', q, (params) => {
      params.set('state', 'all');
      params.set('reportType', 'all');
      if (q.created) addRange(params, 'created', q.created);
      if (q.lastUpdate) addRange(params, 'last_update', q.lastUpdate);
      if (q.incidentId !== undefined) params.set('incidentID', String(q.incidentId));
    }, parseListPage);
  }

  /** One page of scanback incidents first reported in `created`, ordered by incidentID; undefined past the last page. */
  async listScanbackIncidents(q: { page: number; created: TimeRange }): Promise<ScanbackPage | undefined> {
    return this.incidentPage('scanback', q, (params) => {
      params.set('state', 'all');
      addRange(params, 'created', q.created);
    }, parseScanbackPage);
  }

  /** One page of the e-mails escalated to incidents that arrived in `arrival` (bounds inclusive); undefined past the last page. */
  async listEscalatedEmails(q: { page: number; pageSize: number; arrival: TimeRange }): Promise<EmailsPage | undefined> {
    const params = new URLSearchParams({
      start_time: formatQueryTimestamp(q.arrival.start),
      end_time: formatQueryTimestamp(q.arrival.end),
      page: String(q.page),
      page_size: String(q.pageSize),
    });
    const reply = await this.sender.send({ ...this.request('emails', `/emails/${this.options.companyId}/?${params}`, 'GET escalated emails'), absentMeansNone: q.page > 1 });
    return reply.found ? parseEmailsPage(reply.body) : undefined;
  }

  /** The deepfake events after feed position `sinceId` or, before any position is known, that occurred from `createdAfter`. */
  async deepfakeEvents(q: { sinceId?: number; createdAfter?: Micros; limit: number }): Promise<DeepfakePage> {
    const params = new URLSearchParams({ limit: String(q.limit) });
    if (q.sinceId !== undefined) params.set('since_id', String(q.sinceId));
    if (q.createdAfter !== undefined) params.set('created_after', formatQueryTimestamp(q.createdAfter));
    // The feed has no pages: no 404 there means "nothing" (responses.ts), so an answer always comes.
    const reply = await this.sender.send(this.request('deepfake', `/deepfake/${this.options.companyId}/events/?${params}`, 'GET deepfake events'));
    if (!reply.found) throw new IronscalesApiError('unexpected', `IRONSCALES answered GET deepfake events with HTTP ${reply.status} (${reply.message}).`);
    return parseDeepfakePage(reply.body);
  }

  /**
   * The details object of one incident, or why IRONSCALES has none (404/410: account takeover,
   * Teams and similar). `retryBudgetMs` bounds the retries of this call alone, so a caller with
   * a fallback can give up on one incident early instead of failing the sync.
   */
  async getIncidentDetails(incidentId: number, opts: { retryBudgetMs?: number } = {}): Promise<DetailsResult> {
    const reply = await this.sender.send({
      ...this.request('details', `/incident/${this.options.companyId}/details/${incidentId}`, `GET incident details ${incidentId}`),
      retryBudgetMs: opts.retryBudgetMs,
      absentMeansNone: true,
    });
    if (!reply.found) return { found: false, status: reply.status, message: reply.message };
    return { found: true, details: parseDetails(reply.body, incidentId), bytes: reply.bytes };
  }

  /** An account-takeover incident's `incident_details` with the alerts of every page; undefined on 404/410. */
  async getAccountTakeoverDetails(incidentId: number): Promise<Record<string, unknown> | undefined> {
    let merged: Record<string, unknown> | undefined;
    const alerts: unknown[] = [];
    const seen = new Set<unknown>();
    for (let page = 1, pages = 1; page <= pages; page++) {
      const params = new URLSearchParams({ page: String(page), items_per_page: String(ATO_ITEMS_PER_PAGE) });
      const what = `GET account-takeover details ${incidentId}`;
      // IRONSCALES answers 404 for an incident that is no account takeover, and for a page past the end.
      const reply = await this.sender.send({ ...this.request('ato', `/incident/${this.options.companyId}/account-takeover/${incidentId}/details/?${params}`, what), absentMeansNone: true });
      // A later page that vanished means the alerts shrank meanwhile: keep what was read.
      if (!reply.found) return merged === undefined ? undefined : { ...merged, alerts };
      const body = parseAtoPage(reply.body, incidentId);
      merged ??= body.incident_details;
      pages = typeof body.pages_count === 'number' ? body.pages_count : 1;
      for (const alert of body.incident_details.alerts ?? []) {
        // Alerts that moved to the next page while paging would otherwise appear twice.
        const id = (alert as { id?: unknown } | null)?.id;
        if (id !== undefined && seen.has(id)) continue;
        if (id !== undefined) seen.add(id);
        alerts.push(alert);
      }
    }
    return { ...merged, alerts };
  }

  /** One page of mailbox mitigations of the given incidents; undefined past the last page. */
  async listMitigations(incidentIds: number[], page: number): Promise<MitigationsPage | undefined> {
    const reply = await this.sender.send({
      ...this.request('mitigations', `/mitigation/${this.options.companyId}/details/`, 'POST mitigation details'),
      method: 'POST',
      body: { incidents: incidentIds, page },
      absentMeansNone: page > 1,
    });
    return reply.found ? parseMitigationsPage(reply.body) : undefined;
  }

  /** One page of the company's mailboxes; undefined past the last page. */
  async listMailboxes(page: number, itemsPerPage: number): Promise<MailboxesPage | undefined> {
    const params = new URLSearchParams({ page: String(page), items_per_page: String(itemsPerPage) });
    const reply = await this.sender.send({ ...this.request('mailboxes', `/mailboxes/${this.options.companyId}/list/?${params}`, 'GET mailbox list'), absentMeansNone: page > 1 });
    return reply.found ? parseMailboxesPage(reply.body) : undefined;
  }

  /** Releases idle connections (the end of a sync or check). */
  close(): void {
    this.sender.close();
  }

  /**
   * One page of a paged incident list (the incident list, the scanback list), in incidentID order.
   * Page 1 must exist (an empty window is a 200 with total_pages 0); a later page may be past the end.
   */
  private async incidentPage<P extends { total_pages: number; incidents: unknown[] }>(
    kind: PagedList,
    q: { page: number; itemsPerPage?: number },
    filters: (params: URLSearchParams) => void,
    parse: (body: unknown) => P,
  ): Promise<P | undefined> {
    const itemsPerPage = q.itemsPerPage ?? this.pageSizes[kind];
    const params = new URLSearchParams({ page: String(q.page), items_per_page: String(itemsPerPage), sort: 'incidentID', order: 'asc' });
    filters(params);
    const { path, what, noun } = PAGED_LISTS[kind];
    let reply;
    try {
      reply = await this.sender.send({ ...this.request(kind, `/incident/${this.options.companyId}/${path}/?${params}`, what), absentMeansNone: q.page > 1 });
    } catch (err) {
      if (q.itemsPerPage === undefined && itemsPerPage > DOCUMENTED_LIST_PAGE_SIZE && refusesPageSize(err)) {
        this.pageSizes[kind] = DOCUMENTED_LIST_PAGE_SIZE;
        await this.events.onLog?.(`IRONSCALES refused items_per_page=${itemsPerPage} (${(err as Error).message}); listing ${DOCUMENTED_LIST_PAGE_SIZE} ${noun} per page, its documented default.`);
        return this.incidentPage(kind, q, filters, parse);
      }
      throw err;
    }
    if (!reply.found) return undefined;
    const page = parse(reply.body);
    if (q.itemsPerPage === undefined && q.page === 1 && page.total_pages > 1 && page.incidents.length > 0 && page.incidents.length < itemsPerPage) {
      // IRONSCALES caps its pages below what was asked: ask for what it serves, so page numbers stay its own.
      this.pageSizes[kind] = page.incidents.length;
      await this.events.onLog?.(`IRONSCALES serves at most ${page.incidents.length} ${noun} per page (asked for ${itemsPerPage}); listing ${page.incidents.length} per page.`);
    }
    return page;
  }

  private async requestToken(): Promise<string> {
    const reply = await this.sender.send({
      kind: 'token',
      method: 'POST',
      path: '/appapi/get-token/',
      body: { key: this.options.apiKey, scopes: this.options.scopes },
      what: 'POST get-token',
      authorized: false,
    });
    const jwt = reply.found ? (reply.body as { jwt?: unknown } | undefined)?.jwt : undefined;
    if (typeof jwt !== 'string' || jwt === '') throw new IronscalesApiError('unexpected', 'IRONSCALES answered the token request without a token.');
    this.events.onToken?.(jwt);
    return jwt;
  }

  private request(kind: EndpointKind, path: string, what: string): ApiRequest {
    return { kind, method: 'GET', path: `/appapi${path}`, what, authorized: true };
  }
}
