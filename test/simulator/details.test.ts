/** Contract tests: details endpoint, generated data, the example fixture, mutations, determinism. */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { planLink, WRAP_GATEWAYS } from '../../simulator/wrapped-links.js';
import { api, getToken, listAll, toUs } from './helpers.js';
import { REPO_ROOT } from '../helpers/connector.js';

const DETAIL_FIELDS = [
  'company_id', 'company_name', 'incident_id', 'classification', 'first_reported_by', 'first_reported_date',
  'affected_mailbox_count', 'sender_reputation', 'banner_displayed', 'sender_email', 'reply_to', 'spf_result',
  'sender_is_internal', 'themis_proba', 'themis_verdict', 'mail_server', 'federation', 'reports', 'links', 'attachments',
  'original_email_body', 'email_body_text', 'reported_by_end_user', 'reporter_name', 'challenged_type',
  'challenged_events', 'first_challenged_date', 'related_incidents', 'resolved_by', 'resolved_on', 'reclassified_by',
  'reclassified_on', 'affected_mailboxes', 'is_reclassified', 'original_cluster_incident_id', 'can_revert',
  'revert_blocked_reason', 'resolution_tags', 'additional_tags', 'threat_type', 'comments',
];
const RANGE = { from: '2025-10-01T00:00:00Z', to: '2025-10-31T00:00:00Z' };
const FIXTURE = join(process.cwd(), 'test/simulator/fixtures/example-incident.json');
// The seed lives in ../shared beside the repository when it is present.
const SHARED_SEED = join(REPO_ROOT, '..', 'shared', 'seed', 'example-incident.json');

type Details = Record<string, any>;

let sim: Simulator;
let jwt: string;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 21, incidents: 400, ...RANGE, rateLimit: null, loadExample: true,
    goneRatio: 0.05, extraFieldRatio: 0.1, largeBodyRatio: 0.1, bodyBytes: 30_000,
  });
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

const detailsPath = (id: number, slash = ''): string => `/incident/${sim.companyId}/details/${id}${slash}`;

describe('GET details', () => {
  test('the example incident is exactly example-incident.json', async () => {
    const res = await api(sim, jwt, detailsPath(123456));
    expect(res.status).toBe(200);
    const fixture = readFileSync(FIXTURE, 'utf8');
    expect(res.body).toEqual(JSON.parse(fixture));
    expect(res.text).toBe(JSON.stringify(JSON.parse(fixture)));
    expect(sim.details(123456)).toEqual(JSON.parse(fixture));
    if (existsSync(SHARED_SEED)) expect(res.body).toEqual(JSON.parse(readFileSync(SHARED_SEED, 'utf8')));
    const item = (await listAll(sim, jwt, { incidentID: '123456' }))[0];
    expect(item).toMatchObject({ incidentID: 123456, created: '2023-07-04T09:29:29.317504Z', classification: 'Phishing' });
  });

  test('generated details carry every section-4 field, with a trailing slash accepted too', async () => {
    const id = sim.incidentIds().find((i) => sim.details(i) !== undefined && i !== 123456) as number;
    const res = await api(sim, jwt, detailsPath(id));
    const withSlash = await api(sim, jwt, detailsPath(id, '/'));
    expect(res.status).toBe(200);
    expect(withSlash.status).toBe(200);
    expect(withSlash.body).toEqual(res.body);
    expect(res.body).toEqual(sim.details(id));
    for (const field of DETAIL_FIELDS) expect(res.body).toHaveProperty(field);
    expect(res.body.incident_id).toBe(id);
    expect(res.body.company_id).toBe(12345);
    expect(res.body.company_name).toBe('company1');
    expect(res.body.first_reported_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
  });

  test('unknown id → 404', async () => {
    const res = await api(sim, jwt, detailsPath(1));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_message: 'Incident/company were not found' });
  });

  test('gone (ATO/Teams style) incidents answer 410 or 404 and are listed with a non-email type', async () => {
    const items = await listAll(sim, jwt, { items_per_page: 1000 });
    const gone = sim.incidentIds().filter((i) => sim.details(i) === undefined);
    expect(gone).toHaveLength(20); // 5% of 400, exactly
    const statuses = new Set<number>();
    for (const id of gone) {
      const res = await api(sim, jwt, detailsPath(id));
      expect([404, 410]).toContain(res.status);
      statuses.add(res.status);
      const item = items.find((i) => i.incidentID === id);
      expect(item.incidentType).not.toBe('Email Report');
    }
    expect(statuses).toEqual(new Set([404, 410]));
  });
});

describe('generated data', () => {
  const all = (): Details[] => sim.incidentIds().map((i) => sim.details(i)).filter((d): d is Details => d !== undefined && d['incident_id'] !== 123456);

  test('realistic values: md5, Received headers, scan results, nulls, unicode', () => {
    const details = all();
    expect(details.length).toBe(380);
    const attachments = details.flatMap((d) => d['attachments']);
    expect(attachments.length).toBeGreaterThan(20);
    for (const a of attachments) {
      expect(a.md5).toMatch(/^[0-9a-f]{32}$/);
      expect(Number.isInteger(a.file_size)).toBe(true);
    }
    for (const d of details) {
      for (const r of d['reports']) {
        expect(r.headers.filter((h: { name: string }) => h.name === 'Received').length).toBeGreaterThanOrEqual(2);
      }
      expect(d['affected_mailboxes']).toHaveLength(d['affected_mailbox_count']);
      const f = d['federation'];
      expect(f.companies_marked_phishing + f.companies_marked_spam + f.companies_marked_fp + f.companies_unclassified).toBe(f.companies_affected);
    }
    const links = details.flatMap((d) => d['links']);
    expect(new Set(links.map((l: { scan_result: unknown }) => l.scan_result))).toEqual(new Set(['N/A', 'No IOC', 'Mixed Result', null]));
    for (const field of ['reply_to', 'spf_result', 'themis_proba', 'themis_verdict', 'banner_displayed', 'reporter_name', 'challenged_type', 'first_challenged_date', 'resolved_by']) {
      const values = details.map((d) => d[field]);
      expect(values).toContain(null);
      expect(values.some((v) => v !== null)).toBe(true);
    }
    const subjects = details.map((d) => d['reports'][0].subject as string).join('\n');
    expect(subjects).toMatch(/[üöä]/);
    expect(subjects).toMatch(/\p{Extended_Pictographic}/u);
    expect(subjects).toMatch(/\p{Script=Han}/u);
    const classifications = new Set(details.map((d) => d['classification']));
    expect(classifications).toEqual(new Set(['Attack', 'Spam', 'False Positive', 'Report', 'Close Phishing']));
  });

  test('links wrapped by every gateway, some nested, some texts showing another domain: each link as its plan says', () => {
    const plans = all().flatMap((d) => (d['links'] as { url: string; name: string }[]).map((link, i) => ({ link, plan: planLink(21, d['incident_id'], i) })));
    expect(plans.length).toBeGreaterThan(500);
    for (const { link, plan } of plans) {
      if (plan.url !== null) expect(link.url).toBe(plan.url);
      if (plan.name !== null) expect(link.name).toBe(plan.name);
      if (plan.gateways.length === 0) expect(plan.url).toBeNull();
    }
    const single = (g: string) => plans.filter((p) => p.plan.gateways.length === 1 && p.plan.gateways[0] === g);
    for (const g of WRAP_GATEWAYS) expect({ g, some: single(g).length > 0 }).toEqual({ g, some: true });
    expect(plans.filter((p) => p.plan.gateways.length >= 3).length).toBeGreaterThan(10);
    // About 40 % plain, as documented.
    const plain = plans.filter((p) => p.plan.gateways.length === 0).length / plans.length;
    expect(plain).toBeGreaterThan(0.3);
    expect(plain).toBeLessThan(0.5);
    // The formats, read back the simple way each documents: the plan's revealed target is really inside.
    const param = (url: string, name: string) => new URL(url).searchParams.get(name);
    const read: Record<string, (url: string) => string | null> = {
      safelinks: (u) => param(u, 'url'), google: (u) => param(u, 'q'), barracuda: (u) => param(u, 'a'), trendmicro: (u) => param(u, 'url'), symantec: (u) => param(u, 'u'),
      sophos: (u) => Buffer.from(param(u, 'u') ?? '', 'base64url').toString('utf8'),
      // The target after the token, as is or percent-encoded.
      cisco: (u) => ((tail) => (/^https?%3A/.test(tail) ? decodeURIComponent(tail) : tail))(u.replace(/^https:\/\/secure-web\.cisco\.com\/[^/]+\//, '')),
    };
    for (const [gateway, decode] of Object.entries(read)) {
      for (const { link, plan } of single(gateway)) expect(decode(link.url)).toBe(plan.revealed[0]!.url);
    }
    for (const { link, plan } of single('mimecast')) {
      expect(link.url).toMatch(/^https:\/\/[a-z0-9.-]*(mimecastprotect|mimecast)\.com\/s\/[A-Za-z0-9]+(\?domain=[a-z0-9.-]+)?$/);
      expect(plan.revealed.map((r) => r.domain)).toEqual(link.url.includes('?domain=') ? [link.url.split('?domain=')[1]] : []);
    }
    expect(single('mimecast').some((p) => !p.link.url.includes('?domain='))).toBe(true);
    for (const { link } of single('proofpoint_v1')) expect(link.url).toMatch(/^https:\/\/urldefense\.proofpoint\.com\/v1\/url\?u=http.*&k=/);
    for (const { link } of single('proofpoint_v2')) expect(link.url).toMatch(/^https:\/\/urldefense\.proofpoint\.com\/v2\/url\?u=https-3A__[A-Za-z0-9._-]+&d=/);
    for (const { link } of single('proofpoint_v3')) expect(link.url).toMatch(/^https:\/\/urldefense\.com\/v3\/__https:\/\/[^%]+__;[A-Za-z0-9_-]*!![A-Za-z0-9]+![A-Za-z0-9]+\$$/);
    // Texts showing a domain: most show another site than the target, some the target's own host.
    const shown = plans.filter((p) => p.plan.nameDomain !== null);
    expect(shown.length).toBeGreaterThan(50);
    expect(shown.some((p) => p.plan.revealed.some((r) => r.domain === p.plan.nameDomain))).toBe(true);
    expect(shown.filter((p) => p.plan.revealed.every((r) => r.domain !== p.plan.nameDomain)).length).toBeGreaterThan(shown.length / 2);
  });

  test('large bodies and never-seen fields come in the configured fractions', () => {
    const details = all();
    const large = details.filter((d) => (d['original_email_body'] as string).length > 25_000);
    expect(large.length).toBeGreaterThanOrEqual(35); // 10% of 400 = 40, a few of them may be gone
    for (const d of large) expect(Math.abs((d['original_email_body'] as string).length - 30_000)).toBeLessThan(1_000);
    const known = new Set(DETAIL_FIELDS);
    const extra = details.filter((d) => Object.keys(d).some((k) => !known.has(k)));
    expect(extra.length).toBeGreaterThanOrEqual(35);
    expect(extra.length).toBeLessThanOrEqual(40);
  });

  test('timestamps: shared exact values, neighbours 1 µs apart, whole seconds without fraction', async () => {
    const items = await listAll(sim, jwt, { sort: 'created', order: 'asc', items_per_page: 1000 });
    const created = items.filter((i) => i.incidentID !== 123456).map((i) => i.created as string);
    const us = created.map(toUs);
    let shared = 0;
    let oneApart = 0;
    for (let i = 1; i < us.length; i++) {
      if (us[i] === us[i - 1]) shared++;
      if ((us[i] as number) - (us[i - 1] as number) === 1) oneApart++;
    }
    expect(shared).toBeGreaterThanOrEqual(2);
    expect(oneApart).toBeGreaterThanOrEqual(1);
    expect(created.some((c) => /:\d\dZ$/.test(c))).toBe(true);
    expect(created.every((c) => /:\d\d(\.\d{6})?Z$/.test(c))).toBe(true);
    expect(us[0]).toBeGreaterThanOrEqual(toUs('2025-10-01T00:00:00Z'));
    expect(us[us.length - 1]).toBeLessThanOrEqual(toUs('2025-10-31T00:00:00Z'));
    const ids = items.filter((i) => i.incidentID !== 123456).map((i) => i.incidentID as number);
    expect(ids[0]).toBeGreaterThanOrEqual(72_300_000);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  test('50,000 incidents generate quickly and compactly', async () => {
    const before = process.memoryUsage().heapUsed;
    // CPU time, not wall time: the cost of generating, whatever else the machine is doing.
    const started = process.cpuUsage();
    const big = await startSimulator({ seed: 5, incidents: 50_000, bodyBytes: 30_000, largeBodyRatio: 1, rateLimit: null });
    const used = process.cpuUsage(started);
    const elapsed = (used.user + used.system) / 1000;
    try {
      expect(big.incidentIds()).toHaveLength(50_000);
      expect(elapsed).toBeLessThan(2_000);
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
      const body = big.details(big.incidentIds()[49_999] as number)?.['original_email_body'] as string | undefined;
      if (body !== undefined) expect(body.length).toBeGreaterThan(29_000);
    } finally {
      await big.close();
    }
  });
});

describe('mutations', () => {
  test('addIncidents: next ids even for earlier timestamps, explicit ids, extra fields, gone', async () => {
    const local = await startSimulator({ seed: 2, incidents: 5, ...RANGE });
    try {
      const before = local.incidentIds();
      const max = Math.max(...before);
      const [early, extra, gone] = local.addIncidents([
        { first_reported_date: '2020-01-01T00:00:00.000001Z', classification: 'Spam' },
        { first_reported_date: '2025-10-15T00:00:00Z', extra: { brand_new_field: { nested: [1, 2] } }, bodyBytes: 5000 },
        { gone: true },
      ]) as [number, number, number];
      expect(early).toBe(max + 1);
      expect(extra).toBe(max + 2);
      expect(gone).toBe(max + 3);
      expect(local.details(early)).toMatchObject({ classification: 'Spam', first_reported_date: '2020-01-01T00:00:00.000001Z' });
      const d = local.details(extra) as Details;
      expect(d['brand_new_field']).toEqual({ nested: [1, 2] });
      expect(Math.abs((d['original_email_body'] as string).length - 5000)).toBeLessThan(600);
      expect(local.details(gone)).toBeUndefined();
      const token = await getToken(local);
      expect((await api(local, token, `/incident/${local.companyId}/details/${gone}`)).status).toBe(410);
      const [explicit] = local.addIncidents([{ incident_id: 90_000_000, first_reported_date: '2025-10-02T00:00:00+02:00' }]);
      expect(explicit).toBe(90_000_000);
      expect(local.details(90_000_000)?.['first_reported_date']).toBe('2025-10-01T22:00:00Z');
      expect(local.addIncidents([{}])[0]).toBe(90_000_001);
      expect(() => local.addIncidents([{ incident_id: 90_000_000 }])).toThrow(/exists/);
      expect(() => local.addIncidents([{ first_reported_date: '2025-10-02 00:00:00' }])).toThrow();
      expect(() => local.reclassify(1, 'Spam')).toThrow();
      expect(() => local.reclassify(early, 'Weird')).toThrow();
      local.reset();
      expect(local.incidentIds()).toEqual([]);
      expect(local.generateIncidents(3, RANGE).every((id) => id > 90_000_001)).toBe(true);
    } finally {
      await local.close();
    }
  });
});

describe('determinism', () => {
  test('same seed and options → same data; another seed → different data', async () => {
    const opts = { seed: 99, incidents: 120, ...RANGE, goneRatio: 0.05, extraFieldRatio: 0.1 };
    const a = await startSimulator(opts);
    const b = await startSimulator(opts);
    const c = await startSimulator({ ...opts, seed: 100 });
    try {
      expect(b.incidentIds()).toEqual(a.incidentIds());
      for (const id of a.incidentIds()) expect(b.details(id)).toEqual(a.details(id));
      const [ta, tb] = [await getToken(a), await getToken(b)];
      const la = await listAll(a, ta, { items_per_page: 50 });
      const lb = await listAll(b, tb, { items_per_page: 50 });
      expect(lb).toEqual(la);
      expect(c.incidentIds()).not.toEqual(a.incidentIds());
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
