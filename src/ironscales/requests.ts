/**
 * What the client's methods take and give (options, time ranges, list queries, details results),
 * and how the paged incident lists (the incident list, the scanback list) are named and queried.
 */
import { IronscalesApiError } from './errors.js';
import type { SendEvents } from './send.js';
import { formatQueryTimestamp, type Micros } from './timestamps.js';

export interface ClientOptions {
  /** Scheme and host, no path: https://appapi.ironscales.com */
  baseUrl: string;
  companyId: number;
  apiKey: string;
  scopes: string[];
  requestsPerMinute: number;
  requestTimeoutMs: number;
  maxRetryMs: number;
  /** For `check`: network faults are final at once, and all calls together end within ~20 s. */
  failFast?: boolean;
}

export interface ClientEvents extends SendEvents {
  /** A new token was issued: register it as a secret before anything can print it. */
  onToken?(jwt: string): void;
}

/** Both bounds inclusive, in microseconds. */
export interface TimeRange {
  start: Micros;
  end: Micros;
}

export interface ListQuery {
  page: number;
  /** Default: the client's list page size (see listPageSize). */
  itemsPerPage?: number;
  /** Incidents first reported in this range. */
  created?: TimeRange;
  /** Incidents last updated in this range (may be combined with `created`). */
  lastUpdate?: TimeRange;
  /** One incident only (the list's exact `incidentID` filter). */
  incidentId?: number;
}

export type DetailsResult =
  /** `bytes`: the size of the answer, for callers that bound what they hold by bytes. */
  | { found: true; details: Record<string, unknown>; bytes: number }
  | { found: false; status: number; message: string };

/** The paged lists of incidents: same parameters and paging, each with its own page size. */
export type PagedList = 'list' | 'scanback';

export const PAGED_LISTS: Record<PagedList, { path: string; what: string; noun: string }> = {
  list: { path: 'list', what: 'GET incident list', noun: 'incidents' },
  scanback: { path: 'scanback-list', what: 'GET scanback incident list', noun: 'scanback incidents' },
};

/** IRONSCALES refused the request because of its page size (a 400 that names items_per_page). */
export function refusesPageSize(err: unknown): boolean {
  return err instanceof IronscalesApiError && err.failure === 'bad_request' && /items_per_page/i.test(`${err.message} ${err.detail ?? ''}`);
}

export function addRange(params: URLSearchParams, filter: 'created' | 'last_update', range: TimeRange): void {
  params.set(`${filter}_start_time`, formatQueryTimestamp(range.start));
  params.set(`${filter}_end_time`, formatQueryTimestamp(range.end));
}
