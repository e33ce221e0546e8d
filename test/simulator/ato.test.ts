/** Contract tests: GET /appapi/incident/{cid}/account-takeover/{iid}/details/. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, listAll } from './helpers.js';

const DETAIL_FIELDS = ['id', 'account_details', 'alerts', 'state', 'original_state', 'resolved_by', 'resolved_on', 'created', 'assignee'];

let sim: Simulator;
let jwt: string;
let atoIds: number[];

beforeAll(async () => {
  sim = await startSimulator({ seed: 81, rateLimit: null });
  atoIds = sim.addIncidents(Array.from({ length: 30 }, (_, i) => ({
    first_reported_date: `2025-04-01T10:${String(i).padStart(2, '0')}:00.250000Z`, reportType: 'ato' as const,
  })));
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

const atoPath = (id: number, query = ''): string => `/incident/${sim.companyId}/account-takeover/${id}/details/${query}`;

async function alertCount(id: number): Promise<number> {
  const res = await api(sim, jwt, atoPath(id, '?items_per_page=500'));
  return res.body.incident_details.alerts.length;
}

describe('account-takeover details', () => {
  test('an ATO incident: 410 on details, the §3.4 shape here, agreeing with its list entry', async () => {
    const [id] = atoIds as [number];
    expect((await api(sim, jwt, `/incident/${sim.companyId}/details/${id}`)).status).toBe(410);
    const res = await api(sim, jwt, atoPath(id));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['incident_details', 'filter_options', 'pages_count', 'page', 'items_per_page']);
    const d = res.body.incident_details;
    expect(Object.keys(d)).toEqual(DETAIL_FIELDS);
    expect(Object.keys(d.account_details)).toEqual(['name', 'title', 'department', 'email', 'country', 'phone_number']);
    const item = (await listAll(sim, jwt, { incidentID: id }))[0];
    expect(item.incidentType).toBe('Account Takeover');
    expect(d.id).toBe(id);
    expect(d.created).toBe(item.created);
    expect(d.account_details.email).toBe(item.recipientEmail);
    expect([1, 2, 3]).toContain(d.state);
    expect(d.resolved_by === null).toBe(d.state === 1);
    for (const alert of d.alerts) {
      expect(Object.keys(alert)).toEqual(['id', 'title', 'description', 'type', 'details', 'created']);
      expect(alert.details.length).toBeGreaterThan(0);
      for (const detail of alert.details) expect(Object.keys(detail)).toEqual(['ip', 'location', 'logon_time']);
      expect(alert.created < d.created).toBe(true);
    }
    expect(d.assignee === null || Object.keys(d.assignee).join() === 'id,email,first_name,last_name').toBe(true);
    expect(Object.keys(res.body.filter_options)).toEqual(['titles', 'locations', 'ips']);
    expect(res.body).toMatchObject({ page: 1, items_per_page: 50 });
  });

  test('alerts are paged (default 50 per page) and the pages join up', async () => {
    let big: number | undefined;
    for (const id of atoIds) if ((await alertCount(id)) > 50) big = id;
    expect(big).toBeDefined();
    const total = await alertCount(big as number);
    const first = await api(sim, jwt, atoPath(big as number));
    expect(first.body.pages_count).toBe(Math.ceil(total / 50));
    const joined: number[] = [];
    for (let page = 1; page <= first.body.pages_count; page++) {
      const res = await api(sim, jwt, atoPath(big as number, `?page=${page}`));
      joined.push(...res.body.incident_details.alerts.map((a: { id: number }) => a.id));
    }
    expect(joined).toHaveLength(total);
    expect(joined).toEqual([...joined].sort((a, b) => a - b));
    expect(new Set(joined).size).toBe(total);
    expect((await api(sim, jwt, atoPath(big as number, `?page=${first.body.pages_count + 1}`))).status).toBe(404);
  });

  test('filters by title, location and ip; filter_options always describe every alert', async () => {
    const id = atoIds[1] as number;
    const full = (await api(sim, jwt, atoPath(id, '?items_per_page=500'))).body;
    const title = full.filter_options.titles[0] as string;
    const filtered = (await api(sim, jwt, atoPath(id, `?items_per_page=500&title=${encodeURIComponent(title)}`))).body;
    expect(filtered.incident_details.alerts.length).toBe(full.incident_details.alerts.filter((a: { title: string }) => a.title === title).length);
    expect(filtered.filter_options).toEqual(full.filter_options);
    const ip = full.filter_options.ips[0] as string;
    const byIp = (await api(sim, jwt, atoPath(id, `?ip[]=${ip}`))).body.incident_details.alerts;
    expect(byIp.length).toBeGreaterThan(0);
    for (const alert of byIp) expect(alert.details.some((d: { ip: string }) => d.ip === ip)).toBe(true);
    const none = (await api(sim, jwt, atoPath(id, '?location=Nowhere'))).body;
    expect(none.incident_details.alerts).toEqual([]);
    expect(none.pages_count).toBe(0);
  });

  test('items_per_page must be 1..500', async () => {
    const id = atoIds[0] as number;
    expect((await api(sim, jwt, atoPath(id, '?items_per_page=0'))).status).toBe(400);
    expect((await api(sim, jwt, atoPath(id, '?items_per_page=501'))).status).toBe(400);
    expect((await api(sim, jwt, atoPath(id, '?items_per_page=500'))).status).toBe(200);
  });

  test('Teams, quarantine, email and unknown incidents → 404', async () => {
    const [teams, quarantine, email] = sim.addIncidents([{ reportType: 'teams' }, { reportType: 'msft_quarantine' }, { reportType: 'email' }]);
    for (const id of [teams, quarantine, email, 1]) {
      const res = await api(sim, jwt, atoPath(id as number));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error_message: 'Incident/company were not found' });
    }
    expect((await api(sim, jwt, `/incident/${sim.companyId}/details/${teams}`)).status).toBe(410);
    expect((await api(sim, jwt, `/incident/${sim.companyId}/details/${email}`)).status).toBe(200);
  });

  test('deterministic from (seed, id); reclassifying moves state and resolution', async () => {
    const twin = await startSimulator({ seed: 81, rateLimit: null });
    try {
      const ids = twin.addIncidents(Array.from({ length: 2 }, (_, i) => ({
        first_reported_date: `2025-04-01T10:${String(i).padStart(2, '0')}:00.250000Z`, reportType: 'ato' as const,
      })));
      expect(ids).toEqual(atoIds.slice(0, 2));
      const token = await getToken(twin);
      const path = `/incident/${twin.companyId}/account-takeover/${ids[0]}/details/`;
      expect((await api(twin, token, path)).body).toEqual((await api(sim, jwt, atoPath(ids[0] as number))).body);
      twin.reclassify(ids[0] as number, 'Attack', '2025-04-02T00:00:00Z');
      const after = (await api(twin, token, path)).body.incident_details;
      expect(after.state).toBe(3);
      expect(after.resolved_on).toBe('2025-04-02T00:00:00Z');
      twin.reclassify(ids[0] as number, 'Report');
      expect((await api(twin, token, path)).body.incident_details).toMatchObject({ state: 1, resolved_by: null, resolved_on: null });
    } finally {
      await twin.close();
    }
  });

  test('auth as everywhere', async () => {
    expect((await api(sim, null, atoPath(atoIds[0] as number))).status).toBe(403);
    expect((await api(sim, jwt, `/incident/${sim.companyId}/account-takeover/${atoIds[0]}/details`)).status).toBe(301);
  });
});
