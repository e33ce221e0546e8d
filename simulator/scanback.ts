/**
 * `GET /appapi/incident/{cid}/scanback-list/` ("Get list of Scanback Incidents", research §3.4):
 * incidents a retroactive scan found. They are incidents of their own (ids from the same sequence,
 * kept apart from the incident list, which does not show them) served in the list's page shape
 * (`ScanBackPage`), each item the list item minus the fields S1's `ScanBackList` leaves out.
 */
import { buildListItem, type GenContext, type IncidentMeta } from './generator.js';
import { badRequest, type SimResponse } from './responses.js';

/** S1's `sort` enum for this endpoint: the list's without latestEmailDate and firstChallengedDate. */
const SORTS = new Set(['created', 'incidentID', 'emailSubject', 'senderName', 'senderEmail', 'recipientName', 'recipientEmail', 'classification', 'noSorting']);
const STATES = new Set(['all', 'classified', 'unclassified']);
/** The list's parameters S1 does not declare here: ignored, as DRF ignores undeclared query parameters. */
const UNDECLARED = ['reportType', 'last_update_start_time', 'last_update_end_time', 'period'];
/** List fields `ScanBackList` does not have. */
const OMITTED = ['incidentType', 'commentsCount', 'internalCommentsCount', 'communityCommentsCount', 'releaseRequestCount', 'latestEmailDate'];

export function buildScanbackItem(ctx: GenContext, meta: IncidentMeta): Record<string, unknown> {
  const item = buildListItem(ctx, meta);
  for (const field of OMITTED) delete item[field];
  return item;
}

/** The query string with what this endpoint does not take removed, or its 400 for a value only the list accepts. */
export function scanbackParams(params: URLSearchParams): URLSearchParams | SimResponse {
  const sort = params.get('sort');
  if (sort !== null && !SORTS.has(sort)) return badRequest(`Invalid value for sort: ${sort}`);
  for (const state of params.getAll('state')) if (!STATES.has(state)) return badRequest(`Invalid value for state: ${state}`);
  const kept = new URLSearchParams(params);
  for (const name of UNDECLARED) kept.delete(name);
  return kept;
}
