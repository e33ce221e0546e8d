/** Contract tests: GET /appapi/incident/{cid}/list/ and /open/. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, listAll, listPath, toUs } from './helpers.js';

const LIST_FIELDS = [
  'incidentID', 'emailSubject', 'linksCount', 'attachmentsCount', 'recipientEmail', 'recipientName', 'classification',
  'assignee', 'senderName', 'senderEmail', 'affectedMailboxesCount', 'created', 'reportedBy', 'resolvedBy',
  'challengedType', 'firstChallengedDate', 'incidentType', 'commentsCount', 'internalCommentsCount',
  'communityCommentsCount', 'releaseRequestCount', 'latestEmailDate',
];
const DISPLAY: Record<string, string> = {
  Attack: 'Phishing', Report: 'Open report', Spam: 'Spam', 'False Positive': 'Safe', 'Close Phishing': 'Phishing',
};
const RANGE = { from: '2025-09-01T00:00:00Z', to: '2025-10-01T00:00:00Z' };

let sim: Simulator;
let jwt: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, incidents: 250, ...RANGE, rateLimit: null, goneRatio: 0.04 });
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

describe('response shape', () => {
  test('page envelope and camelCase items that agree with details', async () => {
    const res = await api(sim, jwt, listPath(sim, { items_per_page: 50, sort: 'created', order: 'asc' }));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['page', 'total_pages', 'total_count', 'incidents']);
    expect(res.body).toMatchObject({ page: 1, total_pages: 5, total_count: 250 });
    expect(res.body.incidents).toHaveLength(50);
    for (const item of res.body.incidents) {
      expect(Object.keys(item)).toEqual(LIST_FIELDS);
      expect(item.latestEmailDate === null || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(item.latestEmailDate)).toBe(true);
      const details = sim.details(item.incidentID);
      if (!details) continue; // gone incident
      expect(item.created).toBe(details['first_reported_date']);
      expect(item.classification).toBe(DISPLAY[details['classification'] as string]);
      expect(item.senderEmail).toBe(details['sender_email']);
      expect(item.linksCount).toBe((details['links'] as unknown[]).length);
      expect(item.attachmentsCount).toBe((details['attachments'] as unknown[]).length);
      expect(item.affectedMailboxesCount).toBe(details['affected_mailbox_count']);
      expect(item.commentsCount).toBe((details['comments'] as unknown[]).length);
      expect(item.reportedBy).toBe(details['first_reported_by']);
      expect(item.resolvedBy).toBe(details['resolved_by']);
      expect(item.challengedType).toBe(details['challenged_type']);
      expect(item.emailSubject).toBe((details['reports'] as { subject: string }[])[0]?.subject);
    }
  });

  test('defaults: page 1, 100 items per page', async () => {
    const res = await api(sim, jwt, listPath(sim));
    expect(res.body.page).toBe(1);
    expect(res.body.incidents).toHaveLength(100);
    expect(res.body.total_pages).toBe(3);
  });
});

describe('pagination', () => {
  test('the last page is partial and a page past the end is 404', async () => {
    const last = await api(sim, jwt, listPath(sim, { items_per_page: 100, page: 3 }));
    expect(last.status).toBe(200);
    expect(last.body.incidents).toHaveLength(50);
    const past = await api(sim, jwt, listPath(sim, { items_per_page: 100, page: 4 }));
    expect(past.status).toBe(404);
    expect(past.body).toEqual({ error_message: 'Incident or page were not found' });
  });

  test('an empty result is page 1 with total_pages 0; page 2 is 404', async () => {
    const empty = { created_start_time: '2030-01-01T00:00:00Z' };
    const res = await api(sim, jwt, listPath(sim, empty));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ page: 1, total_pages: 0, total_count: 0, incidents: [] });
    expect((await api(sim, jwt, listPath(sim, { ...empty, page: 2 }))).status).toBe(404);
  });

  test.each([
    ['page', 0], ['page', 'x'], ['items_per_page', 0], ['items_per_page', 1001], ['items_per_page', '-5'],
    ['sort', 'bogus'], ['order', 'up'], ['state', 'weird'], ['reportType', 'fax'], ['classification', 'evil'],
  ])('%s=%s → 400', async (name, value) => {
    const res = await api(sim, jwt, listPath(sim, { [name]: value }));
    expect(res.status).toBe(400);
    expect(typeof res.body.error_message).toBe('string');
  });

  test('items_per_page=1000 is allowed', async () => {
    const res = await api(sim, jwt, listPath(sim, { items_per_page: 1000 }));
    expect(res.status).toBe(200);
    expect(res.body.incidents).toHaveLength(250);
  });
});

describe('ordering', () => {
  test('sort=created orders by created then incidentID, asc and desc', async () => {
    const asc = await listAll(sim, jwt, { sort: 'created', order: 'asc', items_per_page: 60 });
    expect(asc).toHaveLength(250);
    for (let i = 1; i < asc.length; i++) {
      const prev = toUs(asc[i - 1].created);
      const cur = toUs(asc[i].created);
      expect(cur > prev || (cur === prev && asc[i].incidentID > asc[i - 1].incidentID)).toBe(true);
    }
    // ids increase with creation time
    expect(asc.map((i) => i.incidentID)).toEqual([...asc.map((i) => i.incidentID)].sort((a, b) => a - b));
    const desc = await listAll(sim, jwt, { sort: 'created', items_per_page: 60 });
    expect(desc.map((i) => i.incidentID)).toEqual(asc.map((i) => i.incidentID).reverse());
  });

  test('sort=incidentID asc', async () => {
    const items = await listAll(sim, jwt, { sort: 'incidentID', order: 'asc', items_per_page: 100 });
    expect(items.map((i) => i.incidentID)).toEqual(sim.incidentIds());
  });

  test('without sort the order is a stable shuffle, and paging covers every incident once', async () => {
    const a = await listAll(sim, jwt, { items_per_page: 40 });
    const b = await listAll(sim, jwt, { items_per_page: 40 });
    const ids = a.map((i) => i.incidentID);
    expect(b.map((i) => i.incidentID)).toEqual(ids);
    expect(new Set(ids).size).toBe(250);
    expect(ids).not.toEqual(sim.incidentIds());
    expect(ids).not.toEqual([...sim.incidentIds()].reverse());
    // order=asc without sort is still not creation order
    const asc = await listAll(sim, jwt, { order: 'asc', items_per_page: 250 });
    expect(asc.map((i) => i.incidentID)).not.toEqual(sim.incidentIds());
  });

  test('sort by a text field (emailSubject)', async () => {
    const items = await listAll(sim, jwt, { sort: 'emailSubject', order: 'asc', items_per_page: 250 });
    const subjects = items.map((i) => i.emailSubject).filter((s): s is string => s !== null).map((s) => s.toLowerCase());
    expect(subjects).toEqual([...subjects].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });
});

describe('time filters (inclusive, microsecond precision)', () => {
  let local: Simulator;
  let token: string;
  beforeAll(async () => {
    local = await startSimulator({ rateLimit: null });
    local.addIncidents([
      { first_reported_date: '2025-10-27T07:16:07.368189Z', classification: 'Report' },
      { first_reported_date: '2025-10-27T07:16:07.368190Z', classification: 'Attack' },
      { first_reported_date: '2025-10-27T07:16:08Z', classification: 'Spam' },
    ]);
    token = await getToken(local);
  });
  afterAll(() => local.close());

  const ids = async (params: Record<string, string>): Promise<number[]> =>
    (await listAll(local, token, { sort: 'created', order: 'asc', ...params })).map((i) => i.incidentID);

  test('two incidents 1 µs apart and a boundary exactly on one of them', async () => {
    const [a, b, c] = local.incidentIds() as [number, number, number];
    expect(await ids({ created_start_time: '2025-10-27T07:16:07.368189Z' })).toEqual([a, b, c]);
    expect(await ids({ created_start_time: '2025-10-27T07:16:07.368190Z' })).toEqual([b, c]);
    expect(await ids({ created_end_time: '2025-10-27T07:16:07.368189Z' })).toEqual([a]);
    expect(await ids({ created_end_time: '2025-10-27T07:16:07.368188Z' })).toEqual([]);
    expect(await ids({ created_start_time: '2025-10-27T07:16:07.368190+00:00', created_end_time: '2025-10-27T07:16:07.368190+00:00' })).toEqual([b]);
    // fewer fractional digits and other offsets mean the same instant
    expect(await ids({ created_start_time: '2025-10-27T07:16:07.36819Z', created_end_time: '2025-10-27T09:16:07.36819+02:00' })).toEqual([b]);
    expect(await ids({ created_start_time: '2025-10-27T07:16:08Z' })).toEqual([c]);
  });

  test('zero fractions are printed without a fraction', async () => {
    const items = await listAll(local, token, { sort: 'created', order: 'asc' });
    expect(items.map((i) => i.created)).toEqual(['2025-10-27T07:16:07.368189Z', '2025-10-27T07:16:07.368190Z', '2025-10-27T07:16:08Z']);
  });

  test('an unencoded + (decoded as a space) → 400', async () => {
    const raw = `${local.url}/appapi/incident/${local.companyId}/list/?created_start_time=2025-10-27T07:16:07.368189+00:00`;
    const res = await fetch(raw, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error_message: 'Invalid date format for created_start_time' });
    const encoded = await fetch(raw.replace('+', '%2B'), { headers: { Authorization: `Bearer ${token}` } });
    expect(encoded.status).toBe(200);
  });

  test.each([
    ['created_end_time', '2025-10-27'],
    ['created_start_time', '2025-10-27T07:16:07'],
    ['created_start_time', '2025-10-27T07:16:07.1234567Z'],
    ['created_start_time', '2025-13-27T07:16:07Z'],
    ['last_update_start_time', 'yesterday'],
    ['last_update_end_time', ''],
  ])('%s=%s → 400 naming the parameter', async (name, value) => {
    const res = await api(local, token, listPath(local, { [name]: value }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_message: `Invalid date format for ${name}` });
  });

  test('reclassify is visible through last_update_* and in list, details and open', async () => {
    const [a] = local.incidentIds() as [number];
    const window = { last_update_start_time: '2026-01-01T00:00:00Z', last_update_end_time: '2026-01-02T00:00:00Z' };
    expect(await ids(window)).toEqual([]);
    expect((await api(local, token, `/incident/${local.companyId}/open/`)).body).toEqual({ incident_ids: [a] });
    local.reclassify(a, 'Attack', '2026-01-01T12:00:00.000001Z');
    expect(await ids(window)).toEqual([a]);
    expect(await ids({ last_update_start_time: '2026-01-01T12:00:00.000002Z' })).toEqual([]);
    expect(await ids({ last_update_end_time: '2026-01-01T12:00:00.000001Z', last_update_start_time: '2026-01-01T12:00:00.000001Z' })).toEqual([a]);
    const item = (await listAll(local, token, { incidentID: String(a) }))[0];
    expect(item.classification).toBe('Phishing');
    const details = local.details(a) as Record<string, unknown>;
    expect(details).toMatchObject({ classification: 'Attack', is_reclassified: true, reclassified_on: '2026-01-01T12:00:00.000001Z' });
    expect((await api(local, token, `/incident/${local.companyId}/open/`)).body).toEqual({ incident_ids: [] });
    // created filters do not move
    expect(await ids({ created_end_time: '2025-10-27T07:16:07.368189Z' })).toEqual([a]);
  });
});

describe('other filters', () => {
  test('state, classification, reportType and incidentID', async () => {
    const all = await listAll(sim, jwt, { items_per_page: 250 });
    const unclassified = await listAll(sim, jwt, { state: 'unclassified', items_per_page: 250 });
    expect(unclassified.length).toBeGreaterThan(0);
    expect(unclassified.every((i) => i.classification === 'Open report')).toBe(true);
    const classified = await listAll(sim, jwt, { state: 'classified', items_per_page: 250 });
    expect(classified.length + unclassified.length).toBe(all.length);
    const both = await listAll(sim, jwt, { state: ['classified', 'unclassified'], items_per_page: 250 });
    expect(both).toHaveLength(all.length);
    const challenged = await listAll(sim, jwt, { state: 'challenged', items_per_page: 250 });
    expect(challenged.every((i) => i.challengedType !== null)).toBe(true);

    const phishing = await listAll(sim, jwt, { classification: 'phishing', items_per_page: 250 });
    expect(phishing.length).toBeGreaterThan(0);
    expect(phishing.every((i) => i.classification === 'Phishing')).toBe(true);
    const spamOrSafe = await listAll(sim, jwt, { classification: ['spam', 'safe'], items_per_page: 250 });
    expect(spamOrSafe.every((i) => i.classification === 'Spam' || i.classification === 'Safe')).toBe(true);
    expect(spamOrSafe.length).toBe(all.filter((i) => i.classification === 'Spam' || i.classification === 'Safe').length);

    const email = await listAll(sim, jwt, { reportType: 'email', items_per_page: 250 });
    expect(email.every((i) => i.incidentType === 'Email Report')).toBe(true);
    expect(email.length).toBe(250 - 10); // goneRatio 0.04 of 250 are ATO/Teams/quarantine style
    const ato = await listAll(sim, jwt, { reportType: 'ato', items_per_page: 250 });
    expect(ato.every((i) => i.incidentType === 'Account Takeover')).toBe(true);

    const target = all[17];
    const one = await api(sim, jwt, listPath(sim, { incidentID: target.incidentID }));
    expect(one.body.total_count).toBe(1);
    expect(one.body.incidents[0]).toEqual(target);
  });

  test('open/ lists the ids of unclassified incidents in ascending order', async () => {
    const res = await api(sim, jwt, `/incident/${sim.companyId}/open/`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['incident_ids']);
    const expected = (await listAll(sim, jwt, { state: 'unclassified', sort: 'incidentID', order: 'asc' })).map((i) => i.incidentID);
    expect(res.body.incident_ids).toEqual(expected);
  });

  test('a missing trailing slash on list/ redirects (Django APPEND_SLASH)', async () => {
    const res = await api(sim, jwt, `/incident/${sim.companyId}/list?page=2`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`/appapi/incident/${sim.companyId}/list/?page=2`);
  });
});
