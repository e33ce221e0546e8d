/**
 * Packaging checks: what Airbyte (registry, platform, acceptance tests) reads besides the code.
 * metadata.yaml against the official schema and Airbyte's extra metadata rules, the Dockerfile's
 * labels / entrypoint / user, and every file under integration_tests/ plus the CAT config.
 *
 * The official metadata schema lives outside the project (../shared/specs/airbyte/metadata/);
 * when that folder is absent the schema assertions are skipped with a warning, everything else runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { DOCUMENTATION_URL, connectionSpecification, parseConfig } from '../src/spec.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA_PATH = resolve(REPO_ROOT, '..', 'shared', 'specs', 'airbyte', 'metadata', 'v0-bundled', 'ConnectorMetadataDefinitionV0.json');
const STREAM = 'ironscales_incidents';
const CURSOR = 'first_reported_date';

// ajv and ajv-formats are CommonJS; under ESM the class / plugin may sit on `.default`.
type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const read = (relative: string): string => readFileSync(join(REPO_ROOT, relative), 'utf8');
const readJson = (relative: string): Json => JSON.parse(read(relative));
const metadata: Json = parseYaml(read('metadata.yaml'));
const pkg: Json = readJson('package.json');

// ---------------------------------------------------------------- Dockerfile parsing

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions in order: comments dropped, backslash continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.startsWith('#')) continue; // comment lines vanish, even inside a continuation
    if (line === '' && pending === '') continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim() });
  }
  if (pending.trim() !== '') throw new Error('Dockerfile ends inside a line continuation');
  return instructions;
}

/** `k=v k2="v 2"` pairs (LABEL, ENV), or the legacy `ENV key value` form. */
function parsePairs(args: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  if (!/^[^\s=]+=/.test(args)) {
    const legacy = /^(\S+)\s+(.*)$/s.exec(args);
    if (legacy) pairs[legacy[1]!] = legacy[2]!;
    return pairs;
  }
  const pattern = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const m of args.matchAll(pattern)) {
    let value = m[2]!;
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (value.startsWith("'")) value = value.slice(1, -1);
    pairs[m[1]!] = value;
  }
  return pairs;
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const lastFrom = dockerfile.map((i) => i.keyword).lastIndexOf('FROM');
/** The final (runtime) stage: what ends up in the image. */
const finalStage = dockerfile.slice(lastFrom);
const finalOf = (keyword: string) => finalStage.filter((i) => i.keyword === keyword);
const labels = Object.assign({}, ...finalOf('LABEL').map((i) => parsePairs(i.args))) as Record<string, string>;
const env = Object.assign({}, ...finalOf('ENV').map((i) => parsePairs(i.args))) as Record<string, string>;

function entrypoint(): string[] {
  const entries = finalOf('ENTRYPOINT');
  expect(entries.length).toBeGreaterThan(0);
  const parsed: unknown = JSON.parse(entries[entries.length - 1]!.args); // exec form only
  expect(Array.isArray(parsed)).toBe(true);
  return parsed as string[];
}

// ---------------------------------------------------------------- the official metadata schema

/** The two Ajv patches from shared/specs/airbyte/README.md, applied to a copy in memory. */
function patchBundledSchema(schema: Json): Json {
  const walk = (node: Json, depth: number): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, depth + 1));
    if (node === null || typeof node !== 'object') return;
    // Patch 3: nested $id/$schema from the per-file YAMLs break $ref resolution.
    if (depth > 0) {
      delete node.$id;
      delete node.$schema;
    }
    // Patch 2: ConnectorMetrics declares `type: ConnectorMetric`, which is no JSON type.
    const jsonTypes = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];
    if (typeof node.type === 'string' && !jsonTypes.includes(node.type)) delete node.type;
    for (const [key, value] of Object.entries(node)) {
      // `properties` maps names to schemas; a property literally named `type` is not a keyword.
      if (key !== 'type' || typeof value === 'object') walk(value, depth + 1);
    }
  };
  const copy = structuredClone(schema);
  walk(copy, 0);
  return copy;
}

const schemaAvailable = existsSync(SCHEMA_PATH);
if (!schemaAvailable) {
  console.warn(
    `packaging.test: the official Airbyte metadata schema is not at ${SCHEMA_PATH}; ` +
      'SKIPPING the metadata.yaml schema validation (all other packaging checks still run).',
  );
}
const withSchema = schemaAvailable ? test : test.skip;

function metadataValidator() {
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(patchBundledSchema(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))));
}

describe('metadata.yaml', () => {
  withSchema('validates against the official ConnectorMetadataDefinitionV0 schema', () => {
    const validate = metadataValidator();
    const ok = validate(metadata);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  withSchema('the schema check can fail: broken copies are rejected', () => {
    const validate = metadataValidator();
    const broken = [
      { ...metadata, data: { ...metadata.data, definitionId: 'not-a-uuid' } },
      { ...metadata, data: { ...metadata.data, releaseStage: 'experimental' } },
      { ...metadata, data: { ...metadata.data, registries: { oss: { enabled: true } } } }, // old key, now unknown
      { ...metadata, data: { ...metadata.data, connectorType: undefined } },
    ].map((m) => JSON.parse(JSON.stringify(m)));
    for (const m of broken) expect(validate(m)).toBe(false);
  });

  test('has the fields Airbyte requires of this connector', () => {
    expect(metadata.metadataSpecVersion).toBe('1.0');
    const d = metadata.data;
    expect(d.connectorType).toBe('source');
    expect(d.connectorSubtype).toBe('api');
    expect(d.dockerRepository).toMatch(/^[a-z0-9._-]+\/source-ironscales$/);
    expect(d.githubIssueLabel).toBe('source-ironscales');
    expect(d.license).toBe(pkg.license);
    expect(d.allowedHosts.hosts).toEqual(expect.arrayContaining(['${host}']));
    expect(Number.isInteger(d.maxSecondsBetweenMessages) && d.maxSecondsBetweenMessages > 0).toBe(true);
    expect(existsSync(join(REPO_ROOT, d.icon))).toBe(true);
  });

  test('tags: every tag is key:value and at least one is language:<lang>', () => {
    const tags: string[] = metadata.data.tags;
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toMatch(/^[^:\s]+:[^:\s]+/);
    expect(tags.filter((t) => /^language:.+/.test(t))).toContain('language:typescript');
  });

  test('definitionId is a UUID', () => {
    expect(metadata.data.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('dockerImageTag equals the package.json version (SemVer)', () => {
    expect(String(metadata.data.dockerImageTag)).toBe(pkg.version);
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('documentationUrl is the one the connector prints in its SPEC, and the page exists here', () => {
    expect(metadata.data.documentationUrl).toBe(DOCUMENTATION_URL);
    const docPath = /\/blob\/[^/]+\/(.+)$/.exec(DOCUMENTATION_URL)?.[1];
    expect(docPath).toBeDefined();
    expect(existsSync(join(REPO_ROOT, docPath!))).toBe(true);
  });

  test('icon.svg is a square SVG', () => {
    const svg = read(metadata.data.icon);
    const viewBox = /viewBox="\s*([\d.-]+)\s+([\d.-]+)\s+([\d.]+)\s+([\d.]+)\s*"/.exec(svg);
    expect(svg).toMatch(/<svg[\s>]/);
    expect(viewBox).not.toBeNull();
    expect(viewBox![3]).toBe(viewBox![4]);
  });
});

describe('Dockerfile', () => {
  test('labels io.airbyte.name / io.airbyte.version equal dockerRepository / dockerImageTag', () => {
    expect(labels['io.airbyte.name']).toBe(metadata.data.dockerRepository);
    expect(labels['io.airbyte.version']).toBe(String(metadata.data.dockerImageTag));
  });

  test('AIRBYTE_ENTRYPOINT equals the ENTRYPOINT, with absolute paths', () => {
    const ep = entrypoint();
    expect(env.AIRBYTE_ENTRYPOINT).toBe(ep.join(' '));
    expect(ep[0]).toMatch(/^\//);
    expect(ep.filter((part) => /\.(m?js)$/.test(part)).every((part) => part.startsWith('/'))).toBe(true);
  });

  test('runs as a non-root user (uid 1000) with a writable /airbyte', () => {
    const users = finalOf('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]!.args.split(':')[0];
    expect(['root', '0', '']).not.toContain(user);
    expect(['1000', 'node']).toContain(user);
    const runs = finalOf('RUN').map((i) => i.args).join('\n');
    expect(runs).toMatch(/mkdir -p \/airbyte/);
    expect(runs).toMatch(/chown (1000|node)(:(1000|node))? \/airbyte/);
  });

  test('multi-stage on a Node LTS base; the runtime stage installs production dependencies only', () => {
    const froms = dockerfile.filter((i) => i.keyword === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^node:(20|22|24)[-.\w]*/);
    const runtimeRuns = finalOf('RUN').map((i) => i.args).join('\n');
    expect(runtimeRuns).toMatch(/npm ci\b.*--omit=dev/);
    expect(finalOf('COPY').some((i) => /--from=\S+\s+\S*dist\S*/.test(i.args))).toBe(true);
    expect(env.NODE_ENV).toBe('production');
  });

  test('the entry script it runs is the one package.json builds', () => {
    const script = entrypoint().find((part) => part.endsWith('.js'));
    expect(script).toBe(`/app/${pkg.bin['source-ironscales']}`);
  });

  test('.dockerignore keeps secrets, node_modules and build output out of the build context', () => {
    const rules = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const allowList = rules.includes('*');
    for (const path of ['secrets', 'node_modules', 'dist', '.git', 'test']) {
      const reIncluded = rules.some((r) => r.replace(/^!\/?/, '').replace(/\/$/, '') === path && r.startsWith('!'));
      expect(reIncluded).toBe(false);
      if (!allowList) expect(rules.map((r) => r.replace(/^\//, '').replace(/\/(\*\*)?$/, ''))).toContain(path);
    }
  });
});

describe('integration_tests/', () => {
  const dir = join(REPO_ROOT, 'integration_tests');

  test('every JSON / JSONL file parses', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'));
    expect(files).toEqual(
      expect.arrayContaining(['configured_catalog.json', 'invalid_config.json', 'sample_config.json', 'sample_state.json', 'abnormal_state.json']),
    );
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      if (file.endsWith('.jsonl')) {
        text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .forEach((line) => expect(() => JSON.parse(line)).not.toThrow());
      } else {
        expect(() => JSON.parse(text)).not.toThrow();
      }
    }
  });

  test(`configured_catalog selects all seven streams; ${STREAM}: incremental on ${CURSOR}, append_dedup on incident_id`, () => {
    const catalog = readJson('integration_tests/configured_catalog.json');
    expect(catalog.streams.map((s: Json) => s.stream.name)).toEqual([
      'ironscales_incidents', 'ironscales_incident_iocs', 'ironscales_mitigations', 'ironscales_mailboxes',
      'ironscales_escalated_emails', 'ironscales_scanback_incidents', 'ironscales_deepfake_events',
    ]);
    for (const s of catalog.streams) {
      // Each in a mode it supports, deduplicated on its own primary key.
      expect(s.stream.supported_sync_modes).toContain(s.sync_mode);
      expect(s.primary_key).toEqual(s.stream.source_defined_primary_key);
    }
    const [configured] = catalog.streams;
    expect(configured.stream.name).toBe(STREAM);
    expect(configured.sync_mode).toBe('incremental');
    expect(configured.cursor_field).toEqual([CURSOR]);
    expect(configured.destination_sync_mode).toBe('append_dedup');
    expect(configured.primary_key).toEqual([['incident_id']]);
    expect(configured.stream.supported_sync_modes).toEqual(expect.arrayContaining(['full_refresh', 'incremental']));
    expect(configured.stream.json_schema.properties).toHaveProperty(CURSOR);
    expect(configured.stream.json_schema.properties).toHaveProperty('incident_id');
  });

  const streamStateOf = (file: string): Json => {
    const state = readJson(file);
    expect(Array.isArray(state)).toBe(true);
    const entry = state.find((s: Json) => s.type === 'STREAM' && s.stream?.stream_descriptor?.name === STREAM);
    expect(entry).toBeDefined();
    for (const s of state) expect(s.type).toBe('STREAM'); // per-stream only, never LEGACY/GLOBAL
    return entry.stream.stream_state;
  };

  test('abnormal_state: a STREAM state whose cursor is far in the future', () => {
    const streamState = streamStateOf('integration_tests/abnormal_state.json');
    const cursor = Date.parse(streamState[CURSOR]);
    expect(Number.isNaN(cursor)).toBe(false);
    const fiftyYears = 50 * 365 * 86_400_000;
    expect(cursor).toBeGreaterThan(Date.now() + fiftyYears);
  });

  test('sample_state: a STREAM state with a past cursor in the connector format (microseconds, Z)', () => {
    const streamState = streamStateOf('integration_tests/sample_state.json');
    for (const key of [CURSOR, 'updated_until']) {
      expect(streamState[key]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(Date.parse(streamState[key])).toBeLessThan(Date.now());
    }
  });

  test('sample_config and invalid_config are well-formed configs the connector accepts', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(connectionSpecification);
    for (const file of ['integration_tests/sample_config.json', 'integration_tests/invalid_config.json']) {
      const config = readJson(file);
      expect({ file, ok: validate(config), errors: validate.errors ?? [] }).toEqual({ file, ok: true, errors: [] });
      expect(() => parseConfig(config)).not.toThrow();
    }
    // invalid_config must fail at IRONSCALES (wrong key), never leave this machine: loopback host.
    const invalid = readJson('integration_tests/invalid_config.json');
    expect(new URL(parseConfig(invalid).baseUrl).hostname).toMatch(/^(127\.0\.0\.1|localhost|\[::1\])$/);
    expect(parseConfig(readJson('integration_tests/sample_config.json')).baseUrl).toBe('https://appapi.ironscales.com');
  });

  const expectedRecords = join(dir, 'expected_records.jsonl');
  (existsSync(expectedRecords) ? test : test.skip)('expected_records.jsonl holds records of every stream, each with its primary key (and cursor, where it has one)', () => {
    const lines = readFileSync(expectedRecords, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    const keys: Record<string, string[]> = {
      ironscales_incidents: ['incident_id', CURSOR],
      ironscales_incident_iocs: ['incident_id', 'ioc_type', 'value', CURSOR],
      ironscales_mitigations: ['mitigationID', CURSOR],
      ironscales_mailboxes: ['id'],
      ironscales_escalated_emails: ['mitigation_id', 'arrival_date'],
      ironscales_scanback_incidents: ['incidentID', 'created'],
      ironscales_deepfake_events: ['event_uuid', 'feed_cursor'],
    };
    expect(new Set(lines.map((line) => line.stream))).toEqual(new Set(Object.keys(keys)));
    for (const line of lines) {
      for (const key of keys[line.stream]!) expect(line.data[key] ?? null).not.toBeNull();
    }
  });
});

describe('acceptance-test-config.yml', () => {
  const cat: Json = parseYaml(read('acceptance-test-config.yml'));

  test('is in the current format (acceptance_tests:, no legacy tests:) and tests the dev image', () => {
    expect(cat.tests).toBeUndefined();
    expect(Object.keys(cat).every((k) => ['connector_image', 'test_strictness_level', 'base_path', 'custom_environment_variables', 'acceptance_tests'].includes(k))).toBe(true);
    expect(cat.connector_image).toBe('source-ironscales:dev');
    const suites = Object.keys(cat.acceptance_tests);
    expect(suites).toEqual(expect.arrayContaining(['spec', 'connection', 'discovery', 'basic_read', 'full_refresh', 'incremental']));
    for (const suite of suites) {
      expect(['spec', 'connection', 'discovery', 'basic_read', 'full_refresh', 'incremental', 'connector_attributes', 'connector_documentation']).toContain(suite);
    }
  });

  test('connection covers succeed (secrets) and failed (invalid_config)', () => {
    const tests = cat.acceptance_tests.connection.tests;
    expect(tests).toEqual(
      expect.arrayContaining([
        { config_path: 'secrets/config.json', status: 'succeed' },
        { config_path: 'integration_tests/invalid_config.json', status: 'failed' },
      ]),
    );
  });

  test('every referenced input exists (secrets/ and the generated expected_records aside) and lives in the repo', () => {
    const paths: string[] = [];
    const collect = (node: Json): void => {
      if (Array.isArray(node)) return node.forEach(collect);
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (typeof value === 'string' && (key.endsWith('_path') || key === 'path')) paths.push(value);
        else collect(value);
      }
    };
    collect(cat.acceptance_tests);
    expect(paths).toEqual(
      expect.arrayContaining(['integration_tests/configured_catalog.json', 'integration_tests/abnormal_state.json', 'integration_tests/expected_records.jsonl']),
    );
    for (const p of paths) {
      expect(resolve(REPO_ROOT, p).startsWith(REPO_ROOT)).toBe(true);
      if (p.startsWith('secrets/') || p.endsWith('expected_records.jsonl') || p === 'spec.json') continue;
      expect({ path: p, exists: existsSync(join(REPO_ROOT, p)) }).toEqual({ path: p, exists: true });
    }
  });

  test('the incremental suite uses the far-future state', () => {
    const [incremental] = cat.acceptance_tests.incremental.tests;
    expect(incremental.future_state.future_state_path).toBe('integration_tests/abnormal_state.json');
    expect(incremental.configured_catalog_path).toBe('integration_tests/configured_catalog.json');
  });
});

describe('docs, changelog, licence', () => {
  const docs = read('docs/ironscales.md');

  test('the user docs describe every config field of the spec', () => {
    for (const field of Object.keys(connectionSpecification.properties)) expect(docs).toContain(`\`${field}\``);
  });

  test('the docs and CHANGELOG.md have an entry for the current version', () => {
    expect(docs).toMatch(new RegExp(`\\|\\s*${pkg.version.replace(/\./g, '\\.')}\\s*\\|`));
    expect(read('CHANGELOG.md')).toContain(pkg.version);
  });

  test('the docs state the same heartbeat limit as metadata.yaml', () => {
    expect(docs).toContain(String(metadata.data.maxSecondsBetweenMessages));
  });

  test('LICENSE is the MIT licence the metadata and package.json declare', () => {
    expect(read('LICENSE')).toMatch(/^MIT License/);
    expect(pkg.license).toBe('MIT');
  });
});
