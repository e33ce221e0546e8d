/**
 * What each request means: path matching (with Django's APPEND_SLASH redirects), method checks,
 * authentication and the throttle in DRF's order, then the endpoint's handler.
 */
import http from 'node:http';
import type { SimClock } from './clock.js';
import { buildDetails, buildListItem, type GenContext, type IncidentMeta } from './generator.js';
import { atoResponse } from './account-takeover.js';
import type { DeepfakeFeed } from './deepfake.js';
import type { EscalatedEmails } from './escalated-emails.js';
import { buildMailboxes, mailboxesResponse } from './mailboxes.js';
import { mitigationsResponse, type MitigationSettings } from './mitigations.js';
import { Rng, hashInts } from './prng.js';
import type { RateLimiter } from './rate-limiter.js';
import { HTML_TYPE, html, htmlStatus, json, methodNotAllowed, parseJsonObject, type SimResponse } from './responses.js';
import { parseListParams } from './list-query.js';
import { buildScanbackItem, scanbackParams } from './scanback.js';
import type { IncidentStore } from './store.js';
import { sliceWithShuffledTies } from './ties.js';
import type { TokenAuthority } from './tokens.js';
import type { Endpoint } from './types.js';

interface Route {
  endpoint: Exclude<Endpoint, 'other'>;
  pattern: RegExp;
  method: 'GET' | 'POST';
  /** Paths IRONSCALES documents without a trailing slash accept both forms. */
  slashOptional?: boolean;
}

/** Every pattern captures the company id, maybe an incident id, and the trailing slash. */
const ROUTES: readonly Route[] = [
  { endpoint: 'token', pattern: /^\/appapi\/get-token(?<slash>\/?)$/, method: 'POST' },
  { endpoint: 'list', pattern: /^\/appapi\/incident\/(?<cid>\d+)\/list(?<slash>\/?)$/, method: 'GET' },
  { endpoint: 'open', pattern: /^\/appapi\/incident\/(?<cid>\d+)\/open(?<slash>\/?)$/, method: 'GET' },
  { endpoint: 'details', pattern: /^\/appapi\/incident\/(?<cid>\d+)\/details\/(?<iid>\d+)(?<slash>\/?)$/, method: 'GET', slashOptional: true },
  { endpoint: 'ato', pattern: /^\/appapi\/incident\/(?<cid>\d+)\/account-takeover\/(?<iid>\d+)\/details(?<slash>\/?)$/, method: 'GET' },
  { endpoint: 'mitigations', pattern: /^\/appapi\/mitigation\/(?<cid>\d+)\/details(?<slash>\/?)$/, method: 'POST' },
  { endpoint: 'mailboxes', pattern: /^\/appapi\/mailboxes\/(?<cid>\d+)\/list(?<slash>\/?)$/, method: 'GET' },
  { endpoint: 'scanback', pattern: /^\/appapi\/incident\/(?<cid>\d+)\/scanback-list(?<slash>\/?)$/, method: 'GET' },
  { endpoint: 'emails', pattern: /^\/appapi\/emails\/(?<cid>\d+)(?<slash>\/?)$/, method: 'GET' },
  { endpoint: 'deepfake', pattern: /^\/appapi\/deepfake\/(?<cid>\d+)\/events(?<slash>\/?)$/, method: 'GET' },
];

function match(pathname: string): { route: Route; groups: Record<string, string> } | null {
  for (const route of ROUTES) {
    const m = route.pattern.exec(pathname);
    if (m) return { route, groups: m.groups ?? {} };
  }
  return null;
}

/** A persistent per-incident failure: an HTML page, or DRF's JSON error body for the status. */
function failureResponse(failure: DetailsFailure): SimResponse {
  if (failure.body === 'html') return htmlStatus(failure.status);
  const detail = failure.status >= 500 ? 'Internal server error.' : failure.status === 403 ? 'You do not have permission to perform this action.' : (http.STATUS_CODES[failure.status] ?? 'Error');
  return json(failure.status, { detail });
}

export function endpointOf(pathname: string): Endpoint {
  return match(pathname)?.route.endpoint ?? 'other';
}

export interface RouteSettings {
  apiKey: string;
  companyId: number;
  unstableTies: boolean;
  mailboxes: number;
  mitigations: MitigationSettings;
  /** Undocumented list limits: a cap on items per page (null = none) and the largest accepted items_per_page. */
  list: { pageCap: number | null; maxItemsPerPage: number };
}

export interface DetailsFailure {
  status: number;
  body: 'html' | 'json';
}

/** The data behind the endpoints that are not the incident list's. */
export interface MoreData {
  scanbacks: IncidentStore;
  emails: EscalatedEmails;
  deepfake: DeepfakeFeed;
  /** The escalated-emails endpoint's own throttle, on top of the company's. */
  emailsLimiter: RateLimiter;
}

export class Routes {
  /** Incidents whose details answer an error every time (failDetails). */
  readonly failingDetails = new Map<number, DetailsFailure>();
  /** Incidents whose account-takeover details answer an error every time (failAccountTakeover). */
  readonly failingAto = new Map<number, DetailsFailure>();
  private mailboxList: Record<string, unknown>[] | null = null;
  private listRequests = 0;

  constructor(
    readonly ctx: GenContext,
    private readonly store: IncidentStore,
    private readonly clock: SimClock,
    private readonly tokens: TokenAuthority,
    private readonly limiter: RateLimiter,
    readonly settings: RouteSettings,
    private readonly more: MoreData,
  ) {}

  /** Route a request. `bypass` skips auth and the rate limiter (used to build truncated bodies). */
  handle(req: http.IncomingMessage, url: URL, body: string, bypass: boolean): SimResponse {
    const method = req.method ?? 'GET';
    const found = match(url.pathname);
    if (!found) return html(404, 'Not Found');
    const { route, groups } = found;
    if (groups['slash'] === '' && !route.slashOptional) {
      return { status: 301, body: '', contentType: HTML_TYPE, headers: { Location: `${url.pathname}/${url.search}` } };
    }
    if (method !== route.method) return methodNotAllowed(method);
    if (route.endpoint === 'token') return this.token(req, body, bypass);
    if (!bypass) {
      const auth = this.tokens.authenticate(req, Number(groups['cid']));
      if ('error' in auth) return auth.error;
      const throttled = route.endpoint === 'emails' ? this.limiter.takeWith(this.more.emailsLimiter, auth.companyId) : this.limiter.take(auth.companyId);
      if (throttled) return throttled;
    }
    const incidentId = Number(groups['iid']);
    switch (route.endpoint) {
      case 'list': return this.list(url.searchParams, this.store, buildListItem);
      case 'scanback': {
        const params = scanbackParams(url.searchParams);
        return params instanceof URLSearchParams ? this.list(params, this.more.scanbacks, buildScanbackItem) : params;
      }
      case 'emails': return this.more.emails.response(url.searchParams);
      case 'deepfake': return this.more.deepfake.response(url.searchParams, this.settings.companyId);
      case 'open': return json(200, { incident_ids: this.store.openIds() });
      case 'details': return this.details(incidentId);
      case 'ato': {
        const failure = this.failingAto.get(incidentId);
        if (failure) return failureResponse(failure);
        return atoResponse(this.ctx, this.store.get(incidentId), url.searchParams);
      }
      case 'mitigations': return this.mitigations(req, body);
      case 'mailboxes': return mailboxesResponse(url.searchParams, this.mailboxes());
    }
  }

  private token(req: http.IncomingMessage, body: string, bypass: boolean): SimResponse {
    const request = this.tokens.readRequest(req, body, this.settings.apiKey);
    if ('error' in request) return request.error;
    if (!bypass) {
      const throttled = this.limiter.take(this.settings.companyId);
      if (throttled) return throttled;
    }
    return json(200, { jwt: this.tokens.issue(this.settings.companyId, request.scopes) });
  }

  private details(incidentId: number): SimResponse {
    const failure = this.failingDetails.get(incidentId);
    if (failure) return failureResponse(failure);
    // Scanback incidents are incidents too: their details are served alike.
    const meta = this.store.get(incidentId) ?? this.more.scanbacks.get(incidentId);
    if (!meta || meta.gone === 404) return json(404, { error_message: 'Incident/company were not found' });
    if (meta.gone === 410) return json(410, { error_message: 'Incident details are not available for this incident type' });
    const details = buildDetails(this.ctx, meta);
    if (!details) return json(404, { error_message: 'Incident/company were not found' });
    return json(200, details);
  }

  private list(params: URLSearchParams, store: IncidentStore, build: (ctx: GenContext, meta: IncidentMeta) => Record<string, unknown>): SimResponse {
    const parsed = parseListParams(params, this.clock.nowUs(), this.settings.list.maxItemsPerPage);
    if ('error' in parsed) return parsed.error;
    const { query, page } = parsed;
    // Like DRF's max_page_size: a page never holds more than the cap, whatever was asked.
    const perPage = Math.min(parsed.perPage, this.settings.list.pageCap ?? Infinity);
    const all = store.query(query);
    const totalPages = Math.ceil(all.length / perPage);
    if (page > Math.max(totalPages, 1)) return json(404, { error_message: 'Incident or page were not found' });
    const start = (page - 1) * perPage;
    this.listRequests++;
    const slice = this.settings.unstableTies && query.sort === 'created'
      ? sliceWithShuffledTies(all, start, start + perPage, new Rng(hashInts(this.ctx.seed, this.listRequests, 77)))
      : all.slice(start, start + perPage);
    return json(200, {
      page,
      total_pages: totalPages,
      total_count: all.length,
      incidents: slice.map((meta) => build(this.ctx, meta)),
    });
  }

  private mitigations(req: http.IncomingMessage, body: string): SimResponse {
    const parsed = parseJsonObject(req, body);
    if ('error' in parsed) return parsed.error;
    return mitigationsResponse(parsed.data, (id) => this.store.get(id), this.ctx, this.settings.mitigations);
  }

  private mailboxes(): Record<string, unknown>[] {
    this.mailboxList ??= buildMailboxes(this.ctx.seed, this.ctx.companyDomain, this.settings.mailboxes);
    return this.mailboxList;
  }
}
