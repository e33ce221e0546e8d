/** Contract tests: GET /appapi/mailboxes/{cid}/list/. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken } from './helpers.js';

const FIELDS = [
  'id', 'firstName', 'lastName', 'title', 'department', 'email', 'phoneNumber', 'tags', 'language', 'enabled', 'riskLevel',
  'awarenessLevel', 'protected', 'unprotectedReason',
];

let sim: Simulator;
let jwt: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 71, rateLimit: null });
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

const path = (target: Simulator, query = ''): string => `/mailboxes/${target.companyId}/list/${query}`;

async function everyMailbox(target: Simulator, token: string, perPage: number): Promise<any[]> {
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const res = await api(target, token, path(target, `?page=${page}&items_per_page=${perPage}`));
    expect(res.status).toBe(200);
    out.push(...res.body.mailboxes);
    if (page >= res.body.total_pages) return out;
  }
}

describe('mailboxes', () => {
  test('50 by default, 100 per page, the documented fields, ordered by id', async () => {
    const res = await api(sim, jwt, path(sim));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['page', 'total_pages', 'total_count', 'mailboxes']);
    expect(res.body).toMatchObject({ page: 1, total_pages: 1, total_count: 50 });
    const boxes = res.body.mailboxes as any[];
    expect(boxes).toHaveLength(50);
    for (const box of boxes) {
      expect(Object.keys(box)).toEqual(FIELDS);
      expect(Number.isInteger(box.id)).toBe(true);
      expect(box.email).toMatch(/^[a-z.0-9]+@company1\.example\.com$/);
      expect(Array.isArray(box.tags)).toBe(true);
      expect(typeof box.enabled).toBe('boolean');
      expect(box.unprotectedReason === null).toBe(box.protected);
    }
    const ids = boxes.map((b) => b.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(50);
    expect(new Set(boxes.map((b) => b.email)).size).toBe(50);
  });

  test('paging: pages join up to the whole list, page past the end → 404', async () => {
    const whole = (await api(sim, jwt, path(sim))).body.mailboxes;
    expect(await everyMailbox(sim, jwt, 20)).toEqual(whole);
    const third = await api(sim, jwt, path(sim, '?page=3&items_per_page=20'));
    expect(third.body).toMatchObject({ page: 3, total_pages: 3, total_count: 50 });
    expect(third.body.mailboxes).toHaveLength(10);
    const past = await api(sim, jwt, path(sim, '?page=4&items_per_page=20'));
    expect(past.status).toBe(404);
  });

  test('option mailboxes: the count; 0 → total_pages 0 and an empty page 1', async () => {
    const none = await startSimulator({ seed: 71, rateLimit: null, mailboxes: 0 });
    const many = await startSimulator({ seed: 71, rateLimit: null, mailboxes: 230 });
    try {
      const empty = await api(none, await getToken(none), path(none));
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual({ page: 1, total_pages: 0, total_count: 0, mailboxes: [] });
      const token = await getToken(many);
      const all = await everyMailbox(many, token, 100);
      expect(all).toHaveLength(230);
      expect(new Set(all.map((b) => b.email)).size).toBe(230);
    } finally {
      await none.close();
      await many.close();
    }
  });

  test('deterministic from the seed', async () => {
    const twin = await startSimulator({ seed: 71, rateLimit: null });
    const other = await startSimulator({ seed: 72, rateLimit: null });
    try {
      const mine = (await api(sim, jwt, path(sim))).body;
      expect((await api(twin, await getToken(twin), path(twin))).body).toEqual(mine);
      expect((await api(other, await getToken(other), path(other))).body).not.toEqual(mine);
    } finally {
      await twin.close();
      await other.close();
    }
  });

  test('bad paging values → 400; auth required; missing slash → 301', async () => {
    for (const query of ['?page=0', '?items_per_page=0', '?items_per_page=1001', '?page=x']) {
      expect((await api(sim, jwt, path(sim, query))).status).toBe(400);
    }
    expect((await api(sim, null, path(sim))).status).toBe(403);
    expect((await api(sim, jwt, `/mailboxes/${sim.companyId}/list`)).status).toBe(301);
  });
});
