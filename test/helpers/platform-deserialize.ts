/**
 * How the platform turns one stdout line into an AirbyteMessage, mirrored in TypeScript:
 * airbyte-commons Jsons.tryDeserializeExact reads the line with Jackson (MoreMappers.configure:
 * unknown properties ignored, trailing content after the first value ignored) into the v0
 * protocol classes that jsonschema2pojo generates from airbyte_protocol.yaml
 * (airbyte-protocol protocol-models/build.gradle.kts: useLongIntegers, so integers are Long).
 * Any binding error and the line is lost.
 *
 * What matters for a connector, and is mirrored here:
 * - enums bind through the generated @JsonCreator `fromValue`, an exact lookup: "record" is not
 *   "RECORD" (MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS does not reach a creator);
 * - String fields take any scalar (Jackson coerces numbers and booleans to text), never an object;
 * - Long/Double fields take numbers and numeric strings, Boolean fields booleans, "true"/"false"
 *   and integers; objects and lists need the JSON shape (no single-value-as-array);
 * - `format: uri` fields are java.net.URI: spaces and a few characters make them fail;
 * - JsonNode fields (data, stream_state, json_schema, ...) take anything.
 * The bound message comes back with those coercions applied, as the platform would see it.
 */

type Shape = 'string' | 'number' | 'boolean' | 'uri' | 'json' | { enum: readonly string[] } | { object: Fields } | { array: Shape };
type Fields = { [key: string]: Shape };

const descriptor: Shape = { object: { name: 'string', namespace: 'string' } };
const streamState: Shape = { object: { stream_descriptor: descriptor, stream_state: 'json' } };
const stateStats: Shape = { object: { recordCount: 'number', rejectedRecordCount: 'number' } };
const syncModes = ['full_refresh', 'incremental'] as const;
const destinationSyncModes = ['append', 'overwrite', 'append_dedup', 'update', 'soft_delete'] as const;

const record: Shape = {
  object: {
    namespace: 'string',
    stream: 'string',
    data: 'json',
    emitted_at: 'number',
    meta: {
      object: {
        changes: {
          array: {
            object: {
              field: 'string',
              change: { enum: ['NULLED', 'TRUNCATED'] },
              reason: {
                enum: [
                  'SOURCE_RECORD_SIZE_LIMITATION', 'DESTINATION_RECORD_SIZE_LIMITATION', 'PLATFORM_RECORD_SIZE_LIMITATION',
                  'SOURCE_FIELD_SIZE_LIMITATION', 'DESTINATION_FIELD_SIZE_LIMITATION', 'PLATFORM_FIELD_SIZE_LIMITATION',
                  'SOURCE_SERIALIZATION_ERROR', 'DESTINATION_SERIALIZATION_ERROR', 'PLATFORM_SERIALIZATION_ERROR',
                  'SOURCE_RETRIEVAL_ERROR', 'DESTINATION_TYPECAST_ERROR',
                ],
              },
            },
          },
        },
      },
    },
    file_reference: { object: { staging_file_url: 'string', source_file_relative_path: 'string', file_size_bytes: 'number' } },
  },
};

const state: Shape = {
  object: {
    type: { enum: ['GLOBAL', 'STREAM', 'LEGACY'] },
    stream: streamState,
    global: { object: { shared_state: 'json', stream_states: { array: streamState } } },
    data: 'json',
    sourceStats: stateStats,
    destinationStats: stateStats,
  },
};

const trace: Shape = {
  object: {
    type: { enum: ['ERROR', 'ESTIMATE', 'STREAM_STATUS', 'ANALYTICS'] },
    emitted_at: 'number',
    error: {
      object: {
        message: 'string',
        internal_message: 'string',
        stack_trace: 'string',
        failure_type: { enum: ['system_error', 'config_error', 'transient_error'] },
        stream_descriptor: descriptor,
      },
    },
    estimate: {
      object: { name: 'string', type: { enum: ['STREAM', 'SYNC'] }, namespace: 'string', row_estimate: 'number', byte_estimate: 'number' },
    },
    stream_status: {
      object: {
        stream_descriptor: descriptor,
        status: { enum: ['STARTED', 'RUNNING', 'COMPLETE', 'INCOMPLETE'] },
        reasons: { array: { object: { type: { enum: ['RATE_LIMITED'] }, rate_limited: { object: { quota_reset: 'number' } } } } },
      },
    },
    analytics: { object: { type: 'string', value: 'string' } },
  },
};

const airbyteStream: Shape = {
  object: {
    name: 'string',
    json_schema: 'json',
    supported_sync_modes: { array: { enum: syncModes } },
    source_defined_cursor: 'boolean',
    default_cursor_field: { array: 'string' },
    source_defined_primary_key: { array: { array: 'string' } },
    namespace: 'string',
    is_resumable: 'boolean',
    is_file_based: 'boolean',
  },
};

const spec: Shape = {
  object: {
    documentationUrl: 'uri',
    changelogUrl: 'uri',
    connectionSpecification: 'json',
    supportsIncremental: 'boolean',
    supportsNormalization: 'boolean',
    supportsDBT: 'boolean',
    supported_destination_sync_modes: { array: { enum: destinationSyncModes } },
    protocol_version: 'string',
    // authSpecification / advanced_auth: bound too, but this connector has none; left lenient.
    authSpecification: 'json',
    advanced_auth: 'json',
  },
};

const airbyteMessage: Shape = {
  object: {
    type: { enum: ['RECORD', 'STATE', 'LOG', 'SPEC', 'CONNECTION_STATUS', 'CATALOG', 'TRACE', 'CONTROL', 'DESTINATION_CATALOG'] },
    log: { object: { level: { enum: ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] }, message: 'string', stack_trace: 'string' } },
    spec,
    connectionStatus: { object: { status: { enum: ['SUCCEEDED', 'FAILED'] }, message: 'string' } },
    catalog: { object: { streams: { array: airbyteStream } } },
    record,
    state,
    trace,
    control: {
      object: { type: { enum: ['CONNECTOR_CONFIG'] }, emitted_at: 'number', connectorConfig: { object: { config: 'json' } } },
    },
    destination_catalog: { object: { operations: { array: 'json' } } },
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Bound = Record<string, any>;

export type LineResult =
  | { kind: 'message'; message: Bound; trailing: string }
  | { kind: 'not-json' }
  | { kind: 'unbindable'; reason: string };

/** What Jackson makes of one line: a bound message (plus any ignored trailing text), or why not. */
export function deserializeLine(line: string): LineResult {
  const first = firstJsonValue(line);
  if (first === undefined) return { kind: 'not-json' };
  const bound = bind(first.value, airbyteMessage, '$');
  if (!bound.ok) return { kind: 'unbindable', reason: bound.reason };
  return { kind: 'message', message: bound.value as Bound, trailing: first.trailing };
}

/** The first JSON value of the line and what follows it, as Jackson reads it (no trailing-token check). */
function firstJsonValue(line: string): { value: unknown; trailing: string } | undefined {
  const start = line.search(/\S/);
  if (start < 0) return undefined;
  const end = line[start] === '{' || line[start] === '[' ? closingIndex(line, start) : line.length;
  if (end === undefined) return undefined;
  try {
    return { value: JSON.parse(line.slice(start, end)), trailing: line.slice(end).trim() };
  } catch {
    return undefined;
  }
}

/** Index just past the bracket matching the one at `start`, skipping string contents. */
function closingIndex(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

type BindResult = { ok: true; value: unknown } | { ok: false; reason: string };

const NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
// Characters java.net.URI refuses unencoded.
const URI_ILLEGAL = /[\s<>"{}|\\^`]/;

function bind(value: unknown, shape: Shape, path: string): BindResult {
  if (value === null) return { ok: true, value: null };
  const kind = Array.isArray(value) ? 'array' : typeof value;
  const fail = (expected: string): BindResult => ({ ok: false, reason: `${path}: expected ${expected}, got ${kind === 'string' ? JSON.stringify(value) : kind}` });
  if (shape === 'json') return { ok: true, value };
  if (shape === 'string') return kind === 'string' || kind === 'number' || kind === 'boolean' ? { ok: true, value: String(value) } : fail('a string');
  if (shape === 'uri') return kind === 'string' && !URI_ILLEGAL.test(value as string) ? { ok: true, value } : fail('a URI');
  if (shape === 'number') {
    if (kind === 'number') return { ok: true, value };
    if (kind === 'string' && (value === '' || NUMERIC.test(value as string))) return { ok: true, value: value === '' ? null : Number(value) };
    return fail('a number');
  }
  if (shape === 'boolean') {
    if (kind === 'boolean') return { ok: true, value };
    if (kind === 'number' && Number.isInteger(value)) return { ok: true, value: value !== 0 };
    if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
    return fail('a boolean');
  }
  if ('enum' in shape) {
    return kind === 'string' && shape.enum.includes(value as string) ? { ok: true, value } : fail(`one of ${shape.enum.join('|')}`);
  }
  if ('array' in shape) {
    if (kind !== 'array') return fail('an array');
    const out: unknown[] = [];
    for (const [i, item] of (value as unknown[]).entries()) {
      const r = bind(item, shape.array, `${path}[${i}]`);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (kind !== 'object') return fail('an object');
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const fieldShape = shape.object[key];
    if (fieldShape === undefined) {
      out[key] = item; // unknown properties are kept aside (additionalProperties), never an error
      continue;
    }
    const r = bind(item, fieldShape, `${path}.${key}`);
    if (!r.ok) return r;
    out[key] = r.value;
  }
  return { ok: true, value: out };
}
