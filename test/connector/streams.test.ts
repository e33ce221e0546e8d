/**
 * The four streams read together or apart: every one of the 15 non-empty selections gives each
 * selected stream the same records, and costs exactly the API calls of the passes it needs (the
 * incident passes are shared, IOC rows are free beside incidents, mitigations need no details).
 * Then what a selection changes over time: reclassification, account takeover, a table added to the
 * connection later. Built connector, separate process, simulator over real HTTP.
 */
import { startSimulator, type Endpoint, type Simulator } from '../../simulator/index.js';
import { catalogFor, configFor, errorTraces, type Message, type RunResult } from '../helpers/connector.js';
import { runChecked } from '../helpers/acceptance-protocol.js';
import { sleep } from '../helpers/faults-harness.js';

const INCIDENTS = 'ironscales_incidents';
const IOCS = 'ironscales_incident_iocs';
const MITIGATIONS = 'ironscales_mitigations';
const MAILBOXES = 'ironscales_mailboxes';
const ALL = [INCIDENTS, IOCS, MITIGATIONS, MAILBOXES];
const INCIDENT_TABLES = [INCIDENTS, IOCS, MITIGATIONS];
/** Windows end 2 s behind the simulator's clock: a change made "now" is seen by a sync that starts this much later. */
const SERVER_MARGIN_MS = 2_500;

let sim: Simulator;
let atoId = 0;
const reference = new Map<string, string[]>();
const calls = new Map<string, Record<Endpoint, number>>();

const config = (extra: Record<string, unknown> = {}) => configFor(sim, { records_per_checkpoint: 10, ...extra });
const rows = (result: RunResult, stream: string) => result.records.filter((r) => r.record.stream === stream).map((r) => r.record.data);
/** A stream's records as a sorted list of JSON strings: equal lists mean the very same records. */
const canonical = (result: RunResult, stream: string) => rows(result, stream).map((d) => JSON.stringify(d)).sort();
const statusesOf = (result: RunResult, stream: string) =>
  result.traces.filter((t) => t.trace.type === 'STREAM_STATUS' && t.trace.stream_status.stream_descriptor.name === stream).map((t) => t.trace.stream_status.status);
const namesOf = (messages: Message[], pick: (m: Message) => string) => [...new Set(messages.map(pick))].sort();

/** Runs a read with fresh request counters; the counters are the calls of this read alone. */
async function read(streams: string[], options: { state?: unknown; extra?: Record<string, unknown> } = {}) {
  sim.resetStats();
  const result = await runChecked('read', { config: config(options.extra), catalog: catalogFor('incremental', streams), state: options.state });
  return { result, requests: { ...sim.stats().requests } };
}

/** Every non-empty subset of the four streams, in catalog order. */
const SUBSETS: string[][] = Array.from({ length: 15 }, (_, i) => ALL.filter((_, bit) => ((i + 1) >> bit) & 1));

const SIM_OPTIONS = { seed: 23, incidents: 24, rateLimit: null, goneRatio: 0, extraFieldRatio: 0, mailboxes: 20, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' };
const addAto = () => ([atoId] = sim.addIncidents([{ first_reported_date: '2025-02-02T02:02:02.020202Z', gone: true }]) as [number]);

beforeAll(async () => {
  sim = await startSimulator(SIM_OPTIONS);
  addAto();
  const { result } = await read(ALL);
  expect(result.code).toBe(0);
  for (const stream of ALL) reference.set(stream, canonical(result, stream));
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

describe('every selection of streams', () => {
  test('the reference read (all four) gives every stream records', () => {
    for (const stream of ALL) expect({ stream, some: reference.get(stream)!.length > 0 }).toEqual({ stream, some: true });
  });

  test.each(SUBSETS.map((s) => [s.map((n) => n.replace('ironscales_', '')).join('+'), s] as const))(
    '%s: each selected stream gets exactly its records, statuses and states; nothing of the others',
    async (name, streams) => {
      const { result, requests } = await read([...streams]);
      calls.set(name, requests);
      expect(result.code).toBe(0);
      expect(errorTraces(result)).toHaveLength(0);
      for (const stream of streams) {
        expect({ stream, same: canonical(result, stream) }).toEqual({ stream, same: reference.get(stream) });
        expect({ stream, statuses: [statusesOf(result, stream)[0], statusesOf(result, stream).at(-1)] }).toEqual({ stream, statuses: ['STARTED', 'COMPLETE'] });
      }
      expect(namesOf(result.records, (m) => m.record.stream)).toEqual([...streams].sort());
      expect(namesOf(result.traces.filter((t) => t.trace.type === 'STREAM_STATUS'), (m) => m.trace.stream_status.stream_descriptor.name)).toEqual([...streams].sort());
      // Every selected incremental stream checkpoints; no STATE names an unselected stream.
      const stated = namesOf(result.states, (m) => m.state.stream.stream_descriptor.name);
      expect(stated.filter((s) => INCIDENT_TABLES.includes(s))).toEqual(streams.filter((s) => INCIDENT_TABLES.includes(s)).sort());
      expect(stated.filter((s) => !streams.includes(s))).toEqual([]);
    },
  );

  test('API calls: each selection costs exactly the calls of the passes it needs; IOCs are free beside incidents', () => {
    expect(calls.size).toBe(15);
    const alone = (stream: string) => calls.get(stream.replace('ironscales_', ''))!;
    // The passes' own costs, measured alone: mitigations need no details, mailboxes no incident list.
    expect(alone(MITIGATIONS).details).toBe(0);
    expect(alone(MITIGATIONS).ato).toBe(0);
    expect(alone(MITIGATIONS).mitigations).toBeGreaterThan(0);
    expect(alone(MAILBOXES)).toMatchObject({ list: 0, details: 0, ato: 0, mitigations: 0, mailboxes: 1 });
    expect(alone(INCIDENTS).details).toBe(sim.incidentIds().length);
    expect(alone(INCIDENTS).ato).toBe(1);
    expect(alone(IOCS)).toEqual(alone(INCIDENTS));
    for (const streams of SUBSETS) {
      const has = (s: string) => streams.includes(s);
      const incidentPass = streams.some((s) => INCIDENT_TABLES.includes(s));
      const needsDetails = has(INCIDENTS) || has(IOCS);
      const expected = {
        token: 1,
        list: incidentPass ? alone(INCIDENTS).list : 0,
        open: 0,
        details: needsDetails ? alone(INCIDENTS).details : 0,
        ato: needsDetails ? alone(INCIDENTS).ato : 0,
        mitigations: has(MITIGATIONS) ? alone(MITIGATIONS).mitigations : 0,
        mailboxes: has(MAILBOXES) ? alone(MAILBOXES).mailboxes : 0,
        // The streams of other endpoints are not selected here: none of their calls.
        emails: 0,
        scanback: 0,
        deepfake: 0,
        other: 0,
      };
      const name = streams.map((n) => n.replace('ironscales_', '')).join('+');
      expect({ name, calls: calls.get(name) }).toEqual({ name, calls: expected });
    }
  });
});

describe('mitigations batching', () => {
  // A batch that fits one page costs one call whatever the page size, as long as the page holds
  // 100 rows or more; so equal call counts at 100 and 1000 rows per page mean no batch ever
  // needed a second page. At 10 rows per page the connector must page, and lose nothing.
  test('≤ 1 call per batch: the same calls at 100 and 1000 rows per page; complete rows when the API pages in tens', async () => {
    const perIncident = sim.incidentIds().map((id) => ((sim.details(id)?.affected_mailboxes ?? []) as unknown[]).length);
    // One slice of every incident holds more than a page of rows: its batches must be packed to fit.
    expect(perIncident.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    const main = sim;
    const results: Record<number, Record<number, { calls: number; rows: string[] }>> = {};
    try {
      for (const perPage of [1000, 100, 10]) {
        sim = await startSimulator({ ...SIM_OPTIONS, mitigationsPerPage: perPage });
        addAto();
        results[perPage] = {};
        for (const recordsPerCheckpoint of [10, 1000]) {
          const { result, requests } = await read([MITIGATIONS], { extra: { records_per_checkpoint: recordsPerCheckpoint } });
          expect(result.code).toBe(0);
          results[perPage]![recordsPerCheckpoint] = { calls: requests.mitigations, rows: canonical(result, MITIGATIONS) };
        }
        await sim.close();
      }
    } finally {
      sim = main;
    }
    for (const perPage of [1000, 100, 10]) for (const rpc of [10, 1000]) expect(results[perPage]![rpc]!.rows).toEqual(reference.get(MITIGATIONS));
    for (const rpc of [10, 1000]) {
      expect({ rpc, calls: results[100]![rpc]!.calls }).toEqual({ rpc, calls: results[1000]![rpc]!.calls });
      expect(results[10]![rpc]!.calls).toBeGreaterThan(results[100]![rpc]!.calls);
    }
    // One slice of every incident: about one call per 100 rows, not one per incident.
    expect(results[100]![1000]!.calls).toBeLessThanOrEqual(Math.ceil((2 * reference.get(MITIGATIONS)!.length) / 100));
    expect(results[100]![1000]!.calls).toBeLessThan(results[100]![10]!.calls);
  }, 60_000);
});

describe('changes over time', () => {
  test("an ATO incident's record carries account_takeover, and its IOC rows include its logon IPs", () => {
    const incident = reference.get(INCIDENTS)!.map((j) => JSON.parse(j)).find((d) => d.incident_id === atoId);
    expect(incident.account_takeover).toEqual(expect.any(Object));
    const ips = reference.get(IOCS)!.map((j) => JSON.parse(j)).filter((d) => d.incident_id === atoId && d.ioc_type === 'login_ip');
    expect(ips.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(incident.account_takeover)).toContain(ips[0].value);
  });

  test('a reclassified incident re-emits its IOC rows (and its record) with the new classification', async () => {
    const first = await read([INCIDENTS, IOCS]);
    const target = sim.incidentIds()[3]!;
    const before = rows(first.result, IOCS).filter((d) => d.incident_id === target);
    expect(before.length).toBeGreaterThan(0);
    const next = before[0]!.classification === 'Spam' ? 'False Positive' : 'Spam';
    sim.reclassify(target, next);
    await sleep(SERVER_MARGIN_MS);
    const second = await read([INCIDENTS, IOCS], { state: stateOf(first.result) });
    expect(second.result.code).toBe(0);
    const now = sim.details(target)!.classification;
    expect(now).not.toBe(before[0]!.classification);
    const again = rows(second.result, IOCS).filter((d) => d.incident_id === target);
    expect(again.map((d) => [d.ioc_type, d.value]).sort()).toEqual(before.map((d) => [d.ioc_type, d.value]).sort());
    expect(new Set(again.map((d) => d.classification))).toEqual(new Set([now]));
    expect(rows(second.result, INCIDENTS).map((d) => [d.incident_id, d.classification])).toEqual([[target, now]]);
    // Only the reclassified incident comes again.
    expect(new Set(rows(second.result, IOCS).map((d) => d.incident_id))).toEqual(new Set([target]));
  });

  test('a table added later (state for incidents only) reads its rows from the start date; incidents get only the new ones', async () => {
    const first = await read([INCIDENTS]);
    const added = sim.addIncidents([{}, {}]);
    await sleep(SERVER_MARGIN_MS);
    const state = stateOf(first.result);
    expect((state as Message[]).map((s) => s.stream.stream_descriptor.name)).toEqual([INCIDENTS]);
    const second = await read([INCIDENTS, IOCS], { state });
    expect(second.result.code).toBe(0);
    expect(rows(second.result, INCIDENTS).map((d) => d.incident_id).sort()).toEqual([...added].sort());
    // Every incident, old and new, has its IOC rows, exactly as the incidents' records give them.
    const iocIncidents = new Set(rows(second.result, IOCS).map((d) => d.incident_id));
    const old = reference.get(IOCS)!.map((j) => JSON.parse(j));
    for (const row of old) expect(iocIncidents.has(row.incident_id)).toBe(true);
    for (const id of added) expect(iocIncidents.has(id)).toBe(true);
    const oldRows = new Set(old.filter((d) => !added.includes(d.incident_id)).map((d) => JSON.stringify([d.incident_id, d.ioc_type, d.value])));
    const secondOld = rows(second.result, IOCS).filter((d) => !added.includes(d.incident_id as number));
    expect(new Set(secondOld.map((d) => JSON.stringify([d.incident_id, d.ioc_type, d.value])))).toEqual(oldRows);
    // Both tables now have their own state.
    expect(namesOf(second.result.states, (m) => m.state.stream.stream_descriptor.name)).toEqual([IOCS, INCIDENTS].sort());
  });
});

/** The platform's next input state: the last STATE of each stream. */
function stateOf(result: RunResult): unknown[] {
  const last = new Map<string, Message>();
  for (const s of result.states) last.set(s.state.stream.stream_descriptor.name, s.state.stream);
  return [...last.values()].map((stream) => ({ type: 'STREAM', stream }));
}
