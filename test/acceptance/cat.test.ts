/**
 * The Connector Acceptance Tests (CAT), re-created as Jest tests that run the built connector as a
 * process against the simulator over real HTTP. One test per CAT assertion (see
 * ../shared/research/airbyte-connector.md §5.3): spec, connection, discovery, basic read, full
 * refresh, incremental, and the TRACE error on a bogus catalog. Every connector run goes through
 * runChecked(), so every line printed in this file is also validated as an AirbyteMessage against
 * the official protocol schema, with stderr empty and the API key never printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { configFor as simulatorConfig, errorTraces, REPO_ROOT, streamStatuses, type Message, type RunResult } from '../helpers/connector.js';
import { conformance, newAjv, PROTOCOL_SCHEMA_PATH, PROTOCOL_SCHEMA_PRESENT, recordIds, runChecked } from '../helpers/acceptance-protocol.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const STREAM = 'ironscales_incidents';
const EXAMPLE_ID = 123456;
const SEED_EXAMPLE_PATH = resolve(REPO_ROOT, '..', 'shared', 'seed', 'example-incident.json');
const FORBIDDEN_KEYWORDS = ['not', 'anyOf', 'patternProperties', 'prefixItems', 'allOf', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired'];
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

const readRepoJson = (relative: string): Json => JSON.parse(readFileSync(join(REPO_ROOT, relative), 'utf8'));

// ---------------------------------------------------------------------------------------------
// Counting: each cat() test is one CAT-equivalent check.
let catPassed = 0;
let catDeclared = 0;
let catSkipped = 0;

function cat(name: string, fn: () => unknown, timeoutMs?: number): void {
  catDeclared += 1;
  test(
    name,
    async () => {
      await fn();
      catPassed += 1;
    },
    timeoutMs,
  );
}

/** A check that needs the official protocol schema: skipped, with a warning, when it is absent. */
function catNeedingProtocol(name: string, fn: () => unknown, timeoutMs?: number): void {
  if (PROTOCOL_SCHEMA_PRESENT) {
    cat(name, fn, timeoutMs);
  } else {
    catSkipped += 1;
    console.warn(`SKIPPING "${name}": the official Airbyte protocol schema is absent (${PROTOCOL_SCHEMA_PATH}).`);
    test.skip(name, () => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON Schema walking, for the spec and catalog checks.

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Visits every subschema (not the property-name maps themselves) with its JSON pointer. */
function walkSchema(schema: Json, visit: (schema: Record<string, Json>, path: string) => void, path = '#'): void {
  if (!isObject(schema)) return;
  visit(schema, path);
  for (const mapKey of ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']) {
    if (isObject(schema[mapKey])) for (const [name, sub] of Object.entries(schema[mapKey])) walkSchema(sub, visit, `${path}/${mapKey}/${name}`);
  }
  for (const key of ['items', 'additionalProperties', 'additionalItems', 'not', 'if', 'then', 'else', 'contains', 'propertyNames']) {
    if (isObject(schema[key])) walkSchema(schema[key], visit, `${path}/${key}`);
  }
  for (const listKey of ['items', 'oneOf', 'anyOf', 'allOf', 'prefixItems']) {
    if (Array.isArray(schema[listKey])) (schema[listKey] as Json[]).forEach((sub, i) => walkSchema(sub, visit, `${path}/${listKey}/${i}`));
  }
}

function collect(schema: Json, check: (schema: Record<string, Json>, path: string) => string | undefined): string[] {
  const problems: string[] = [];
  walkSchema(schema, (sub, path) => {
    const problem = check(sub, path);
    if (problem) problems.push(problem);
  });
  return problems;
}

const forbiddenKeywords = (schema: Json, forbidden = FORBIDDEN_KEYWORDS) =>
  collect(schema, (sub, path) => {
    const found = forbidden.filter((k) => k in sub);
    return found.length > 0 ? `${path} uses ${found.join(', ')}` : undefined;
  });

const closedObjects = (schema: Json) =>
  collect(schema, (sub, path) => ('additionalProperties' in sub && sub.additionalProperties !== true ? `${path} has additionalProperties ${JSON.stringify(sub.additionalProperties)}` : undefined));

/** CAT's test_property_type_is_not_array: a type is T or [T, "null"], and arrays declare their items as one schema. */
const badTypes = (schema: Json) =>
  collect(schema, (sub, path) => {
    const type = sub.type;
    if (type === undefined) return undefined;
    if (typeof type === 'string') {
      if (!JSON_TYPES.has(type)) return `${path} has unknown type ${type}`;
    } else if (!(Array.isArray(type) && type.length === 2 && type.includes('null') && type.some((t: string) => t !== 'null' && JSON_TYPES.has(t)))) {
      return `${path} has type ${JSON.stringify(type)} (only T or [T, "null"])`;
    }
    const types: string[] = Array.isArray(type) ? type : [type];
    if (types.includes('array') && !isObject(sub.items)) return `${path} is an array without an items schema`;
    return undefined;
  });

/** Microseconds since the epoch of an ISO timestamp with up to 6 fraction digits, exactly. */
function micros(iso: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (!m) throw new Error(`unexpected timestamp ${iso}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number(((m[2] ?? '') + '000000').slice(0, 6));
}

// ---------------------------------------------------------------------------------------------
// The simulator every check runs against: 150 generated incidents, the seed's example incident and
// two incidents without details (records built from the list entry).

const GONE_DATES = ['2025-05-05T05:05:05.505050Z', '2025-05-06T06:06:06.060606Z'];
let sim: Simulator;
let goneIds: number[] = [];
let discovered: Json;

function configFor(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return simulatorConfig(sim, { records_per_checkpoint: 20, request_timeout_seconds: 10, ...extra });
}

/** A configured catalog built from the discovered one, as the platform does. */
function configuredCatalog(mode: 'full_refresh' | 'incremental'): Json {
  return {
    streams: (discovered.streams as Json[]).map((stream) => ({
      stream,
      sync_mode: mode,
      destination_sync_mode: mode === 'incremental' ? 'append_dedup' : 'overwrite',
      cursor_field: stream.default_cursor_field,
      primary_key: stream.source_defined_primary_key,
    })),
  };
}

/** first_reported_date of an incident as the simulator holds it (details, or the date it was added with when it has none). */
function firstReportedOf(id: number): string {
  const fromDetails = sim.details(id)?.first_reported_date as string | undefined;
  const value = fromDetails ?? GONE_DATES[goneIds.indexOf(id)];
  if (!value) throw new Error(`no first_reported_date known for incident ${id}`);
  return value;
}

function streamStateOf(state: Message): Json[] {
  return [{ type: 'STREAM', stream: state.state.stream }];
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 41, incidents: 150, loadExample: true, rateLimit: null, goneRatio: 0, extraFieldRatio: 0 });
  goneIds = sim.addIncidents(GONE_DATES.map((first_reported_date) => ({ first_reported_date, gone: true })));
  const result = await runChecked('discover', { config: configFor() });
  discovered = result.messages.find((m) => m.type === 'CATALOG')?.catalog;
});

afterAll(async () => {
  await sim?.close();
  console.log(
    `CAT-equivalent checks passed: ${catPassed}/${catDeclared}` +
      (catSkipped > 0 ? ` (${catSkipped} skipped: protocol schema absent)` : '') +
      `; protocol conformance: ${conformance.runs} connector runs, ${conformance.lines} stdout lines, ` +
      `${conformance.schemaValidated} validated against the official AirbyteMessage schema.`,
  );
});

// ---------------------------------------------------------------------------------------------
describe('TestSpec', () => {
  let spec: Json;
  let connectionSpecification: Json;

  beforeAll(async () => {
    const result = await runChecked('spec');
    expect(result.code).toBe(0);
    expect(result.messages).toHaveLength(1);
    spec = result.messages[0]!.spec;
    connectionSpecification = spec?.connectionSpecification;
  });

  cat('spec: exactly one SPEC message, protocol_version of major 0', async () => {
    const result = await runChecked('spec');
    expect(result.code).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['SPEC']);
    expect(typeof spec.documentationUrl).toBe('string');
    // The platform compares only the major version: 0.x is accepted; absent means 0.2.0.
    if (spec.protocol_version !== undefined) expect(spec.protocol_version).toMatch(/^0\.\d+\.\d+$/);
  });

  cat('test_match_expected: the spec equals spec.json', () => {
    expect(spec).toEqual(readRepoJson('spec.json'));
  });

  cat('connectionSpecification is a valid draft-07 JSON Schema', () => {
    expect(connectionSpecification.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const ajv = newAjv();
    expect(ajv.validateSchema(connectionSpecification)).toBe(true);
    expect(() => ajv.compile(connectionSpecification)).not.toThrow();
    expect(connectionSpecification.type).toBe('object');
  });

  cat('test_secret_is_properly_marked: every key/token/secret/password/jwt property is airbyte_secret', () => {
    const secretLike: string[] = [];
    const unmarked: string[] = [];
    walkSchema(connectionSpecification, (sub, path) => {
      for (const [name, prop] of Object.entries((sub.properties ?? {}) as Record<string, Json>)) {
        if (!/key|token|secret|password|passwd|jwt|credential/i.test(name)) continue;
        secretLike.push(`${path}/${name}`);
        if (prop?.airbyte_secret !== true) unmarked.push(`${path}/properties/${name}`);
      }
    });
    expect(secretLike.length).toBeGreaterThanOrEqual(1);
    expect(unmarked).toEqual([]);
    expect(connectionSpecification.properties.api_key.airbyte_secret).toBe(true);
  });

  cat('test_forbidden_complex_types: no not/anyOf/allOf/if/then/else/patternProperties/prefixItems/dependent* anywhere', () => {
    expect(forbiddenKeywords(connectionSpecification)).toEqual([]);
  });

  cat('test_additional_properties_is_true: additionalProperties absent or true everywhere', () => {
    expect(closedObjects(connectionSpecification)).toEqual([]);
  });

  cat('test_duplicate_order: no two properties of one level share an order', () => {
    const problems = collect(connectionSpecification, (sub, path) => {
      const orders = Object.values((sub.properties ?? {}) as Record<string, Json>)
        .map((p) => p?.order)
        .filter((o) => o !== undefined);
      const duplicates = orders.filter((o, i) => orders.indexOf(o) !== i);
      return duplicates.length > 0 ? `${path}: duplicate order ${duplicates.join(', ')}` : undefined;
    });
    expect(problems).toEqual([]);
  });

  cat('test_property_type_is_not_array / test_array_type: types are T or [T, "null"], arrays have an items schema', () => {
    expect(badTypes(connectionSpecification)).toEqual([]);
  });

  cat('test_date_pattern / test_date_format: start_date is a date-time with the documented pattern', () => {
    const startDate = connectionSpecification.properties.start_date;
    expect(startDate.type).toBe('string');
    expect(startDate.format).toBe('date-time');
    expect(startDate.pattern).toBe('^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$');
    // Every date-time field of the spec carries a pattern the UI can check.
    expect(collect(connectionSpecification, (sub, path) => (sub.format === 'date-time' && !sub.pattern ? `${path} has no pattern` : undefined))).toEqual([]);
  });

  cat('test_config_match_spec: the sample config and the test config validate against the spec, an incomplete one does not', () => {
    const validate = newAjv().compile(connectionSpecification);
    for (const config of [readRepoJson('integration_tests/sample_config.json'), configFor()]) {
      expect({ valid: validate(config), errors: validate.errors }).toEqual({ valid: true, errors: null });
    }
    for (const required of connectionSpecification.required as string[]) {
      const incomplete: Record<string, unknown> = configFor();
      delete incomplete[required];
      expect(validate(incomplete)).toBe(false);
    }
    // The spec's required fields are exactly the ones the UI must ask for.
    expect([...connectionSpecification.required].sort()).toEqual(['api_key', 'company_id', 'host']);
  });
});

// ---------------------------------------------------------------------------------------------
describe('TestConnection', () => {
  const connectionStatuses = (result: RunResult) => result.messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus);

  cat('succeed: exactly one CONNECTION_STATUS, SUCCEEDED', async () => {
    const result = await runChecked('check', { config: configFor() });
    expect(result.code).toBe(0);
    expect(connectionStatuses(result)).toEqual([{ status: 'SUCCEEDED' }]);
    expect(errorTraces(result)).toHaveLength(0);
  });

  cat('failed: the invalid config (a key IRONSCALES does not know) gives exactly one CONNECTION_STATUS, FAILED', async () => {
    const invalid = { ...readRepoJson('integration_tests/invalid_config.json'), host: sim.url, company_id: sim.companyId };
    const result = await runChecked('check', { config: invalid });
    expect(result.code).toBe(0);
    const statuses = connectionStatuses(result);
    expect(statuses).toHaveLength(1);
    expect(statuses[0].status).toBe('FAILED');
    expect(statuses[0].message).toMatch(/API key/);
  });

  // Every problem with a readable config is, by design, a CONNECTION_STATUS FAILED (the user fixes it
  // in the UI). The only "exception" left is a broken invocation: the platform calling check
  // without --config. CAT expects exactly one TRACE with a non-empty error message.
  cat('exception: check invoked without --config gives exactly one TRACE ERROR with a message, no CONNECTION_STATUS', async () => {
    const result = await runChecked('check');
    expect(result.code).not.toBe(0);
    expect(result.traces).toHaveLength(1);
    expect(result.traces[0]!.trace.type).toBe('ERROR');
    expect(result.traces[0]!.trace.error.message).toMatch(/--config/);
    expect(connectionStatuses(result)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('TestDiscovery', () => {
  const stream = () => (discovered.streams as Json[])[0];

  cat('test_discover: exactly one CATALOG, at least one stream, unique names', async () => {
    const result = await runChecked('discover', { config: configFor() });
    expect(result.code).toBe(0);
    const catalogs = result.messages.filter((m) => m.type === 'CATALOG');
    expect(catalogs).toHaveLength(1);
    const names = (catalogs[0]!.catalog.streams as Json[]).map((s) => s.name);
    expect(names.length).toBeGreaterThanOrEqual(1);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([STREAM]);
  });

  cat('test_streams_have_valid_json_schemas: every json_schema is valid draft-07', () => {
    for (const s of discovered.streams as Json[]) {
      const ajv = newAjv();
      expect(ajv.validateSchema(s.json_schema)).toBe(true);
      expect(() => ajv.compile(s.json_schema)).not.toThrow();
      expect(s.json_schema.type).toBe('object');
    }
  });

  cat('test_defined_cursors_exist_in_schema / test_primary_keys_exist_in_schema: both are top-level properties', () => {
    for (const s of discovered.streams as Json[]) {
      expect(s.default_cursor_field).toHaveLength(1);
      expect(Object.keys(s.json_schema.properties)).toContain(s.default_cursor_field[0]);
      expect(s.source_defined_primary_key.length).toBeGreaterThanOrEqual(1);
      for (const path of s.source_defined_primary_key as string[][]) {
        expect(path).toHaveLength(1);
        expect(Object.keys(s.json_schema.properties)).toContain(path[0]);
      }
    }
    expect(stream().default_cursor_field).toEqual(['first_reported_date']);
    expect(stream().source_defined_primary_key).toEqual([['incident_id']]);
  });

  cat('test_primary_keys_data_type: primary keys are neither object nor array', () => {
    for (const s of discovered.streams as Json[]) {
      for (const [key] of s.source_defined_primary_key as string[][]) {
        const type = s.json_schema.properties[key!].type;
        const types: string[] = Array.isArray(type) ? type : [type];
        expect(types.some((t) => t === 'object' || t === 'array')).toBe(false);
        expect(types.filter((t) => t !== 'null').length).toBe(1);
      }
    }
  });

  cat('test_defined_keyword_exist_in_schema / test_additional_properties_is_true: no allOf/not, additionalProperties never false', () => {
    for (const s of discovered.streams as Json[]) {
      expect(forbiddenKeywords(s.json_schema, ['allOf', 'not'])).toEqual([]);
      expect(closedObjects(s.json_schema)).toEqual([]);
      expect(badTypes(s.json_schema)).toEqual([]);
    }
  });

  cat('test_streams_has_sync_modes: supported_sync_modes non-empty and known', () => {
    for (const s of discovered.streams as Json[]) {
      expect(s.supported_sync_modes.length).toBeGreaterThanOrEqual(1);
      for (const mode of s.supported_sync_modes) expect(['full_refresh', 'incremental']).toContain(mode);
    }
  });

  cat('resumability: is_resumable true, with a source-defined cursor for incremental', () => {
    for (const s of discovered.streams as Json[]) {
      expect(s.is_resumable).toBe(true);
      expect(s.source_defined_cursor).toBe(true);
      expect(s.supported_sync_modes).toContain('incremental');
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('TestBasicRead', () => {
  let read: RunResult;
  let startedAt = 0;
  let endedAt = 0;

  beforeAll(async () => {
    startedAt = Date.now();
    read = await runChecked('read', { config: configFor(), catalog: configuredCatalog('incremental') });
    endedAt = Date.now();
  });

  cat('test_read: at least one record, exit 0, no error', () => {
    expect(read.code).toBe(0);
    expect(errorTraces(read)).toHaveLength(0);
    expect(read.records.length).toBeGreaterThanOrEqual(1);
  });

  cat('validate_schema: every record validates against the discovered schema (and has no column outside it: fail_on_extra_columns)', () => {
    const byStream = new Map<string, { open: ReturnType<ReturnType<typeof newAjv>['compile']>; strict: ReturnType<ReturnType<typeof newAjv>['compile']> }>();
    for (const s of discovered.streams as Json[]) {
      const ajv = newAjv();
      // CAT's fail_on_extra_columns (default true) closes the top level of the schema.
      byStream.set(s.name, { open: ajv.compile(s.json_schema), strict: newAjv().compile({ ...s.json_schema, additionalProperties: false }) });
    }
    const failures: string[] = [];
    for (const r of read.records) {
      const v = byStream.get(r.record.stream)!;
      if (!v.open(r.record.data)) failures.push(`${r.record.data.incident_id}: ${JSON.stringify(v.open.errors?.slice(0, 3))}`);
      if (!v.strict(r.record.data)) failures.push(`${r.record.data.incident_id} (extra columns): ${JSON.stringify(v.strict.errors?.slice(0, 3))}`);
    }
    expect(failures).toEqual([]);
    // Records built from a list entry (details 404/410) are among those validated.
    expect(read.records.filter((r) => r.record.data.details_unavailable).map((r) => r.record.data.incident_id).sort()).toEqual([...goneIds].sort());
  });

  cat('every RECORD belongs to a stream of the configured catalog', () => {
    const names = new Set((discovered.streams as Json[]).map((s) => s.name));
    for (const r of read.records) {
      expect(names.has(r.record.stream)).toBe(true);
      expect(r.record.namespace).toBeUndefined();
    }
  });

  cat('emitted_at is an integer number of milliseconds at the time of the read', () => {
    for (const r of read.records) {
      expect(Number.isInteger(r.record.emitted_at)).toBe(true);
      expect(r.record.emitted_at).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(r.record.emitted_at).toBeLessThanOrEqual(endedAt + 1000);
    }
  });

  cat('primary key: never null, never an object or array, unique within one read', () => {
    const ids = recordIds(read);
    for (const id of ids) expect(Number.isInteger(id)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  cat('validate_stream_statuses: STARTED, RUNNING…, COMPLETE (at least 3)', () => {
    const statuses = streamStatuses(read);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(statuses[0]).toBe('STARTED');
    expect(statuses.at(-1)).toBe('COMPLETE');
    expect(statuses.slice(1, -1).length).toBeGreaterThanOrEqual(1);
    expect(statuses.slice(1, -1).every((s) => s === 'RUNNING')).toBe(true);
    for (const t of read.traces.filter((m) => m.trace.type === 'STREAM_STATUS')) expect(t.trace.stream_status.stream_descriptor.name).toBe(STREAM);
    // No record before STARTED/RUNNING or after COMPLETE.
    const types = read.messages.map((m) => (m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' ? m.trace.stream_status.status : m.type));
    expect(types.indexOf('RECORD')).toBeGreaterThan(types.indexOf('RUNNING'));
    expect(types.lastIndexOf('RECORD')).toBeLessThan(types.lastIndexOf('COMPLETE'));
  });

  cat('validate_state_messages: ≥1 STATE, all STREAM (no LEGACY), sourceStats.recordCount = records since the previous STATE', () => {
    expect(read.states.length).toBeGreaterThanOrEqual(1);
    let since = 0;
    for (const m of read.messages) {
      if (m.type === 'RECORD') since += 1;
      if (m.type !== 'STATE') continue;
      expect(m.state.type).toBe('STREAM');
      expect(m.state.data).toBeUndefined();
      expect(m.state.global).toBeUndefined();
      expect(m.state.stream.stream_descriptor.name).toBe(STREAM);
      expect(m.state.sourceStats.recordCount).toBe(since);
      since = 0;
    }
    // Every record is covered by a STATE (nothing left uncommitted at the end of a successful read).
    expect(since).toBe(0);
    // With records_per_checkpoint 20 a 150-incident backfill checkpoints many times.
    expect(read.states.length).toBeGreaterThanOrEqual(5);
  });

  cat('no two consecutive identical STATEs without a record in between', () => {
    let previous: string | undefined;
    let recordsSince = 0;
    for (const m of read.messages) {
      if (m.type === 'RECORD') recordsSince += 1;
      if (m.type !== 'STATE') continue;
      const serialized = JSON.stringify(m.state.stream);
      if (previous !== undefined && recordsSince === 0) expect(serialized).not.toBe(previous);
      previous = serialized;
      recordsSince = 0;
    }
  });

  cat('expect_records: the example incident 123456 is emitted exactly as the seed shows it', () => {
    const example = read.records.filter((r) => r.record.data.incident_id === EXAMPLE_ID);
    expect(example).toHaveLength(1);
    if (existsSync(SEED_EXAMPLE_PATH)) {
      expect(example[0]!.record.data).toEqual(JSON.parse(readFileSync(SEED_EXAMPLE_PATH, 'utf8')));
    } else {
      console.warn(`${SEED_EXAMPLE_PATH} is absent: comparing incident ${EXAMPLE_ID} with the simulator's details instead.`);
      expect(example[0]!.record.data).toEqual(sim.details(EXAMPLE_ID));
    }
  });

  cat('every incident of the simulator is read, each exactly as its details endpoint serves it', () => {
    expect(new Set(recordIds(read))).toEqual(new Set(sim.incidentIds()));
    for (const r of read.records) {
      const details = sim.details(r.record.data.incident_id);
      if (details !== undefined) expect(r.record.data).toEqual(details);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('TestFullRefresh', () => {
  cat('test_sequential_reads: read 2 is emitted after read 1, and read 1 ⊆ read 2 by primary key', async () => {
    const first = await runChecked('read', { config: configFor(), catalog: configuredCatalog('full_refresh') });
    const second = await runChecked('read', { config: configFor(), catalog: configuredCatalog('full_refresh') });
    for (const r of [first, second]) {
      expect(r.code).toBe(0);
      expect(r.records.length).toBeGreaterThanOrEqual(1);
      expect(streamStatuses(r).at(-1)).toBe('COMPLETE');
    }
    const lastOfFirst = Math.max(...first.records.map((r) => r.record.emitted_at as number));
    const firstOfSecond = Math.min(...second.records.map((r) => r.record.emitted_at as number));
    expect(firstOfSecond).toBeGreaterThan(lastOfFirst);
    const secondIds = new Set(recordIds(second));
    expect(recordIds(first).filter((id) => !secondIds.has(id))).toEqual([]);
    // A full refresh reads everything every time, and its records are identical when nothing changed.
    expect(secondIds.size).toBe(sim.incidentIds().length);
    const firstById = new Map(first.records.map((r) => [r.record.data.incident_id, r.record.data]));
    for (const r of second.records) expect(r.record.data).toEqual(firstById.get(r.record.data.incident_id));
  });
});

// ---------------------------------------------------------------------------------------------
describe('TestIncremental', () => {
  let first: RunResult;

  beforeAll(async () => {
    first = await runChecked('read', { config: configFor(), catalog: configuredCatalog('incremental') });
  });

  cat('test_two_sequential_reads: read 2 with the assembled state yields different (fewer) records', async () => {
    expect(first.code).toBe(0);
    expect(first.records.length).toBeGreaterThanOrEqual(1);
    expect(first.states.length).toBeGreaterThanOrEqual(1);
    // Assemble the per-stream states: the latest STATE of each stream.
    const latest = new Map<string, Message>();
    for (const s of first.states) latest.set(s.state.stream.stream_descriptor.name, s);
    const state = [...latest.values()].flatMap(streamStateOf);
    const second = await runChecked('read', { config: configFor(), catalog: configuredCatalog('incremental'), state });
    expect(second.code).toBe(0);
    expect(second.states.length).toBeGreaterThanOrEqual(1);
    expect(second.records.length).toBeLessThan(first.records.length);
    const secondSet = JSON.stringify(second.records.map((r) => r.record.data).sort((a, b) => a.incident_id - b.incident_id));
    const firstSet = JSON.stringify(first.records.map((r) => r.record.data).sort((a, b) => a.incident_id - b.incident_id));
    expect(secondSet).not.toBe(firstSet);
    // Only what sits on the cursor (inclusive) comes again.
    const cursor = latest.get(STREAM)!.state.stream.stream_state.first_reported_date as string;
    for (const r of second.records) expect(micros(r.record.data.first_reported_date)).toBeGreaterThanOrEqual(micros(cursor));
  });

  cat(
    'test_read_sequential_slices: a read restarted from EVERY intermediate state with recordCount > 0 yields every incident at or after its cursor',
    async () => {
      const checkpoints = first.states.filter((s) => s.state.sourceStats.recordCount > 0);
      expect(checkpoints.length).toBeGreaterThanOrEqual(5);
      const all = sim.incidentIds();
      let restarts = 0;
      for (const checkpoint of checkpoints) {
        const cursor = checkpoint.state.stream.stream_state.first_reported_date as string | undefined;
        const restarted = await runChecked('read', { config: configFor(), catalog: configuredCatalog('incremental'), state: streamStateOf(checkpoint) });
        restarts += 1;
        expect(restarted.code).toBe(0);
        expect(errorTraces(restarted)).toHaveLength(0);
        expect(restarted.states.length).toBeGreaterThanOrEqual(1);
        const got = new Set(recordIds(restarted));
        const expected = all.filter((id) => cursor === undefined || micros(firstReportedOf(id)) >= micros(cursor));
        const missing = expected.filter((id) => !got.has(id));
        expect({ cursor, missing }).toEqual({ cursor, missing: [] });
        // CAT: the restarted read yields at least the expected remaining count, and (past the first checkpoint) fewer than read 1.
        expect(got.size).toBeGreaterThanOrEqual(expected.length);
        expect(got.size).toBeLessThanOrEqual(first.records.length);
      }
      expect(restarts).toBe(checkpoints.length);
    },
    60_000,
  );

  cat('test_state_with_abnormally_large_values: the future state gives no records and at least one STATE', async () => {
    const future = readRepoJson('integration_tests/abnormal_state.json');
    const result = await runChecked('read', { config: configFor(), catalog: configuredCatalog('incremental'), state: future });
    expect(result.code).toBe(0);
    expect(result.records).toHaveLength(0);
    expect(result.states.length).toBeGreaterThanOrEqual(1);
    expect(result.states.at(-1)!.state.stream.stream_state.first_reported_date).toBe(future[0].stream.stream_state.first_reported_date);
    expect(streamStatuses(result).at(-1)).toBe('COMPLETE');
  });
});

// ---------------------------------------------------------------------------------------------
describe('test_airbyte_trace_message_on_failure', () => {
  cat('a bogus catalog (__AIRBYTE__stream_that_does_not_exist, sync_mode INVALID) gives a TRACE ERROR and a non-zero exit', async () => {
    const bogus = {
      streams: [
        {
          stream: { name: '__AIRBYTE__stream_that_does_not_exist', json_schema: { type: 'object', properties: { f1: { type: 'string' } } }, supported_sync_modes: ['full_refresh'] },
          sync_mode: 'INVALID',
          destination_sync_mode: 'INVALID',
        },
      ],
    };
    const result = await runChecked('read', { config: configFor(), catalog: bogus });
    expect(result.code).not.toBe(0);
    const errors = errorTraces(result);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]!.trace.error.message.length).toBeGreaterThan(0);
    expect(result.records).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
describe('protocol conformance', () => {
  catNeedingProtocol('every line printed by every connector run above validated as an AirbyteMessage against the official schema', () => {
    // runChecked() asserted each line; this makes sure the check really ran on a meaningful amount of output.
    expect(conformance.runs).toBeGreaterThanOrEqual(15);
    expect(conformance.schemaValidated).toBe(conformance.lines);
    expect(conformance.lines).toBeGreaterThan(1000);
  });
});
