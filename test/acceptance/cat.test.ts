/**
 * The Connector Acceptance Tests (CAT), re-created as Jest tests that run the built connector as a
 * process against the simulator over real HTTP; this file holds the checks that read no stream:
 * spec, connection, discovery (every stream) and the TRACE error on a bogus catalog. The reads
 * (basic read, full refresh, incremental, for every stream) are in cat-read.test.ts. Every run goes
 * through runChecked(), so every line printed is also validated as an AirbyteMessage against the
 * official protocol schema, with stderr empty and the API key never printed.
 * (../shared/research/airbyte-connector.md §5.3 lists the CAT assertions.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { configFor as simulatorConfig, errorTraces, REPO_ROOT, type RunResult } from '../helpers/connector.js';
import { conformance, newAjv, runChecked } from '../helpers/acceptance-protocol.js';
import { badTypes, cat, catNeedingProtocol, catSummary, closedObjects, collect, forbiddenKeywords, INCREMENTAL_STREAMS, STREAMS, walkSchema, type Json } from './cat-helpers.js';

const readRepoJson = (relative: string): Json => JSON.parse(readFileSync(join(REPO_ROOT, relative), 'utf8'));

let sim: Simulator;
let discovered: Json;

function configFor(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return simulatorConfig(sim, { request_timeout_seconds: 10, ...extra });
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 41, incidents: 20, rateLimit: null });
  const result = await runChecked('discover', { config: configFor() });
  discovered = result.messages.find((m) => m.type === 'CATALOG')?.catalog;
});

afterAll(async () => {
  await sim?.close();
  console.log(catSummary());
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
  const streams = () => discovered.streams as Json[];
  const incremental = () => streams().filter((s) => (s.supported_sync_modes as string[]).includes('incremental'));

  cat('test_discover: exactly one CATALOG, unique names, the seven streams in order', async () => {
    const result = await runChecked('discover', { config: configFor() });
    expect(result.code).toBe(0);
    const catalogs = result.messages.filter((m) => m.type === 'CATALOG');
    expect(catalogs).toHaveLength(1);
    const names = (catalogs[0]!.catalog.streams as Json[]).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(STREAMS);
    expect(catalogs[0]!.catalog).toEqual(discovered);
  });

  cat('test_streams_have_valid_json_schemas: every json_schema is valid draft-07', () => {
    for (const s of streams()) {
      const ajv = newAjv();
      expect({ stream: s.name, valid: ajv.validateSchema(s.json_schema) }).toEqual({ stream: s.name, valid: true });
      expect(() => ajv.compile(s.json_schema)).not.toThrow();
      expect(s.json_schema.type).toBe('object');
    }
  });

  cat('test_defined_cursors_exist_in_schema / test_primary_keys_exist_in_schema: both are top-level properties of every stream', () => {
    for (const s of streams()) {
      const properties = Object.keys(s.json_schema.properties);
      if (s.default_cursor_field !== undefined) {
        expect(s.default_cursor_field).toHaveLength(1);
        expect(properties).toContain(s.default_cursor_field[0]);
        // A cursor every row must carry.
        expect(s.json_schema.required ?? []).toContain(s.default_cursor_field[0]);
      }
      expect(s.source_defined_primary_key.length).toBeGreaterThanOrEqual(1);
      for (const path of s.source_defined_primary_key as string[][]) {
        expect(path).toHaveLength(1);
        expect(properties).toContain(path[0]);
      }
    }
    const keys = Object.fromEntries(streams().map((s) => [s.name, [s.source_defined_primary_key, s.default_cursor_field ?? null]]));
    expect(keys).toEqual({
      ironscales_incidents: [[['incident_id']], ['first_reported_date']],
      ironscales_incident_iocs: [[['incident_id'], ['ioc_type'], ['value']], ['first_reported_date']],
      ironscales_mitigations: [[['mitigationID']], ['first_reported_date']],
      ironscales_mailboxes: [[['id']], null],
      ironscales_escalated_emails: [[['mitigation_id']], ['arrival_date']],
      ironscales_scanback_incidents: [[['incidentID']], ['created']],
      ironscales_deepfake_events: [[['event_uuid']], ['feed_cursor']],
    });
  });

  cat('test_primary_keys_data_type: primary keys are neither object nor array, nor nullable', () => {
    for (const s of streams()) {
      for (const [key] of s.source_defined_primary_key as string[][]) {
        const type = s.json_schema.properties[key!].type;
        const types: string[] = Array.isArray(type) ? type : [type];
        expect(types.some((t) => t === 'object' || t === 'array')).toBe(false);
        expect({ stream: s.name, key, types }).toEqual({ stream: s.name, key, types: types.filter((t) => t !== 'null') });
        expect(types).toHaveLength(1);
      }
    }
  });

  cat('test_defined_keyword_exist_in_schema / test_additional_properties_is_true: no allOf/not, additionalProperties never false', () => {
    for (const s of streams()) {
      expect(forbiddenKeywords(s.json_schema, ['allOf', 'not'])).toEqual([]);
      expect(closedObjects(s.json_schema)).toEqual([]);
      expect(badTypes(s.json_schema)).toEqual([]);
    }
  });

  cat('test_streams_has_sync_modes: supported_sync_modes non-empty and known', () => {
    for (const s of streams()) {
      expect(s.supported_sync_modes.length).toBeGreaterThanOrEqual(1);
      for (const mode of s.supported_sync_modes) expect(['full_refresh', 'incremental']).toContain(mode);
    }
    expect(incremental().map((s) => s.name)).toEqual(INCREMENTAL_STREAMS);
  });

  cat('resumability: incremental streams are resumable with a source-defined cursor; the snapshot stream declares none', () => {
    for (const s of incremental()) {
      expect({ stream: s.name, resumable: s.is_resumable, sourceCursor: s.source_defined_cursor }).toEqual({ stream: s.name, resumable: true, sourceCursor: true });
    }
    const mailboxes = streams().find((s) => s.name === 'ironscales_mailboxes');
    expect(mailboxes.supported_sync_modes).toEqual(['full_refresh']);
    expect(mailboxes.default_cursor_field).toBeUndefined();
    expect(mailboxes.source_defined_cursor).not.toBe(true);
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
    // runChecked() asserted each line; this makes sure the check really ran on every run of this file.
    expect(conformance.runs).toBeGreaterThanOrEqual(8);
    expect(conformance.schemaValidated).toBe(conformance.lines);
    expect(conformance.lines).toBeGreaterThanOrEqual(conformance.runs);
  });
});
