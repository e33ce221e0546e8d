/**
 * Reading the incident list's query string into a store query, with the 400s IRONSCALES answers
 * for values it does not accept. Filters combine with AND (`created_*` with `last_update_*` …).
 */
import { REPORT_TYPES } from './generator.js';
import { SEARCH_PARAMS, SORT_FIELDS, type ListQuery, type SortField } from './store.js';
import { badRequest, intParam, type SimResponse } from './responses.js';
import { US_PER_MS, parseIsoUs } from './time.js';

const HOUR_US = 3_600_000_000;
const DAY_US = 24 * HOUR_US;
export const MAX_ITEMS_PER_PAGE = 1000;

const STATES = new Set(['all', 'classified', 'unclassified', 'challenged']);
const CLASSIFICATION_FILTERS = new Set(['all', 'phishing', 'spam', 'compromised', 'safe', 'open', 'silent']);
const CHALLENGE_FILTERS: Record<string, number> = { release_request: 1, end_user_report: 2 };

const DATE_PARAMS = [
  ['created_start_time', 'createdFromUs'], ['created_end_time', 'createdToUs'],
  ['last_update_start_time', 'updatedFromUs'], ['last_update_end_time', 'updatedToUs'],
  ['challenged_start_date', 'challengedFromUs'], ['challenged_end_date', 'challengedToUs'],
] as const;

export interface ParsedList {
  query: ListQuery;
  page: number;
  perPage: number;
}

/** `nowUs` is the simulator's clock (for the deprecated `period`). */
export function parseListParams(params: URLSearchParams, nowUs: number, maxItemsPerPage = MAX_ITEMS_PER_PAGE): ParsedList | { error: SimResponse } {
  const page = intParam(params, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  if (typeof page !== 'number') return { error: page };
  const asked = params.get('items_per_page');
  if (asked !== null && /^\d+$/.test(asked) && Number(asked) > maxItemsPerPage) {
    return { error: badRequest(`Invalid value for items_per_page: ${asked} (at most ${maxItemsPerPage})`) };
  }
  const perPage = intParam(params, 'items_per_page', 100, 1, maxItemsPerPage);
  if (typeof perPage !== 'number') return { error: perPage };

  const sort = params.get('sort') ?? 'noSorting';
  if (!(SORT_FIELDS as readonly string[]).includes(sort)) return { error: badRequest(`Invalid value for sort: ${sort}`) };
  const order = params.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') return { error: badRequest(`Invalid value for order: ${order}`) };

  const query: ListQuery = { states: null, reportType: null, classifications: null, search: [], sort: sort as SortField, order };
  for (const [name, field] of DATE_PARAMS) {
    const raw = params.get(name);
    if (raw === null) continue;
    const us = parseIsoUs(raw);
    if (us === null) return { error: badRequest(`Invalid date format for ${name}`) };
    query[field] = us;
  }

  const period = params.get('period');
  if (period !== null && period !== '6') {
    const starts: Record<string, number> = {
      '0': nowUs - DAY_US, '1': nowUs - 7 * DAY_US, '2': nowUs - 90 * DAY_US, '3': nowUs - 180 * DAY_US,
      '4': nowUs - 360 * DAY_US, '5': Date.UTC(new Date(nowUs / US_PER_MS).getUTCFullYear(), 0, 1) * US_PER_MS,
    };
    const start = starts[period];
    if (start === undefined) return { error: badRequest(`Invalid value for period: ${period}`) };
    query.createdFromUs = Math.max(query.createdFromUs ?? start, start);
  }

  const states = params.getAll('state');
  for (const s of states) if (!STATES.has(s)) return { error: badRequest(`Invalid value for state: ${s}`) };
  if (states.length > 0 && !states.includes('all')) query.states = [...new Set(states)].sort();

  const classifications = params.getAll('classification');
  for (const c of classifications) if (!CLASSIFICATION_FILTERS.has(c)) return { error: badRequest(`Invalid value for classification: ${c}`) };
  if (classifications.length > 0 && !classifications.includes('all')) query.classifications = [...new Set(classifications)].sort();

  const reportType = params.get('reportType');
  if (reportType !== null && reportType !== 'all') {
    const index = (REPORT_TYPES as readonly string[]).indexOf(reportType);
    if (index < 0) return { error: badRequest(`Invalid value for reportType: ${reportType}`) };
    query.reportType = index;
  }

  const incidentId = params.get('incidentID');
  if (incidentId !== null && incidentId !== '') {
    if (!/^\d+$/.test(incidentId)) return { error: badRequest('Invalid value for incidentID') };
    query.incidentId = Number(incidentId);
  }

  const challengedType = params.get('challenged_type');
  if (challengedType !== null && challengedType !== '') {
    const index = CHALLENGE_FILTERS[challengedType];
    if (index === undefined) return { error: badRequest(`Invalid value for challenged_type: ${challengedType}`) };
    query.challengedType = index;
  }

  for (const [param, field] of Object.entries(SEARCH_PARAMS)) {
    const needle = params.get(param);
    if (needle) query.search.push([field, needle]);
  }
  return { query, page, perPage };
}
