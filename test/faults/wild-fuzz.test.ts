/**
 * A long run against what the wild sends (issue 14): 20 syncs of the four streams, with incidents
 * arriving and being reclassified between syncs, random SIGKILLs, and one fault of each kind the
 * wild-answers and wild-incidents suites reproduce, each applied once and healed after its sync.
 * The destination is modelled as Airbyte's: Append + Deduped for the incident tables (the last
 * version of a primary key wins), Overwrite for mailboxes (replaced by a snapshot that completed),
 * and a stream's records count only up to its last STATE of a run (what the platform commits).
 * At the end it must equal IRONSCALES' truth: 0 lost, 0 stale, 0 thin incidents whose details
 * IRONSCALES serves. Built connector, separate processes, simulator over real HTTP.
 */
import { expect, test } from '@jest/globals';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { iocRows } from '../../src/streams/incidents/iocs.js';
import { carryState, catalogFor, configFor, type Message, type RunResult } from '../helpers/connector.js';
import { runDuring, seededRandom, sleep, waitUntil } from '../helpers/faults-harness.js';
import { expectedIncidentRecord } from '../helpers/records.js';

const INCIDENTS = 'ironscales_incidents';
const IOCS = 'ironscales_incident_iocs';
const MITIGATIONS = 'ironscales_mitigations';
const MAILBOXES = 'ironscales_mailboxes';
const ALL = [INCIDENTS, IOCS, MITIGATIONS, MAILBOXES];
const KEYS: Record<string, string[]> = { [INCIDENTS]: ['incident_id'], [IOCS]: ['incident_id', 'ioc_type', 'value'], [MITIGATIONS]: ['mitigationID'], [MAILBOXES]: ['id'] };
const SYNCS = 20;
/** The last syncs run without kills or faults, so the faults of the syncs before have been healed and caught up. */
const CLEAN_TAIL = 2;
/** Windows end about 2 s behind IRONSCALES' clock. */
const SERVER_MARGIN_MS = 3_200;
/** New incidents are stamped this far back, so the sync that follows at once lists them (the lookback catches any behind its cursor). */
const ARRIVAL_AGE_MS = 4_000;
const CLASSES = ['Attack', 'Spam', 'False Positive', 'Report'];

type Row = Record<string, unknown>;
const keyOf = (stream: string, data: Row) => JSON.stringify(KEYS[stream]!.map((k) => data[k]));

/** Airbyte's view of the destination tables. */
class Destination {
  readonly tables = new Map<string, Map<string, Row>>(ALL.map((s) => [s, new Map()]));

  apply(result: RunResult): void {
    const lastState = new Map<string, number>();
    result.messages.forEach((m, i) => {
      if (m.type === 'STATE') lastState.set(m.state.stream.stream_descriptor.name, i);
    });
    const completed = new Set(
      result.traces.filter((t) => t.trace.type === 'STREAM_STATUS' && t.trace.stream_status.status === 'COMPLETE').map((t) => t.trace.stream_status.stream_descriptor.name),
    );
    const snapshot = new Map<string, Row>();
    result.messages.forEach((m: Message, i) => {
      if (m.type !== 'RECORD') return;
      const stream = m.record.stream as string;
      if (stream === MAILBOXES) snapshot.set(keyOf(stream, m.record.data), m.record.data);
      else if (i < (lastState.get(stream) ?? -1)) this.tables.get(stream)!.set(keyOf(stream, m.record.data), m.record.data);
    });
    if (completed.has(MAILBOXES)) this.tables.set(MAILBOXES, snapshot);
  }
}

/** IRONSCALES' own answers for what the simulator has no accessor for (mitigations, mailboxes), over HTTP. */
async function api(sim: Simulator) {
  const token = (await (await fetch(`${sim.url}/appapi/get-token/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: sim.apiKey, scopes: ['company.all'] }) })).json()) as { jwt: string };
  const auth = { Authorization: `Bearer ${token.jwt}`, 'Content-Type': 'application/json' };
  return {
    async mitigations(ids: number[]): Promise<Row[]> {
      const rows: Row[] = [];
      for (let i = 0; i < ids.length; i += 50) {
        for (let page = 1; ; page++) {
          const res = (await (await fetch(`${sim.url}/appapi/mitigation/${sim.companyId}/details/`, { method: 'POST', headers: auth, body: JSON.stringify({ incidents: ids.slice(i, i + 50), page }) })).json()) as { total_pages: number; mitigations: Row[] };
          rows.push(...res.mitigations);
          if (page >= res.total_pages) break;
        }
      }
      return rows;
    },
    async mailboxes(): Promise<Row[]> {
      const rows: Row[] = [];
      for (let page = 1; ; page++) {
        const res = (await (await fetch(`${sim.url}/appapi/mailboxes/${sim.companyId}/list/?page=${page}&items_per_page=100`, { headers: auth })).json()) as { total_pages: number; mailboxes: Row[] };
        rows.push(...res.mailboxes);
        if (page >= res.total_pages) break;
      }
      return rows;
    },
  };
}

test('20 syncs with kills, churn, reclassifications and one fault of each kind: the destination equals IRONSCALES\' truth', async () => {
  const random = seededRandom(1414);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const ago = (ms: number) => new Date(Date.parse(sim.now()) - ms).toISOString();
  const sim = await startSimulator({ seed: 1499, incidents: 260, rateLimit: null, goneRatio: 0.02, extraFieldRatio: 0, mailboxes: 70, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
  try {
    sim.addIncidents([{ first_reported_date: '2025-02-02T02:02:02.020202Z', reportType: 'ato' }]);
    // A lookback of a minute: incidents stamped a few seconds back are never behind the cursor unseen (row 3's path too).
    const config = configFor(sim, { start_date: '2025-01-01T00:00:00Z', records_per_checkpoint: 60, max_retry_seconds: 10, request_timeout_seconds: 5, lookback_minutes: 1 });
    const heals: Array<() => void> = [];
    /** Incidents added just before the current sync: the ones it reads for sure. */
    let added: number[] = [];
    /** Each fault of the rows once: what it does to the simulator (before its sync, or during it), and how to tell it was met. */
    const injected = () => sim.stats().injectedFaults > 0;
    const refusedFor = (endpoint: string, id: number) => () => sim.stats().log.some((e) => e.endpoint === endpoint && e.path.includes(`/${id}/`) && e.status >= 400) || sim.stats().log.some((e) => e.endpoint === endpoint && e.path.endsWith(`/${id}`) && e.status >= 400);
    let hit: (result: RunResult) => boolean = () => true;
    const faults: Array<[string, (ended: () => boolean) => Promise<void> | void]> = [
      ['an HTML 404 on a list call', () => {
        sim.inject({ kind: 'error_page', status: 404, endpoint: 'list', skip: Math.floor(random() * 4), count: 1 });
        hit = injected;
      }],
      ['an empty 404 on a mitigations call', () => {
        sim.inject({ kind: 'error_page', status: 404, body: 'empty', endpoint: 'mitigations', skip: Math.floor(random() * 2), count: 1 });
        hit = injected;
      }],
      ['an HTML 404 on mailboxes page 1', () => {
        sim.inject({ kind: 'error_page', status: 404, endpoint: 'mailboxes', count: 1 });
        hit = injected;
      }],
      ['a list part that claims to be empty', () => {
        sim.inject({ kind: 'canned', status: 200, body: { page: 1, total_pages: 0, total_count: 0, incidents: [] }, endpoint: 'list', skip: 1 + Math.floor(random() * 2), count: 1 });
        hit = injected;
      }],
      ['a 429 whose only hint is the DRF text', () => {
        sim.inject({ kind: 'throttle', retryAfterSeconds: 4, retryAfterHeader: false, endpoint: 'details', count: 1 });
        hit = injected;
      }],
      ['a slow token answer', () => {
        sim.inject({ kind: 'delay', ms: 3_000, endpoint: 'token', count: 1 });
        hit = injected;
      }],
      ['one incident\'s details failing (5xx)', () => {
        const id = pick(added);
        sim.failDetails(id, 502);
        heals.push(() => sim.healDetails(id));
        hit = refusedFor('details', id);
      }],
      ['one incident\'s details refused (403)', () => {
        const id = pick(added);
        sim.failDetails(id, 403, 'json');
        heals.push(() => sim.healDetails(id));
        hit = refusedFor('details', id);
      }],
      ['the account-takeover endpoint failing for one incident', () => {
        const [id] = sim.addIncidents([{ first_reported_date: ago(ARRIVAL_AGE_MS), reportType: 'ato' }]) as [number];
        sim.failAccountTakeover(id, 502);
        heals.push(() => sim.healAccountTakeover(id));
        hit = refusedFor('ato', id);
      }],
      ['the mitigations endpoint down for a whole sync', () => {
        sim.inject({ kind: 'server_error', status: 503, endpoint: 'mitigations', count: 1_000_000 });
        hit = injected;
      }],
      ['IRONSCALES serving 37 incidents per page', () => {
        sim.setListLimits({ pageCap: 37 });
        heals.push(() => sim.setListLimits({ pageCap: null }));
        hit = (result) => result.logs.some((l) => /serves at most 37 incidents per page/.test(l.log.message));
      }],
      ['tokens expiring mid-sync', async (ended) => {
        hit = () => sim.stats().requests.token >= 2;
        if (await waitUntil(() => sim.stats().requests.details >= 3, ended)) sim.expireAllTokens({ status: 401, body: { detail: 'Signature has expired.' } });
      }],
    ];
    const order = faults.map((_, i) => [random(), i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => faults[i]!);
    /** Sync 1 is the backfill; the faults come one per sync after it, the kills in the syncs after them, then the clean tail. */
    const FIRST_FAULT = 2;
    const missed: string[] = [];

    const destination = new Destination();
    let state: unknown[] | undefined;
    const log: string[] = [];
    for (let sync = 1; sync <= SYNCS; sync++) {
      const clean = sync > SYNCS - CLEAN_TAIL;
      if (sync > 1) {
        // Churn between syncs: new incidents and reclassifications.
        added = sim.addIncidents(Array.from({ length: 4 + Math.floor(random() * 6) }, () => ({ first_reported_date: ago(ARRIVAL_AGE_MS) })));
        const reclassified = Array.from({ length: Math.floor(random() * 5) }, () => pick(sim.incidentIds()));
        for (const id of reclassified) sim.reclassify(id, pick(CLASSES));
        log.push(`sync ${sync}: +${added.length} incidents, ${reclassified.length} reclassified`);
      } else {
        added = sim.incidentIds();
      }
      if (clean) await sleep(SERVER_MARGIN_MS);
      const fault = order[sync - FIRST_FAULT];
      // A kill in a sync with a fault could end it before the fault is met: kills come in the backfill and after the faults.
      const kill = !clean && !fault && random() < 0.8 ? 1 + Math.floor(random() * (sync === 1 ? 3000 : 150)) : undefined;
      sim.resetStats();
      const result = await runDuring('read', { config, catalog: catalogFor('incremental', ALL), state, ...(kill ? { killAfterRecords: kill } : {}) }, async (ended) => {
        if (fault) await fault[1](ended);
      });
      const refused = sim.stats().log.filter((e) => e.status >= 400).length;
      log.push(`sync ${sync}: ${fault ? fault[0] : 'no fault'}${kill ? `, killed after ${kill} records` : ''} → exit ${result.code ?? result.signal}, ${result.records.length} records, ${refused} answers ≥ 400`);
      if (fault && !hit(result)) missed.push(fault[0]);
      if (clean) expect({ sync, code: result.code }).toEqual({ sync, code: 0 });
      destination.apply(result);
      state = carryState(state, result);
      sim.clearFaults();
      for (const heal of heals.splice(0)) heal();
    }

    // IRONSCALES' truth, now.
    const incidents = destination.tables.get(INCIDENTS)!;
    const lost: number[] = [];
    const stale: number[] = [];
    const thin: number[] = [];
    for (const id of sim.incidentIds()) {
      const got = incidents.get(JSON.stringify([id]));
      if (!got) {
        lost.push(id);
        continue;
      }
      const expected = expectedIncidentRecord(sim, id);
      if (expected === undefined) continue;
      if (got.details_unavailable !== undefined) thin.push(id);
      else if (JSON.stringify(got) !== JSON.stringify(expected)) stale.push(id);
    }
    const iocs = destination.tables.get(IOCS)!;
    const iocTruth = new Map<string, Row>();
    for (const record of incidents.values()) for (const row of iocRows(record)) iocTruth.set(keyOf(IOCS, row), row);
    const iocsLost = [...iocTruth.keys()].filter((k) => !iocs.has(k));
    const iocsStale = [...iocTruth].filter(([k, row]) => iocs.has(k) && JSON.stringify(iocs.get(k)) !== JSON.stringify(row)).map(([k]) => k);
    const iocsExtra = [...iocs.keys()].filter((k) => !iocTruth.has(k));

    const truth = await api(sim);
    const firstReported = new Map(sim.incidentIds().map((id) => [id, sim.listEntry(id)!.created]));
    const mitigationTruth = new Map((await truth.mitigations(sim.incidentIds())).map((r) => [keyOf(MITIGATIONS, r), { ...r, first_reported_date: firstReported.get(r.incidentID as number) }]));
    const mitigations = destination.tables.get(MITIGATIONS)!;
    const mitigationsLost = [...mitigationTruth.keys()].filter((k) => !mitigations.has(k));
    const mitigationsStale = [...mitigationTruth].filter(([k, row]) => mitigations.has(k) && JSON.stringify(mitigations.get(k)) !== JSON.stringify(row)).map(([k]) => k);
    const mailboxTruth = new Map((await truth.mailboxes()).map((r) => [keyOf(MAILBOXES, r), r]));
    const mailboxes = destination.tables.get(MAILBOXES)!;

    // Printed so a failure shows the run's story.
    console.log(`Wild fuzz: ${log.join('\n')}\n` +
      `incidents ${incidents.size} (truth ${sim.incidentIds().length}), IOC rows ${iocs.size}, mitigations ${mitigations.size}, mailboxes ${mailboxes.size}`);
    expect({ lost, stale, thin }).toEqual({ lost: [], stale: [], thin: [] });
    expect({ iocsLost, iocsStale, iocsExtra }).toEqual({ iocsLost: [], iocsStale: [], iocsExtra: [] });
    expect({ mitigationsLost, mitigationsStale }).toEqual({ mitigationsLost: [], mitigationsStale: [] });
    expect([...mailboxes.keys()].sort()).toEqual([...mailboxTruth.keys()].sort());
    expect(FIRST_FAULT + order.length - 1).toBeLessThanOrEqual(SYNCS - CLEAN_TAIL - 3);
    expect({ faults: order.length, missed }).toEqual({ faults: 12, missed: [] });
  } finally {
    await sim.close();
  }
}, 300_000);
