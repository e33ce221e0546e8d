/**
 * The CAT read checks (TestBasicRead, TestFullRefresh, TestIncremental) for EVERY stream, run on
 * the built connector against the simulator over real HTTP. Catalogs are built from `discover` as
 * the platform builds them (incremental where a stream supports it, else full refresh); the
 * incremental checks read CAT's incremental-only catalog. Every run goes through runChecked()
 * (each line a valid AirbyteMessage, stderr empty, no secret printed).
 */
import { expectedIncidentRecord } from '../helpers/records.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { planLink } from '../../simulator/wrapped-links.js';
import { configFor as simulatorConfig, errorTraces, REPO_ROOT, type Message, type RunResult } from '../helpers/connector.js';
import { conformance, newAjv, runChecked } from '../helpers/acceptance-protocol.js';
import {
  assembleState, cat, catNeedingProtocol, catSummary, configuredCatalog, dueAfter, INCIDENT_TABLES, incrementalOnly, INCREMENTAL_STREAMS, isObject, micros, pkOf,
  POSITIONS, recordsOf, statesOf, statusesOf, STREAMS, type Json,
} from './cat-helpers.js';

const EXAMPLE_ID = 123456;
const SEED = 41;
const SEED_EXAMPLE_PATH = resolve(REPO_ROOT, '..', 'shared', 'seed', 'example-incident.json');
const readRepoJson = (relative: string): Json => JSON.parse(readFileSync(join(REPO_ROOT, relative), 'utf8'));

let sim: Simulator;
let discovered: Json;
let primaryKeys: Map<string, string[][]>;
/** An account-takeover incident (ATO details, no email details) and a Teams one (no details at all). */
let atoId = 0;
let teamsId = 0;

const RECORDS_PER_CHECKPOINT = 10;
const configFor = () => simulatorConfig(sim, { records_per_checkpoint: RECORDS_PER_CHECKPOINT, request_timeout_seconds: 10 });
const platformCatalog = (mode: 'full_refresh' | 'incremental') => configuredCatalog(discovered, mode);
const incidentOf = (data: Json): number => data.incident_id ?? data.incidentID;
const pk = (stream: string, data: Json) => pkOf(primaryKeys.get(stream)!, data);
const pks = (result: RunResult, stream: string) => recordsOf(result, stream).map((r) => pk(stream, r.record.data));

beforeAll(async () => {
  // No server-side limits: restarts run three at a time (each connector still paces its e-mails calls).
  sim = await startSimulator({ seed: SEED, incidents: 45, scanbackIncidents: 45, deepfakeEvents: 60, loadExample: true, rateLimit: null, emailsRateLimit: null, goneRatio: 0, extraFieldRatio: 0 });
  [atoId, teamsId] = sim.addIncidents([
    { first_reported_date: '2025-05-05T05:05:05.505050Z', gone: true },
    { first_reported_date: '2025-05-06T06:06:06.060606Z', reportType: 'teams' },
  ]) as [number, number];
  const result = await runChecked('discover', { config: configFor() });
  discovered = result.messages.find((m) => m.type === 'CATALOG')?.catalog;
  primaryKeys = new Map((discovered.streams as Json[]).map((s) => [s.name, s.source_defined_primary_key]));
});

afterAll(async () => {
  await sim?.close();
  console.log(catSummary());
});

/** The value at a path like `reports[0].mail_server.ip` in a record. */
function at(record: Json, path: string): unknown {
  return path
    .split(/\.|(?=\[)/)
    .reduce<unknown>((v, part) => {
      const index = /^\[(\d+)\]$/.exec(part);
      if (index) return Array.isArray(v) ? v[Number(index[1])] : undefined;
      return isObject(v) ? v[part] : undefined;
    }, record);
}

// ---------------------------------------------------------------------------------------------
describe('TestBasicRead', () => {
  let read: RunResult;
  let startedAt = 0;
  let endedAt = 0;

  beforeAll(async () => {
    startedAt = Date.now();
    read = await runChecked('read', { config: configFor(), catalog: platformCatalog('incremental') });
    endedAt = Date.now();
  }, 60_000);

  cat('test_read: exit 0, no error, every configured stream non-empty (no empty_streams declared)', () => {
    expect(read.code).toBe(0);
    expect(errorTraces(read)).toHaveLength(0);
    expect(Object.fromEntries(STREAMS.map((s) => [s, recordsOf(read, s).length > 0]))).toEqual(Object.fromEntries(STREAMS.map((s) => [s, true])));
  });

  /** Records of every stream that fail its discovered schema; `closed` also fails columns the schema does not declare. */
  const schemaFailures = (closed: boolean) => {
    const failures: string[] = [];
    for (const s of discovered.streams as Json[]) {
      const validate = newAjv().compile(closed ? { ...s.json_schema, additionalProperties: false } : s.json_schema);
      for (const r of recordsOf(read, s.name)) {
        if (!validate(r.record.data)) failures.push(`${s.name} ${pk(s.name, r.record.data)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      }
    }
    return failures;
  };

  cat("validate_schema: every record of every stream validates against its stream's discovered schema", () => {
    expect(schemaFailures(false)).toEqual([]);
    // Closed at the top level, the one known gap (below) is the only failure.
    expect(schemaFailures(true).filter((f) => !f.includes('"additionalProperty":"account_takeover"'))).toEqual([]);
    // Records built without email details (account takeover, Teams) are among those validated.
    const incidents = new Map(recordsOf(read, 'ironscales_incidents').map((r) => [r.record.data.incident_id, r.record.data]));
    expect(incidents.get(teamsId)?.details_unavailable).toEqual(expect.any(String));
    expect(incidents.get(atoId)?.account_takeover).toEqual(expect.any(Object));
  });

  // CAT's fail_on_extra_columns (default true; acceptance-test-config.yml turns it off for the
  // simulator's deliberately unknown fields, which this simulator does not generate). A column the
  // schema does not declare gets no column in typed destinations: the ATO details would be lost.
  test('fail_on_extra_columns: no record carries a top-level column its schema does not declare (incidents: account_takeover)', () => {
    expect(schemaFailures(true)).toEqual([]);
  });

  cat('every RECORD names a configured stream, no namespace, emitted_at in integer ms at the time of the read', () => {
    for (const r of read.records) {
      expect(STREAMS).toContain(r.record.stream);
      expect(r.record.namespace).toBeUndefined();
      expect(Number.isInteger(r.record.emitted_at)).toBe(true);
      expect(r.record.emitted_at).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(r.record.emitted_at).toBeLessThanOrEqual(endedAt + 1000);
    }
  });

  cat('primary key: every part present and non-null, never object or array, unique per stream within one read', () => {
    for (const stream of STREAMS) {
      for (const r of recordsOf(read, stream)) {
        for (const [field] of primaryKeys.get(stream)!) {
          const value = r.record.data[field!];
          expect({ stream, field, ok: value !== null && value !== undefined && typeof value !== 'object' }).toEqual({ stream, field, ok: true });
        }
      }
      const keys = pks(read, stream);
      expect({ stream, duplicates: keys.length - new Set(keys).size }).toEqual({ stream, duplicates: 0 });
    }
  });

  cat('cursor: every record of an incremental stream carries its cursor (the incident tables: first_reported_date, equal to its incident’s)', () => {
    const firstReported = new Map(recordsOf(read, 'ironscales_incidents').map((r) => [r.record.data.incident_id, r.record.data.first_reported_date]));
    for (const stream of INCIDENT_TABLES) {
      for (const r of recordsOf(read, stream)) {
        expect(() => micros(r.record.data.first_reported_date)).not.toThrow();
        expect(r.record.data.first_reported_date).toBe(firstReported.get(incidentOf(r.record.data)));
      }
    }
    for (const stream of ['ironscales_escalated_emails', 'ironscales_scanback_incidents']) {
      for (const r of recordsOf(read, stream)) expect(() => micros(r.record.data[POSITIONS[stream]!.field])).not.toThrow();
    }
    // The deepfake feed's position: the page's next_cursor, growing from page to page.
    const feed = recordsOf(read, 'ironscales_deepfake_events').map((r) => r.record.data.feed_cursor);
    expect(feed.every((c) => Number.isSafeInteger(c))).toBe(true);
    expect(feed).toEqual([...feed].sort((a, b) => a - b));
  });

  cat('validate_stream_statuses: per stream STARTED, RUNNING…, COMPLETE; its records only between its RUNNING and its COMPLETE', () => {
    for (const stream of STREAMS) {
      const statuses = statusesOf(read, stream);
      expect({ stream, first: statuses[0], last: statuses.at(-1) }).toEqual({ stream, first: 'STARTED', last: 'COMPLETE' });
      expect(statuses.slice(1, -1).length).toBeGreaterThanOrEqual(1);
      expect(statuses.slice(1, -1).every((s) => s === 'RUNNING')).toBe(true);
      const index = (pred: (m: Message) => boolean, last = false) => (last ? read.messages.length - 1 - [...read.messages].reverse().findIndex(pred) : read.messages.findIndex(pred));
      const status = (s: string) => (m: Message) => m.type === 'TRACE' && m.trace.stream_status?.stream_descriptor.name === stream && m.trace.stream_status.status === s;
      const record = (m: Message) => m.type === 'RECORD' && m.record.stream === stream;
      expect(index(record)).toBeGreaterThan(index(status('RUNNING')));
      expect(index(record, true)).toBeLessThan(index(status('COMPLETE')));
    }
  });

  cat("validate_state_messages: STREAM states naming configured streams, ≥1 per incremental stream, recordCount = that stream's records since its previous STATE", () => {
    // CAT itself asks for at least as many STATEs as configured streams.
    expect(read.states.length).toBeGreaterThanOrEqual(STREAMS.length);
    const since = new Map<string, number>();
    for (const m of read.messages) {
      if (m.type === 'RECORD') since.set(m.record.stream, (since.get(m.record.stream) ?? 0) + 1);
      if (m.type !== 'STATE') continue;
      const stream = m.state.stream.stream_descriptor.name;
      expect(STREAMS).toContain(stream);
      expect(m.state.type).toBe('STREAM');
      expect(m.state.data).toBeUndefined();
      expect(m.state.global).toBeUndefined();
      expect({ stream, recordCount: m.state.sourceStats.recordCount }).toEqual({ stream, recordCount: since.get(stream) ?? 0 });
      since.set(stream, 0);
    }
    // Records per slice: the incident tables count incidents, the e-mails 5 rows per incident, the feed pages of 500.
    const perSlice: Record<string, number> = { ironscales_escalated_emails: 5 * RECORDS_PER_CHECKPOINT, ironscales_deepfake_events: 500 };
    for (const stream of INCREMENTAL_STREAMS) {
      // Every record is covered by a later STATE of its stream, and a backfill checkpoints often.
      expect({ stream, uncovered: since.get(stream) ?? 0 }).toEqual({ stream, uncovered: 0 });
      // A slice keeps an instant's rows together, so it may hold a few more: at least one STATE per two slices' worth.
      const slices = INCIDENT_TABLES.includes(stream) ? 5 : Math.max(1, Math.floor(recordsOf(read, stream).length / (2 * (perSlice[stream] ?? RECORDS_PER_CHECKPOINT))));
      expect({ stream, enough: statesOf(read, stream).length >= slices }).toEqual({ stream, enough: true });
    }
    expect(statesOf(read, 'ironscales_scanback_incidents').length).toBeGreaterThanOrEqual(5);
  });

  // Protocol principle "sources always emit state, regardless of sync mode" (the CDK's
  // FinalStateCursor): without one, the platform never sees the snapshot's recordCount reconciled.
  test('the full-refresh mailboxes stream emits at least one STATE covering its records', () => {
    const states = statesOf(read, 'ironscales_mailboxes');
    expect(states.length).toBeGreaterThanOrEqual(1);
    expect(states.reduce((n, s) => n + s.state.sourceStats.recordCount, 0)).toBe(recordsOf(read, 'ironscales_mailboxes').length);
  });

  cat('no two consecutive identical STATEs of one stream without a record of that stream in between', () => {
    const previous = new Map<string, string>();
    const recordsSince = new Map<string, number>();
    for (const m of read.messages) {
      if (m.type === 'RECORD') recordsSince.set(m.record.stream, (recordsSince.get(m.record.stream) ?? 0) + 1);
      if (m.type !== 'STATE') continue;
      const stream = m.state.stream.stream_descriptor.name;
      const serialized = JSON.stringify(m.state.stream);
      if (previous.has(stream) && !recordsSince.get(stream)) expect(serialized).not.toBe(previous.get(stream));
      previous.set(stream, serialized);
      recordsSince.set(stream, 0);
    }
  });

  cat('expect_records: the example incident 123456 keeps every field of the seed exactly as the seed shows it, plus its list entry', () => {
    const example = recordsOf(read, 'ironscales_incidents').filter((r) => r.record.data.incident_id === EXAMPLE_ID);
    expect(example).toHaveLength(1);
    const expected = existsSync(SEED_EXAMPLE_PATH) ? JSON.parse(readFileSync(SEED_EXAMPLE_PATH, 'utf8')) : sim.details(EXAMPLE_ID);
    expect(example[0]!.record.data).toEqual({ ...expected, list_entry: sim.listEntry(EXAMPLE_ID) });
  });

  cat('incidents: every incident of the simulator once, each exactly as its details endpoint serves it, with its list entry', () => {
    const records = recordsOf(read, 'ironscales_incidents');
    expect(new Set(records.map((r) => r.record.data.incident_id))).toEqual(new Set(sim.incidentIds()));
    for (const r of records) {
      const expected = expectedIncidentRecord(sim, r.record.data.incident_id);
      if (expected !== undefined) expect(r.record.data).toEqual(expected);
    }
  });

  cat('incident_iocs: every row found at its source in its incident record (behind the gateway it names, as the simulator wrapped it), with its classification; the ATO incident gives login_ip rows', () => {
    const incidents = new Map(recordsOf(read, 'ironscales_incidents').map((r) => [r.record.data.incident_id, r.record.data]));
    const wrong: string[] = [];
    let unwrapped = 0;
    for (const { record: { data: row } } of recordsOf(read, 'ironscales_incident_iocs')) {
      const incident = incidents.get(row.incident_id);
      const found = String(at(incident, row.source) ?? '').toLowerCase();
      // A row found behind a gateway is not in the link's text as such: the simulator's plan says what each layer hides.
      const link = /^links\[(\d+)\]\.url$/.exec(row.source);
      const hidden = row.gateway !== null && link !== null
        && planLink(SEED, row.incident_id, Number(link[1])).revealed.some((r) => r.gateway === row.gateway && (row.ioc_type === 'url' ? r.url : r.domain) === row.value);
      if (row.gateway !== null) unwrapped++;
      const atSource = row.gateway === null ? found.includes(String(row.value).toLowerCase()) : hidden;
      if (!incident || !atSource || row.classification !== incident.classification) wrong.push(JSON.stringify(row));
    }
    expect(wrong).toEqual([]);
    expect(unwrapped).toBeGreaterThan(0);
    const withSender = [...incidents.values()].filter((i) => typeof i.sender_email === 'string' && i.sender_email.includes('@')).map((i) => i.incident_id);
    const rowsOf = new Set(recordsOf(read, 'ironscales_incident_iocs').filter((r) => r.record.data.ioc_type === 'sender_email').map((r) => r.record.data.incident_id));
    expect(withSender.filter((id) => !rowsOf.has(id))).toEqual([]);
    const ato = recordsOf(read, 'ironscales_incident_iocs').filter((r) => r.record.data.incident_id === atoId && r.record.data.ioc_type === 'login_ip');
    expect(ato.length).toBeGreaterThanOrEqual(1);
  });

  cat("mitigations: each incident's rows are exactly its affected mailboxes; incidents without details have none", () => {
    const byIncident = new Map<number, number[]>();
    for (const r of recordsOf(read, 'ironscales_mitigations')) byIncident.set(r.record.data.incidentID, [...(byIncident.get(r.record.data.incidentID) ?? []), r.record.data.mitigationID]);
    for (const id of sim.incidentIds()) {
      const affected = ((sim.details(id)?.affected_mailboxes ?? []) as Json[]).map((m) => m.id as number);
      expect({ id, rows: (byIncident.get(id) ?? []).sort((a, b) => a - b) }).toEqual({ id, rows: affected.sort((a, b) => a - b) });
    }
    expect(byIncident.has(atoId) || byIncident.has(teamsId)).toBe(false);
  });

  cat('mailboxes: every mailbox of the company once', () => {
    const ids = recordsOf(read, 'ironscales_mailboxes').map((r) => r.record.data.id);
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
  });

  cat('escalated_emails: every row IRONSCALES serves once, exactly as served; each of an incident’s affected mailboxes', () => {
    const rows = recordsOf(read, 'ironscales_escalated_emails').map((r) => r.record.data);
    const byKey = (list: Json[]) => new Map(list.map((d) => [d.mitigation_id, d]));
    expect(byKey(rows)).toEqual(byKey(sim.escalatedEmails()));
    expect(rows).toHaveLength(sim.escalatedEmails().length);
    const mitigations = new Set(recordsOf(read, 'ironscales_mitigations').map((r) => r.record.data.mitigationID));
    expect(rows.filter((d) => !d.is_scanback && !mitigations.has(d.mitigation_id))).toEqual([]);
    expect(rows.some((d) => d.is_scanback)).toBe(true);
  });

  cat('scanback_incidents: every scanback incident once, exactly as the scanback list serves it', () => {
    const rows = recordsOf(read, 'ironscales_scanback_incidents').map((r) => r.record.data);
    expect(rows.map((d) => d.incidentID).sort()).toEqual(sim.scanbackIncidentIds().sort());
    for (const d of rows) expect(d).toEqual(sim.scanbackEntry(d.incidentID));
  });

  cat('deepfake_events: every event of the feed once, in feed order, exactly as served plus its feed_cursor', () => {
    const rows = recordsOf(read, 'ironscales_deepfake_events').map((r) => r.record.data);
    expect(rows.map(({ feed_cursor: _, ...event }) => event)).toEqual(sim.deepfakeEvents());
  });
});

// ---------------------------------------------------------------------------------------------
describe('TestFullRefresh', () => {
  cat('test_sequential_reads (every stream in full refresh): read 2 emitted after read 1, read 1 ⊆ read 2 by primary key, same data', async () => {
    const catalog = platformCatalog('full_refresh');
    expect((catalog.streams as Json[]).map((s) => s.sync_mode)).toEqual(STREAMS.map(() => 'full_refresh'));
    const first = await runChecked('read', { config: configFor(), catalog });
    const second = await runChecked('read', { config: configFor(), catalog });
    for (const r of [first, second]) {
      expect(r.code).toBe(0);
      for (const stream of STREAMS) expect({ stream, last: statusesOf(r, stream).at(-1), some: recordsOf(r, stream).length > 0 }).toEqual({ stream, last: 'COMPLETE', some: true });
    }
    expect(Math.min(...second.records.map((r) => r.record.emitted_at))).toBeGreaterThan(Math.max(...first.records.map((r) => r.record.emitted_at)));
    for (const stream of STREAMS) {
      const secondByPk = new Map(recordsOf(second, stream).map((r) => [pk(stream, r.record.data), r.record.data]));
      const missing = pks(first, stream).filter((k) => !secondByPk.has(k));
      expect({ stream, missing }).toEqual({ stream, missing: [] });
      // Nothing changed between the reads: the same rows, identical.
      expect(secondByPk.size).toBe(recordsOf(first, stream).length);
      for (const r of recordsOf(first, stream)) expect(secondByPk.get(pk(stream, r.record.data))).toEqual(r.record.data);
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
describe('TestIncremental', () => {
  let first: RunResult;
  const catalog = () => incrementalOnly(platformCatalog('incremental'));

  beforeAll(async () => {
    first = await runChecked('read', { config: configFor(), catalog: catalog() });
  }, 60_000);

  /** Per stream, the primary keys `first` holds that are due after the stream's saved position in `state`. */
  const dueKeys = (state: Json[], stream: string) => {
    const saved = state.find((s) => s.stream.stream_descriptor.name === stream)?.stream.stream_state;
    return recordsOf(first, stream).filter((r) => dueAfter(stream, saved, r.record.data)).map((r) => pk(stream, r.record.data));
  };

  cat('test_two_sequential_reads: read 2 with the assembled per-stream state yields fewer records of every stream, none before its cursor', async () => {
    expect((catalog().streams as Json[]).map((s) => s.stream.name)).toEqual(INCREMENTAL_STREAMS);
    expect(first.code).toBe(0);
    const state = assembleState(first.states);
    expect(state.map((s) => s.stream.stream_descriptor.name).sort()).toEqual([...INCREMENTAL_STREAMS].sort());
    const second = await runChecked('read', { config: configFor(), catalog: catalog(), state });
    expect(second.code).toBe(0);
    for (const stream of INCREMENTAL_STREAMS) {
      expect(statesOf(second, stream).length).toBeGreaterThanOrEqual(1);
      expect(recordsOf(second, stream).length).toBeLessThan(recordsOf(first, stream).length);
      expect(pks(second, stream).sort()).toEqual(dueKeys(state, stream).sort());
    }
  });

  cat(
    "test_read_sequential_slices: restarted from EVERY intermediate state (recordCount > 0, with every stream's state so far), each stream yields exactly its rows due after its position",
    async () => {
      const points: Json[][] = [];
      first.states.forEach((s, i) => {
        if (s.state.sourceStats.recordCount > 0) points.push(assembleState(first.states.slice(0, i + 1)));
      });
      // Every stream checkpoints several times with records: positions of all three streams are tried.
      expect(points.length).toBeGreaterThanOrEqual(3 * 4);
      // Three restarts at a time: the connector waits on HTTP more than it computes.
      const runs: Array<{ state: Json[]; result: RunResult }> = [];
      for (let i = 0; i < points.length; i += 3) {
        runs.push(...(await Promise.all(points.slice(i, i + 3).map(async (state) => ({ state, result: await runChecked('read', { config: configFor(), catalog: catalog(), state }) })))));
      }
      for (const { state, result } of runs) {
        expect(result.code).toBe(0);
        expect(errorTraces(result)).toHaveLength(0);
        for (const stream of INCREMENTAL_STREAMS) {
          const got = new Set(pks(result, stream));
          const due = dueKeys(state, stream);
          expect({ stream, state: JSON.stringify(state), missing: due.filter((k) => !got.has(k)), extra: got.size - due.length }).toEqual({ stream, state: JSON.stringify(state), missing: [], extra: 0 });
        }
      }
    },
    120_000,
  );

  cat('test_state_with_abnormally_large_values: a future state for every incremental stream gives no records, a STATE per stream, cursors kept', async () => {
    const future = readRepoJson('integration_tests/abnormal_state.json');
    expect(future.map((s: Json) => s.stream.stream_descriptor.name)).toEqual(INCREMENTAL_STREAMS);
    const result = await runChecked('read', { config: configFor(), catalog: catalog(), state: future });
    expect(result.code).toBe(0);
    expect(result.records).toHaveLength(0);
    for (const [i, stream] of INCREMENTAL_STREAMS.entries()) {
      const states = statesOf(result, stream);
      expect(states.length).toBeGreaterThanOrEqual(1);
      const key = POSITIONS[stream]?.stateKey ?? 'since_id';
      expect({ stream, [key]: states.at(-1)!.state.stream.stream_state[key] }).toEqual({ stream, [key]: future[i].stream.stream_state[key] });
      expect(statusesOf(result, stream).at(-1)).toBe('COMPLETE');
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('protocol conformance', () => {
  catNeedingProtocol('every line printed by every connector run above validated as an AirbyteMessage against the official schema', () => {
    // runChecked() asserted each line; this makes sure the check really ran on a meaningful amount of output.
    expect(conformance.runs).toBeGreaterThanOrEqual(15);
    expect(conformance.schemaValidated).toBe(conformance.lines);
    expect(conformance.lines).toBeGreaterThan(5000);
  });
});
