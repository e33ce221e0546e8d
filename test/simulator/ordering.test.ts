/**
 * Contract tests: list order under ties (unstableTies), the always-stable sort=incidentID, and
 * created_* combined with last_update_* filters.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { api, getToken, listAll, listPath } from './helpers.js';

const TIE = '2025-05-05T05:05:05.505050Z';

let sim: Simulator;
let jwt: string;
let tied: number[];
let all: number[];

beforeAll(async () => {
  sim = await startSimulator({ seed: 41, rateLimit: null, unstableTies: true });
  const before = sim.addIncidents(Array.from({ length: 5 }, (_, i) => ({ first_reported_date: `2025-05-05T05:05:0${i}Z` })));
  tied = sim.addIncidents(Array.from({ length: 26 }, () => ({ first_reported_date: TIE })));
  const after = sim.addIncidents(Array.from({ length: 5 }, (_, i) => ({ first_reported_date: `2025-05-05T05:05:1${i}Z` })));
  all = [...before, ...tied, ...after];
  jwt = await getToken(sim);
});
afterAll(() => sim.close());

async function page(params: Record<string, string | number>): Promise<number[]> {
  const res = await api(sim, jwt, listPath(sim, params));
  expect(res.status).toBe(200);
  return (res.body.incidents as { incidentID: number }[]).map((i) => i.incidentID);
}

const createdAsc = { sort: 'created', order: 'asc', items_per_page: 10 };

describe('unstableTies', () => {
  test('sort=created still orders by created; only the order inside the tie changes between requests', async () => {
    const reads: number[][] = [];
    for (let i = 0; i < 6; i++) reads.push(await listAll(sim, jwt, { sort: 'created', order: 'asc', items_per_page: 100 }).then((items) => items.map((x) => x.incidentID as number)));
    for (const read of reads) {
      expect(read.slice(0, 5)).toEqual(all.slice(0, 5));
      expect(read.slice(31)).toEqual(all.slice(31));
      expect(new Set(read.slice(5, 31))).toEqual(new Set(tied));
    }
    expect(new Set(reads.map((r) => r.join(','))).size).toBeGreaterThan(1);
  });

  test('paging across the tie: an incident can show up on two pages, or on none', async () => {
    let lost = 0;
    let repeated = 0;
    for (let pass = 0; pass < 8; pass++) {
      const seen: number[] = [];
      for (let p = 1; p <= 4; p++) seen.push(...(await page({ ...createdAsc, page: p })));
      expect(seen).toHaveLength(36);
      lost += all.filter((id) => !seen.includes(id)).length;
      repeated += seen.length - new Set(seen).size;
    }
    expect(lost).toBeGreaterThan(0);
    expect(repeated).toBeGreaterThan(0);
  });

  test('descending order shuffles the tie too', async () => {
    const reads = new Set<string>();
    for (let i = 0; i < 5; i++) reads.add((await page({ sort: 'created', order: 'desc', items_per_page: 20, page: 1 })).join(','));
    expect(reads.size).toBeGreaterThan(1);
  });

  test('setUnstableTies(false) restores a stable (created, id) order', async () => {
    sim.setUnstableTies(false);
    try {
      const first = await page({ ...createdAsc, page: 2 });
      for (let i = 0; i < 4; i++) expect(await page({ ...createdAsc, page: 2 })).toEqual(first);
      expect(first).toEqual(all.slice(10, 20));
    } finally {
      sim.setUnstableTies(true);
    }
  });

  test('off by default', async () => {
    const stable = await startSimulator({ seed: 41, rateLimit: null });
    try {
      const ids = stable.addIncidents(Array.from({ length: 12 }, () => ({ first_reported_date: TIE })));
      const token = await getToken(stable);
      for (let i = 0; i < 3; i++) {
        const res = await api(stable, token, listPath(stable, { sort: 'created', order: 'asc', items_per_page: 5, page: 2 }));
        expect(res.body.incidents.map((x: { incidentID: number }) => x.incidentID)).toEqual(ids.slice(5, 10));
      }
    } finally {
      await stable.close();
    }
  });
});

describe('sort=incidentID', () => {
  test('ascending and descending, identical on every read even with unstableTies', async () => {
    const sorted = [...all].sort((a, b) => a - b);
    for (let i = 0; i < 3; i++) {
      const asc: number[] = [];
      const desc: number[] = [];
      for (let p = 1; p <= 4; p++) {
        asc.push(...(await page({ sort: 'incidentID', order: 'asc', items_per_page: 10, page: p })));
        desc.push(...(await page({ sort: 'incidentID', order: 'desc', items_per_page: 10, page: p })));
      }
      expect(asc).toEqual(sorted);
      expect(desc).toEqual([...sorted].reverse());
    }
  });

  test('new incidents get higher ids than all before, whatever their created time', async () => {
    const max = Math.max(...sim.incidentIds());
    const [older] = sim.addIncidents([{ first_reported_date: '2020-01-01T00:00:00Z' }]);
    const [generated] = sim.generateIncidents(1, { from: '2019-01-01T00:00:00Z', to: '2019-01-02T00:00:00Z' });
    expect(older).toBeGreaterThan(max);
    expect(generated).toBeGreaterThan(older as number);
    const ids = (await listAll(sim, jwt, { sort: 'incidentID', order: 'asc' })).map((i) => i.incidentID);
    expect(ids.slice(-2)).toEqual([older, generated]);
    const created = (await listAll(sim, jwt, { sort: 'created', order: 'asc' })).map((i) => i.incidentID);
    expect(created.slice(0, 2)).toEqual([generated, older]);
  });
});

describe('created_* and last_update_* together', () => {
  test('both filters apply (AND), with inclusive bounds', async () => {
    const local = await startSimulator({ seed: 42, rateLimit: null });
    try {
      const [oldUpdated, newUpdated, newQuiet, newLate] = local.addIncidents([
        { first_reported_date: '2025-01-01T00:00:00Z' },
        { first_reported_date: '2025-03-01T00:00:00Z' },
        { first_reported_date: '2025-03-02T00:00:00Z' },
        { first_reported_date: '2025-03-03T00:00:00Z' },
      ]) as [number, number, number, number];
      local.reclassify(oldUpdated, 'Spam', '2025-04-01T00:00:00Z');
      local.reclassify(newUpdated, 'Spam', '2025-04-01T00:00:00Z');
      local.reclassify(newLate, 'Spam', '2025-05-01T00:00:00Z');
      const token = await getToken(local);
      const window = {
        created_start_time: '2025-02-01T00:00:00+00:00', created_end_time: '2025-03-31T00:00:00Z',
        last_update_start_time: '2025-04-01T00:00:00Z', last_update_end_time: '2025-04-30T00:00:00.000000+00:00',
      };
      expect((await listAll(local, token, window)).map((i) => i.incidentID)).toEqual([newUpdated]);
      // newQuiet's last update is its creation: inside the created window, outside the update window.
      const createdOnly = await listAll(local, token, { created_start_time: window.created_start_time, created_end_time: window.created_end_time, sort: 'incidentID', order: 'asc' });
      expect(createdOnly.map((i) => i.incidentID)).toEqual([newUpdated, newQuiet, newLate]);
      const updatedOnly = await listAll(local, token, { last_update_start_time: window.last_update_start_time, last_update_end_time: window.last_update_end_time, sort: 'incidentID', order: 'asc' });
      expect(updatedOnly.map((i) => i.incidentID)).toEqual([oldUpdated, newUpdated]);
    } finally {
      await local.close();
    }
  });
});
