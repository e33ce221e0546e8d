/** Contract tests: GET /appapi/incident/{cid}/scanback-list/ (incidents found by retroactive scans). */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, listAll, toUs } from './helpers.js';

/** S1's ScanBackList, in its order: the list item without incidentType, the comment counts, releaseRequestCount, latestEmailDate. */
const FIELDS = [
  'incidentID', 'emailSubject', 'linksCount', 'attachmentsCount', 'recipientEmail', 'recipientName', 'classification', 'assignee',
  'senderName', 'senderEmail', 'affectedMailboxesCount', 'created', 'reportedBy', 'resolvedBy', 'challengedType', 'firstChallengedDate',
];

let sim: Simulator;
let jwt: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 93, incidents: 60, scanbackIncidents: 45, rateLimit: null, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

const scanbackPath = (params: Record<string, string | number | string[]> = {}): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  return `/incident/${sim.companyId}/scanback-list/${search.size > 0 ? `?${search}` : ''}`;
};

async function everyItem(params: Record<string, string | number> = {}): Promise<any[]> {
  const items: any[] = [];
  for (let page = 1; ; page++) {
    const res = await api(sim, jwt, scanbackPath({ sort: 'incidentID', order: 'asc', ...params, page }));
    expect(res.status).toBe(200);
    items.push(...res.body.incidents);
    if (page >= res.body.total_pages) return items;
  }
}

describe('scanback-list', () => {
  test('ScanBackPage with the ScanBackList fields; 100 per page by default', async () => {
    const res = await api(sim, jwt, scanbackPath());
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['page', 'total_pages', 'total_count', 'incidents']);
    expect(res.body).toMatchObject({ page: 1, total_pages: 1, total_count: 45 });
    for (const item of res.body.incidents) {
      expect(Object.keys(item)).toEqual(FIELDS);
      expect(item.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    }
  });

  test('scanback incidents are incidents apart: not in the incident list, ids after the incidents’, details served', async () => {
    const scanbacks = (await everyItem()).map((i) => i.incidentID as number);
    expect(scanbacks).toEqual(sim.scanbackIncidentIds());
    const listed = new Set((await listAll(sim, jwt, { items_per_page: 500 })).map((i) => i.incidentID as number));
    expect(scanbacks.filter((id) => listed.has(id))).toEqual([]);
    expect(Math.min(...scanbacks)).toBeGreaterThan(Math.max(...sim.incidentIds()));
    expect(sim.incidentIds().some((id) => scanbacks.includes(id))).toBe(false);
    const details = await api(sim, jwt, `/incident/${sim.companyId}/details/${scanbacks[0]}`);
    expect(details.status).toBe(200);
    expect(details.body.first_reported_date).toBe(sim.scanbackEntry(scanbacks[0]!)!.created);
  });

  test('created_start_time / created_end_time are inclusive to the microsecond; pages join up; past the end → 404', async () => {
    const all = await everyItem({ items_per_page: 7 });
    expect(all).toHaveLength(45);
    const pick = all[20]!;
    const exact = await everyItem({ created_start_time: pick.created, created_end_time: pick.created });
    expect(exact.map((i) => i.incidentID)).toContain(pick.incidentID);
    expect(exact.every((i) => toUs(i.created) === toUs(pick.created))).toBe(true);
    const past = await api(sim, jwt, scanbackPath({ page: 8, items_per_page: 7 }));
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ error_message: 'Incident or page were not found' });
    const none = await api(sim, jwt, scanbackPath({ created_start_time: '2030-01-01T00:00:00Z', created_end_time: '2030-01-02T00:00:00Z' }));
    expect(none.body).toEqual({ page: 1, total_pages: 0, total_count: 0, incidents: [] });
  });

  test('what the list takes and this endpoint does not: a sort or state outside its enums → 400; reportType/last_update_* ignored', async () => {
    const refused: Array<Record<string, string>> = [{ sort: 'latestEmailDate' }, { sort: 'firstChallengedDate' }, { state: 'challenged' }];
    for (const query of refused) {
      expect((await api(sim, jwt, scanbackPath(query))).status).toBe(400);
    }
    const ignored = await api(sim, jwt, scanbackPath({ reportType: 'ato', last_update_start_time: '2030-01-01T00:00:00Z' }));
    expect(ignored.body.total_count).toBe(45);
    const classified = await api(sim, jwt, scanbackPath({ state: 'classified', items_per_page: 500 }));
    expect(classified.body.incidents.every((i: any) => i.classification !== 'Open report')).toBe(true);
  });

  test('new scanback incidents (generateScanbackIncidents) get higher ids and rows in the escalated e-mails', async () => {
    const before = Math.max(...sim.scanbackIncidentIds(), ...sim.incidentIds());
    const added = sim.generateScanbackIncidents(3, { from: '2025-04-01T00:00:00Z', to: '2025-04-02T00:00:00Z' });
    expect(added.every((id) => id > before)).toBe(true);
    expect((await everyItem()).length).toBe(48);
    const rows = sim.escalatedEmails().filter((r) => added.includes(r.incident_id as number));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => r.is_scanback === true)).toBe(true);
  });

  test('faults name the endpoint "scanback"; auth required', async () => {
    sim.resetStats();
    sim.inject({ kind: 'server_error', status: 503, endpoint: 'scanback', count: 1 });
    expect((await api(sim, jwt, `/incident/${sim.companyId}/list/`)).status).toBe(200);
    expect((await api(sim, jwt, scanbackPath())).status).toBe(503);
    expect((await api(sim, jwt, scanbackPath())).status).toBe(200);
    expect(sim.stats().requests).toMatchObject({ scanback: 2, list: 1 });
    expect((await api(sim, null, scanbackPath())).status).toBe(403);
  });
});
