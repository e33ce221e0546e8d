/**
 * Shared pieces of the CAT-equivalent suites (cat.test.ts: spec, connection, discovery, failure
 * trace; cat-read.test.ts: the reads): the per-file check counter, JSON Schema walking, the
 * configured catalogs the platform and CAT build, and per-stream views of a read.
 */
import type { Message, RunResult } from '../helpers/connector.js';
import { conformance, PROTOCOL_SCHEMA_PATH, PROTOCOL_SCHEMA_PRESENT } from '../helpers/acceptance-protocol.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const STREAMS = [
  'ironscales_incidents', 'ironscales_incident_iocs', 'ironscales_mitigations', 'ironscales_mailboxes',
  'ironscales_escalated_emails', 'ironscales_scanback_incidents', 'ironscales_deepfake_events',
];
export const INCIDENT_TABLES = STREAMS.slice(0, 3);
export const INCREMENTAL_STREAMS = STREAMS.filter((s) => s !== 'ironscales_mailboxes');

/**
 * How each incremental stream's saved position reads: the state's cursor key, the record's cursor
 * field and the id saved among ids_at_cursor (the deepfake feed keeps an integer position instead).
 */
export const POSITIONS: Record<string, { stateKey: string; field: string; idOf: (data: Json) => number }> = {
  ironscales_incidents: { stateKey: 'first_reported_date', field: 'first_reported_date', idOf: (d) => d.incident_id },
  ironscales_incident_iocs: { stateKey: 'first_reported_date', field: 'first_reported_date', idOf: (d) => d.incident_id },
  ironscales_mitigations: { stateKey: 'first_reported_date', field: 'first_reported_date', idOf: (d) => d.incidentID },
  ironscales_escalated_emails: { stateKey: 'arrival_date', field: 'arrival_date', idOf: (d) => d.mitigation_id },
  ironscales_scanback_incidents: { stateKey: 'created', field: 'created', idOf: (d) => d.incidentID },
};
/** How far before its cursor an incremental read of the escalated e-mails looks for late escalations. */
const EMAILS_LOOKBACK_US = 24 * 3_600_000_000;

// ---------------------------------------------------------------------------------------------
// Counting: each cat() test is one CAT-equivalent check (module state: one count per test file).
const counts = { passed: 0, declared: 0, skipped: 0 };

export function cat(name: string, fn: () => unknown, timeoutMs?: number): void {
  counts.declared += 1;
  test(
    name,
    async () => {
      await fn();
      counts.passed += 1;
    },
    timeoutMs,
  );
}

/** A check that needs the official protocol schema: skipped, with a warning, when it is absent. */
export function catNeedingProtocol(name: string, fn: () => unknown, timeoutMs?: number): void {
  if (PROTOCOL_SCHEMA_PRESENT) {
    cat(name, fn, timeoutMs);
  } else {
    counts.skipped += 1;
    console.warn(`SKIPPING "${name}": the official Airbyte protocol schema is absent (${PROTOCOL_SCHEMA_PATH}).`);
    test.skip(name, () => undefined);
  }
}

export function catSummary(): string {
  return (
    `CAT-equivalent checks passed: ${counts.passed}/${counts.declared}` +
    (counts.skipped > 0 ? ` (${counts.skipped} skipped: protocol schema absent)` : '') +
    `; protocol conformance: ${conformance.runs} connector runs, ${conformance.lines} stdout lines, ` +
    `${conformance.schemaValidated} validated against the official AirbyteMessage schema.`
  );
}

// ---------------------------------------------------------------------------------------------
// JSON Schema walking, for the spec and catalog checks.
const FORBIDDEN_KEYWORDS = ['not', 'anyOf', 'patternProperties', 'prefixItems', 'allOf', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired'];
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

export function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Visits every subschema (not the property-name maps themselves) with its JSON pointer. */
export function walkSchema(schema: Json, visit: (schema: Record<string, Json>, path: string) => void, path = '#'): void {
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

export function collect(schema: Json, check: (schema: Record<string, Json>, path: string) => string | undefined): string[] {
  const problems: string[] = [];
  walkSchema(schema, (sub, path) => {
    const problem = check(sub, path);
    if (problem) problems.push(problem);
  });
  return problems;
}

export const forbiddenKeywords = (schema: Json, forbidden = FORBIDDEN_KEYWORDS) =>
  collect(schema, (sub, path) => {
    const found = forbidden.filter((k) => k in sub);
    return found.length > 0 ? `${path} uses ${found.join(', ')}` : undefined;
  });

export const closedObjects = (schema: Json) =>
  collect(schema, (sub, path) => ('additionalProperties' in sub && sub.additionalProperties !== true ? `${path} has additionalProperties ${JSON.stringify(sub.additionalProperties)}` : undefined));

/** CAT's test_property_type_is_not_array: a type is T or [T, "null"], and arrays declare their items as one schema. */
export const badTypes = (schema: Json) =>
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
export function micros(iso: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (!m) throw new Error(`unexpected timestamp ${iso}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number(((m[2] ?? '') + '000000').slice(0, 6));
}

// ---------------------------------------------------------------------------------------------
// Catalogs, as the platform and CAT build them from `discover`.

/**
 * The platform's configured catalog: `mode` for every stream that supports it, else full refresh
 * (the UI offers a stream only the modes it declares).
 */
export function configuredCatalog(discovered: Json, mode: 'full_refresh' | 'incremental'): Json {
  return {
    streams: (discovered.streams as Json[]).map((stream) => {
      const syncMode = (stream.supported_sync_modes as string[]).includes(mode) ? mode : 'full_refresh';
      return {
        stream,
        sync_mode: syncMode,
        destination_sync_mode: syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
        ...(syncMode === 'incremental' ? { cursor_field: stream.default_cursor_field } : {}),
        primary_key: stream.source_defined_primary_key,
      };
    }),
  };
}

/** CAT's incremental_only_catalog: what TestIncremental reads. */
export function incrementalOnly(catalog: Json): Json {
  return { streams: (catalog.streams as Json[]).filter((s) => s.sync_mode === 'incremental') };
}

// ---------------------------------------------------------------------------------------------
// Per-stream views of a read.

export const streamOf = (m: Message): string =>
  m.type === 'RECORD' ? m.record.stream : m.type === 'STATE' ? m.state.stream.stream_descriptor.name : m.trace.stream_status.stream_descriptor.name;

export const recordsOf = (result: RunResult, stream: string): Message[] => result.records.filter((r) => r.record.stream === stream);
export const statesOf = (result: RunResult, stream: string): Message[] => result.states.filter((s) => s.state.stream.stream_descriptor.name === stream);

export function statusesOf(result: RunResult, stream: string): string[] {
  return result.traces
    .filter((t) => t.trace.type === 'STREAM_STATUS' && t.trace.stream_status.stream_descriptor.name === stream)
    .map((t) => t.trace.stream_status.status);
}

/** The primary key value of a record, as one comparable string. */
export function pkOf(primaryKey: string[][], data: Record<string, unknown>): string {
  return JSON.stringify(primaryKey.map((path) => path.reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), data)));
}

/** The state array the platform would pass next: the latest STATE of each stream among `states`. */
export function assembleState(states: Message[]): Json[] {
  const latest = new Map<string, Message>();
  for (const s of states) latest.set(s.state.stream.stream_descriptor.name, s.state.stream);
  return [...latest.values()].map((stream) => ({ type: 'STREAM', stream }));
}

/**
 * Whether a row of an incremental stream is due after a saved position: after the cursor, or at it
 * but not among the ids already emitted there (ids_at_cursor); an escalated e-mail before the cursor
 * (within the day re-read) if its incident is newer than max_incident_id; a deepfake event if its
 * feed position lies past since_id.
 */
export function dueAfter(stream: string, streamState: Json | undefined, data: Json): boolean {
  if (stream === 'ironscales_deepfake_events') return streamState?.since_id === undefined || data.feed_cursor > streamState.since_id;
  const { stateKey, field, idOf } = POSITIONS[stream]!;
  const cursor = streamState?.[stateKey] as string | undefined;
  if (cursor === undefined) return true;
  const a = micros(data[field]);
  const b = micros(cursor);
  if (a > b || (a === b && !((streamState.ids_at_cursor ?? []) as number[]).includes(idOf(data)))) return true;
  const max = streamState.max_incident_id;
  return stream === 'ironscales_escalated_emails' && a < b && a >= b - EMAILS_LOOKBACK_US && (max === undefined || data.incident_id > max);
}
