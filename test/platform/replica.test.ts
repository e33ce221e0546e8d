/**
 * The platform replica itself, on hand-made transcripts: a clean one passes, and for EVERY rule
 * of platform-rules.ts a transcript that breaks just that rule is rejected with that rule's id.
 * This is what proves the platform suite fails on purpose when any one rule is broken; the last
 * test checks that no rule was left without such a case, and that README.md lists them all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/connector.js';
import { PLATFORM_RULES, type RuleId } from '../helpers/platform-rules.js';
import { describeViolations, replayAsPlatform, type ConnectorOutput, type Op, type ReplayOptions } from '../helpers/platform-replica.js';
import { configAfterRead, SECRETS_MASK } from '../helpers/platform-config.js';
import { Destination, historyNarrowed } from '../helpers/platform-destination.js';
import { asGlobal, asLegacyObject, asResetStreams, asTypedLegacyList, entriesOf, stateForNextSync } from '../helpers/platform-state.js';

const T = 1764000000000;
const schema = (...fields: string[]) => ({ type: 'object', properties: Object.fromEntries(fields.map((f) => [f, {}])) });
const catalog = {
  streams: [
    { stream: { name: 's', json_schema: schema('id', 'name'), supported_sync_modes: ['incremental'] }, sync_mode: 'incremental', destination_sync_mode: 'append_dedup', primary_key: [['id']] },
    { stream: { name: 'u', json_schema: schema('name', 'a'), supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'append' },
  ],
};

const log = (message: string) => ({ type: 'LOG', log: { level: 'INFO', message } });
const status = (status: string, name = 's') => ({ type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: T, stream_status: { stream_descriptor: { name }, status } } });
const estimate = (e: Record<string, unknown>) => ({ type: 'TRACE', trace: { type: 'ESTIMATE', emitted_at: T, estimate: { name: 's', type: 'STREAM', row_estimate: 2, byte_estimate: 100, ...e } } });
const record = (data: unknown, stream = 's') => ({ type: 'RECORD', record: { stream, data, emitted_at: T } });
const state = (count: number | undefined, name = 's') => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: { cursor: `c${count}` } }, ...(count === undefined ? {} : { sourceStats: { recordCount: count } }) },
});
const error = (failure_type = 'transient_error', emitted_at = T, message = 'API down') => ({ type: 'TRACE', trace: { type: 'ERROR', emitted_at, error: { message, failure_type } } });
const connectionStatus = (status: string, message?: string) => ({ type: 'CONNECTION_STATUS', connectionStatus: { status, ...(message ? { message } : {}) } });

/** A read as the platform wants it. */
const goodRead = () => [log('start'), status('STARTED'), estimate({}), status('RUNNING'), record({ id: 1 }), record({ id: 2 }), state(2), status('COMPLETE')];

function output(lines: unknown[], extra: Partial<ConnectorOutput> = {}): ConnectorOutput {
  const stdout = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
  return { stdout, stderr: '', exitCode: 0, ...extra };
}

const replay = (lines: unknown[], op: Op = 'read', extra: Partial<ConnectorOutput> = {}, options: Partial<ReplayOptions> = {}) =>
  replayAsPlatform(output(lines, extra), { op, catalog, ...options });

const covered = new Set<RuleId>();

/** Expects exactly these rules broken (each at least once), and records them as proven. */
function expectRules(lines: unknown[], rules: RuleId[], op: Op = 'read', extra: Partial<ConnectorOutput> = {}, options: Partial<ReplayOptions> = {}) {
  const report = replay(lines, op, extra, options);
  expect([...new Set(report.violations.map((v) => v.rule))].sort()).toEqual([...rules].sort());
  for (const v of report.violations) expect(v.mirrors).toBe(PLATFORM_RULES[v.rule].mirrors);
  rules.forEach((r) => covered.add(r));
  return report;
}

describe('clean transcripts pass', () => {
  test('a read: zero violations, every RECORD/STATE/TRACE delivered, LOG filtered out', () => {
    const report = replay(goodRead());
    expect(describeViolations(report.violations)).toEqual([]);
    expect(report.failed).toBe(false);
    expect(report.delivered.map((m) => m.type)).toEqual(['TRACE', 'TRACE', 'TRACE', 'RECORD', 'RECORD', 'STATE', 'TRACE']);
  });

  test('spec, check and discover with their one result', () => {
    expect(replay([{ type: 'SPEC', spec: { connectionSpecification: {}, documentationUrl: 'https://docs.example.com/x', protocol_version: '0.5.2' } }], 'spec').violations).toEqual([]);
    expect(replay([{ type: 'SPEC', spec: { connectionSpecification: {} } }], 'spec').violations).toEqual([]); // no version = 0.2.0
    expect(replay([log('x'), { type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: 'bad key' } }], 'check').violations).toEqual([]);
    expect(replay([{ type: 'CATALOG', catalog: { streams: [{ name: 's', json_schema: {}, supported_sync_modes: ['full_refresh'] }] } }], 'discover').violations).toEqual([]);
  });

  test('a failed read that says why: failed, its failure reported, no violation', () => {
    const report = replay([status('STARTED'), record({ id: 1 }), state(1), status('INCOMPLETE'), error()], 'read', { exitCode: 1 });
    expect(report.violations).toEqual([]);
    expect(report.failed).toBe(true);
    expect(report.failures).toEqual([{ failureType: 'transient_error', message: 'API down', timestamp: T }]);
    expect(report.retried).toBe(true);
  });

  test('a SIGKILLed read: its half-written last line is not held against it, nor its silence', () => {
    const lines = goodRead().slice(0, 6).map((l) => JSON.stringify(l));
    const report = replayAsPlatform({ stdout: lines.join('\n') + '\n{"type":"REC', stderr: '', exitCode: null, signal: 'SIGKILL' }, { op: 'read', catalog });
    expect(report.violations).toEqual([]);
    expect(report.exitCode).toBe(1);
    expect(report.failed).toBe(true);
  });

  test('scoping: no primary key is needed outside incremental dedup, an explicit null key passes (Jackson NullNode), COMPLETE is unchecked without refreshes', () => {
    expect(replay([record({ name: 'x' }, 'u'), state(1, 'u')]).violations).toEqual([]);
    expect(replay([record({ id: null, name: 'x' }), state(1)]).violations).toEqual([]);
    expect(replay([status('COMPLETE', 'other')], 'read', {}, { destinationSupportsRefreshes: false }).violations).toEqual([]);
  });

  test('recordCount is per stream: interleaved streams each count their own records', () => {
    const lines = [record({ id: 1 }), record({ a: 1 }, 'u'), record({ id: 2 }), state(2), record({ a: 2 }, 'u'), state(2, 'u'), state(0)];
    expect(replay(lines).violations).toEqual([]);
  });
});

describe('every rule rejects a transcript that breaks it', () => {
  const [head, ...rest] = goodRead();
  const withLine = (line: unknown) => [head, line, ...rest];

  test.each<[string, unknown[], RuleId[], Op?, Partial<ConnectorOutput>?]>([
    ['a plain-text line on stdout', withLine('Starting sync...'), ['NOT_JSON']],
    ['two messages on one line', withLine(JSON.stringify(log('a')) + JSON.stringify(log('b'))), ['TRAILING_CONTENT']],
    ['a lowercase message type (enums bind exactly)', withLine({ type: 'record', record: { stream: 's', data: { id: 3 }, emitted_at: T } }), ['NOT_AIRBYTE_MESSAGE']],
    ['an object where emitted_at is a number', withLine({ type: 'RECORD', record: { stream: 's', data: { id: 3 }, emitted_at: { ms: T } } }), ['NOT_AIRBYTE_MESSAGE']],
    ['an unknown failure_type', withLine({ type: 'TRACE', trace: { type: 'ERROR', emitted_at: T, error: { message: 'x', failure_type: 'fatal' } } }), ['NOT_AIRBYTE_MESSAGE']],
    ['a JSON value that is not an object', withLine('[1,2]'), ['NOT_AIRBYTE_MESSAGE']],
    ['a documentationUrl java.net.URI refuses', [{ type: 'SPEC', spec: { connectionSpecification: {}, documentationUrl: 'https://x/a b' } }], ['NOT_AIRBYTE_MESSAGE', 'NO_RESULT'], 'spec'],
    ['a message without type', withLine({ record: { stream: 's', data: { id: 3 }, emitted_at: T } }), ['TYPE_MISSING']],
    ['a RECORD with empty data', withLine(record({})), ['RECORD_INCOMPLETE']],
    ['a RECORD with scalar data', withLine(record('x')), ['RECORD_INCOMPLETE']],
    ['a RECORD without stream', withLine({ type: 'RECORD', record: { data: { id: 3 }, emitted_at: T } }), ['RECORD_INCOMPLETE']],
    ['a RECORD of a stream not in the catalog', withLine(record({ id: 3 }, 'other')), ['RECORD_STREAM_NOT_IN_CATALOG']],
    ['a RECORD whose namespace differs from the catalog', withLine({ type: 'RECORD', record: { stream: 's', namespace: 'n', data: { id: 3 }, emitted_at: T } }), ['RECORD_STREAM_NOT_IN_CATALOG']],
    ['a deduplicated RECORD without its primary key', withLine(record({ name: 'x' })), ['RECORD_PRIMARY_KEY_MISSING']],
    ['a LOG without message', withLine({ type: 'LOG', log: { level: 'INFO' } }), ['LOG_INCOMPLETE']],
    ['a TRACE without emitted_at', withLine({ type: 'TRACE', trace: { type: 'STREAM_STATUS', stream_status: { stream_descriptor: { name: 's' }, status: 'RUNNING' } } }), ['TRACE_INCOMPLETE']],
    ['a CONTROL without emitted_at', withLine({ type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', connectorConfig: { config: {} } } }), ['CONTROL_INCOMPLETE']],
    ['a STATE without state', withLine({ type: 'STATE' }), ['STATE_MISSING']],
    ['a CONNECTION_STATUS without status', [{ type: 'CONNECTION_STATUS', connectionStatus: { message: 'ok' } }], ['RESULT_INCOMPLETE', 'NO_RESULT'], 'check'],
    ['a CATALOG during read', withLine({ type: 'CATALOG', catalog: { streams: [] } }), ['NOT_ACCEPTED_IN_SYNC']],
    ['an ESTIMATE trace without estimate', withLine({ type: 'TRACE', trace: { type: 'ESTIMATE', emitted_at: T } }), ['TRACE_PAYLOAD_MISSING']],
    ['an ERROR trace without error', [...goodRead(), { type: 'TRACE', trace: { type: 'ERROR', emitted_at: T } }], ['TRACE_PAYLOAD_MISSING', 'FAILED_WITHOUT_ERROR_TRACE'], 'read', { exitCode: 1 }],
    ['a stream status without status', withLine({ type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: T, stream_status: { stream_descriptor: { name: 's' } } } }), ['STREAM_STATUS_INCOMPLETE']],
    ['a COMPLETE without stream_descriptor', withLine({ type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: T, stream_status: { status: 'COMPLETE' } } }), ['STREAM_STATUS_INCOMPLETE']],
    ['a COMPLETE for a stream not in the catalog', [...goodRead(), status('COMPLETE', 'other')], ['COMPLETE_FOR_UNKNOWN_STREAM']],
    ['a STREAM estimate without byte_estimate', withLine(estimate({ byte_estimate: undefined })), ['ESTIMATE_INCOMPLETE']],
    ['a STREAM estimate without row_estimate', withLine(estimate({ row_estimate: undefined })), ['ESTIMATE_INCOMPLETE']],
    ['a SYNC estimate without byte_estimate', [head, estimate({ type: 'SYNC', byte_estimate: undefined })], ['ESTIMATE_INCOMPLETE']],
    ['STREAM and SYNC estimates in one sync', [...goodRead(), estimate({ type: 'SYNC' })], ['ESTIMATE_MIXED']],
    ['a LEGACY state', withLine({ type: 'STATE', state: { type: 'LEGACY', data: { s: {} } } }), ['STATE_NOT_STREAM_OR_GLOBAL']],
    ['an untyped state', withLine({ type: 'STATE', state: { data: { s: {} } } }), ['STATE_NOT_STREAM_OR_GLOBAL']],
    ['a STREAM state without stream', withLine({ type: 'STATE', state: { type: 'STREAM', sourceStats: { recordCount: 0 } } }), ['STATE_INCOMPLETE']],
    ['a GLOBAL state without stream_states', withLine({ type: 'STATE', state: { type: 'GLOBAL', global: { shared_state: {} } } }), ['STATE_INCOMPLETE']],
    ['sourceStats without recordCount', [record({ id: 1 }), { type: 'STATE', state: { ...state(1).state, sourceStats: {} } }], ['SOURCE_STATS_INCOMPLETE']],
    ['a recordCount that does not match the records since the previous STATE', [record({ id: 1 }), record({ id: 2 }), state(3)], ['SOURCE_STATS_MISMATCH']],
    ['a recordCount that counts another stream too', [record({ id: 1 }), record({ a: 1 }, 'u'), state(2)], ['SOURCE_STATS_MISMATCH']],
    ['stderr output during read', goodRead(), ['STDERR_OUTPUT'], 'read', { stderr: 'TypeError: x is undefined\n    at foo\n' }],
    ['a read that exits 1 without an ERROR trace', goodRead(), ['FAILED_WITHOUT_ERROR_TRACE'], 'read', { exitCode: 1 }],
    ['a check that exits 1 with neither status nor ERROR trace', [log('boom')], ['FAILED_WITHOUT_ERROR_TRACE'], 'check', { exitCode: 1 }],
    ['a spec that exits 0 without SPEC', [log('hello')], ['NO_RESULT'], 'spec'],
    ['two CONNECTION_STATUS messages', [{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } }, { type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED' } }], ['EXTRA_RESULT'], 'check'],
    ['protocol_version 1.0.0', [{ type: 'SPEC', spec: { connectionSpecification: {}, protocol_version: '1.0.0' } }], ['SPEC_PROTOCOL_VERSION'], 'spec'],
    ['a discovered stream without name', [{ type: 'CATALOG', catalog: { streams: [{ json_schema: {}, supported_sync_modes: ['full_refresh'] }] } }], ['CATALOG_STREAM_UNNAMED'], 'discover'],
  ])('%s', (_name, lines, rules, op = 'read', extra = {}) => {
    expectRules(lines, rules, op, extra);
  });

  test('a GLOBAL state is held against the records its streams emitted since their previous STATE', () => {
    const global = (count: number, names: string[]) => ({
      type: 'STATE',
      state: { type: 'GLOBAL', global: { stream_states: names.map((name) => ({ stream_descriptor: { name }, stream_state: {} })) }, sourceStats: { recordCount: count } },
    });
    expect(replay([record({ id: 1 }), record({ a: 1 }, 'u'), global(2, ['s', 'u'])]).violations).toEqual([]);
    // validateGlobalStateChecksum sums the closed bucket of every stream: u's record is not in one until a state names u.
    expectRules([record({ id: 1 }), record({ a: 1 }, 'u'), global(2, ['s'])], ['SOURCE_STATS_MISMATCH']);
  });

  test('a failing rule fails the attempt even when the process exits 0', () => {
    expect(expectRules(withLine(estimate({ byte_estimate: undefined })), ['ESTIMATE_INCOMPLETE']).failed).toBe(true);
    expect(expectRules(withLine('noise'), ['NOT_JSON']).failed).toBe(false);
  });

  describe('the check before a retry', () => {
    test('a FAILED status ends the retries: CONFIG_ERROR, whatever the reason', () => {
      const report = expectRules([connectionStatus('FAILED', 'IRONSCALES API unavailable')], ['CHECK_ENDS_RETRIES'], 'check', {}, { beforeRetry: true });
      expect(report.check).toEqual({ status: 'FAILED', failureType: 'config_error', endsRetries: true });
    });

    test('a transient TRACE with a non-zero exit and no status is retried; so is a bare non-zero exit (SYSTEM_ERROR)', () => {
      const transient = replay([error('transient_error')], 'check', { exitCode: 1 }, { beforeRetry: true });
      expect(transient.violations).toEqual([]);
      expect(transient.check).toEqual({ status: 'FAILED', failureType: 'transient_error', endsRetries: false });
      const bare = replay([log('x')], 'check', { exitCode: 1 }, { beforeRetry: true });
      expect(bare.check).toEqual({ status: 'FAILED', failureType: 'system_error', endsRetries: false });
      // A config_error trace without status ends the retries too.
      expect(expectRules([error('config_error')], ['CHECK_ENDS_RETRIES'], 'check', { exitCode: 1 }, { beforeRetry: true }).check?.endsRetries).toBe(true);
    });

    test('a TRACE beside a CONNECTION_STATUS is ignored: its transient type never reaches the platform', () => {
      const report = expectRules([error('transient_error'), connectionStatus('FAILED', 'API down')], ['CHECK_STATUS_HIDES_TRACE'], 'check', { exitCode: 1 });
      expect(report.check).toEqual({ status: 'FAILED', failureType: 'config_error', endsRetries: true });
      // The CDK's config_error: a TRACE and a FAILED status, exit 0, is consistent.
      expect(replay([error('config_error'), connectionStatus('FAILED', 'bad key')], 'check').violations).toEqual([]);
    });
  });

  describe("the first error's type decides", () => {
    const failedRead = (...errors: unknown[]) => [status('STARTED'), record({ id: 1 }), state(1), status('INCOMPLETE'), ...errors];

    test('a config_error first by emitted_at while a transient one follows: the job is not retried', () => {
      // 0.2.0: mitigations 403 and mailboxes 503 within one millisecond, config error printed first.
      const report = expectRules(failedRead(error('config_error', T, '403'), error('transient_error', T, '503')), ['RETRYABLE_FAILURE_NOT_FIRST'], 'read', { exitCode: 1 });
      expect(report.deciding?.failureType).toBe('config_error');
      expect(report.retried).toBe(false);
    });

    test('sorted by emitted_at, not by position: a deciding transient error printed last but stamped first is retried', () => {
      const report = replay(failedRead(error('config_error', T, '403'), error('transient_error', T - 1, '2 streams did not sync')), 'read', { exitCode: 1 });
      expect(report.violations).toEqual([]);
      expect(report.failures.map((f) => f.message)).toEqual(['2 streams did not sync', '403']);
      expect(report.deciding?.failureType).toBe('transient_error');
      expect(report.retried).toBe(true);
    });

    test('equal emitted_at keeps the printed order (a stable sort); config errors alone end the job, which is right', () => {
      const report = replay(failedRead(error('config_error', T, 'a'), error('config_error', T, 'b')), 'read', { exitCode: 1 });
      expect(report.violations).toEqual([]);
      expect(report.failures.map((f) => f.message)).toEqual(['a', 'b']);
      expect(report.retried).toBe(false);
    });
  });

  describe('field selection', () => {
    test('a top-level field the stream schema does not declare is removed before the destination; nested fields pass whole', () => {
      const report = expectRules([record({ id: 3, name: { deep: 1, deeper: { x: 2 } }, ai_triage: 'x' }), state(1)], ['FIELD_NOT_DECLARED']);
      const delivered = report.delivered.filter((m) => m.type === 'RECORD').map((m) => m.record.data);
      expect(delivered[0]).toEqual({ id: 3, name: { deep: 1, deeper: { x: 2 } } });
    });

    test('record data that is not an object (a non-empty list passes the validator) fails the sync', () => {
      // On the full-refresh stream: a deduplicated one would first drop it for its missing primary key.
      const report = expectRules([record({ id: 1 }), record([1, 2], 'u'), state(1, 'u')], ['RECORD_DATA_NOT_OBJECT']);
      expect(report.failed).toBe(true);
      // The replication stops there: nothing after the exception is processed.
      expect(report.delivered.map((m) => m.type)).toEqual(['RECORD']);
    });

    test('a configured stream without a properties node fails the sync before the first message', () => {
      const bare = { streams: [{ ...catalog.streams[0]!, stream: { ...catalog.streams[0]!.stream, json_schema: { type: 'object' } } }] };
      const report = replayAsPlatform(output(goodRead()), { op: 'read', catalog: bare });
      expect([...new Set(report.violations.map((v) => v.rule))]).toEqual(['SCHEMA_WITHOUT_PROPERTIES']);
      expect(report.failed).toBe(true);
      expect(report.delivered).toEqual([]);
      covered.add('SCHEMA_WITHOUT_PROPERTIES');
    });

    test('properties found as Jackson findPath finds them: the first one depth-first, and $id selects id', () => {
      const odd = { streams: [{ ...catalog.streams[0]!, stream: { ...catalog.streams[0]!.stream, json_schema: { definitions: { properties: { id: {} } }, properties: { id: {}, name: {} } } } }] };
      expect(replayAsPlatform(output([record({ id: 1, name: 'x' }), state(1)]), { op: 'read', catalog: odd }).violations.map((v) => v.rule)).toEqual([]);
      const nested = { streams: [{ ...catalog.streams[0]!, stream: { ...catalog.streams[0]!.stream, json_schema: { items: { properties: { id: {} } } } } }] };
      expect(replayAsPlatform(output([record({ id: 1, name: 'x' }), state(1)]), { op: 'read', catalog: nested }).violations.map((v) => v.rule)).toEqual(['FIELD_NOT_DECLARED']);
      const dollar = { streams: [{ ...catalog.streams[0]!, stream: { ...catalog.streams[0]!.stream, json_schema: { properties: { $id: {} } } } }] };
      expect(replayAsPlatform(output([record({ id: 1 }), state(1)]), { op: 'read', catalog: dollar }).violations).toEqual([]);
    });
  });

  describe('a CONNECTOR_CONFIG control message', () => {
    const spec = {
      type: 'object',
      required: ['host', 'api_key'],
      properties: { host: { type: 'string' }, api_key: { type: 'string', airbyte_secret: true }, start_date: { type: 'string' } },
    };
    const control = (config: Record<string, unknown>) => ({ type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', emitted_at: T, connectorConfig: { config } } });
    const stored = { host: 'h', api_key: 'the-real-key', start_date: 'old' };

    test('replaces the stored config (no merge); a masked secret gets the stored one back', () => {
      const { delivered } = replay([control({ host: 'h', api_key: SECRETS_MASK, start_date: 'new' }), ...goodRead()]);
      expect(configAfterRead(stored, delivered, spec)).toEqual({ config: { host: 'h', api_key: 'the-real-key', start_date: 'new' }, applied: 1, violations: [] });
      // Replaced, not merged: a field the message leaves out is gone.
      expect(configAfterRead(stored, replay([control({ host: 'h', api_key: SECRETS_MASK })]).delivered, spec).config).toEqual({ host: 'h', api_key: 'the-real-key' });
    });

    test('an omitted secret is not restored: the spec refuses the update, the old config stays', () => {
      const update = configAfterRead(stored, replay([control({ host: 'h', start_date: 'new' })]).delivered, spec);
      expect(update.config).toBe(stored);
      expect(update.violations.map((v) => v.rule)).toEqual(['CONTROL_CONFIG_REFUSED']);
      covered.add('CONTROL_CONFIG_REFUSED');
    });
  });

  test('a truncate Refresh that does not bring back every row the destination held narrows its history', () => {
    const destination = new Destination();
    const gen = (generation: number, minimum: number) => ({ streams: [{ ...catalog.streams[0]!, generation_id: generation, minimum_generation_id: minimum }] });
    destination.write(replay([record({ id: 1 }), record({ id: 2 }), record({ id: 3 }), state(3)]), gen(0, 0));
    const before = destination.keys('s', [['id']]);
    // Refresh: generation 1, minimum 1; the source brings back only 2 and 3 (a default start that moved).
    destination.write(replay([record({ id: 2 }), record({ id: 3 }), state(2), status('COMPLETE')]), gen(1, 1));
    const violations = historyNarrowed('s', before, destination.keys('s', [['id']]));
    expect(violations.map((v) => v.rule)).toEqual(['HISTORY_NARROWED']);
    expect(violations[0]!.detail).toMatch(/1 of 3 rows/);
    covered.add('HISTORY_NARROWED');
    // A failed refresh truncates nothing; a merge refresh (minimum 0) keeps the old generation.
    const failed = new Destination();
    failed.write(replay([record({ id: 1 }), state(1)]), gen(0, 0));
    failed.write(replay([record({ id: 2 }), state(1), error()], 'read', { exitCode: 1 }), gen(1, 1));
    expect(historyNarrowed('s', new Set(['[1]']), failed.keys('s', [['id']]))).toEqual([]);
    const merged = new Destination();
    merged.write(replay([record({ id: 1 }), state(1)]), gen(0, 0));
    merged.write(replay([record({ id: 2 }), state(1)]), gen(1, 0));
    expect(historyNarrowed('s', new Set(['[1]']), merged.keys('s', [['id']]))).toEqual([]);
  });

  test('every rule has a rejection case above, and test/platform/README.md lists every rule', () => {
    expect((Object.keys(PLATFORM_RULES) as RuleId[]).filter((r) => !covered.has(r))).toEqual([]);
    const readme = readFileSync(join(REPO_ROOT, 'test', 'platform', 'README.md'), 'utf8');
    expect((Object.keys(PLATFORM_RULES) as RuleId[]).filter((r) => !readme.includes(`\`${r}\``))).toEqual([]);
  });
});

describe('the state the platform hands back', () => {
  const read = output([record({ id: 1 }), state(1), record({ a: 1 }, 'u'), state(1, 'u'), record({ id: 2 }), state(1), { type: 'STATE', state: { type: 'LEGACY', data: {} } }]);

  test('the last accepted STATE of each stream, without sourceStats', () => {
    expect(stateForNextSync(read, catalog)).toEqual([
      { type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: { cursor: 'c1' } } },
      { type: 'STREAM', stream: { stream_descriptor: { name: 'u' }, stream_state: { cursor: 'c1' } } },
    ]);
  });

  test('a source that speaks GLOBAL gets its last GLOBAL back, without sourceStats', () => {
    const global = (cursor: string) => ({
      type: 'STATE',
      state: { type: 'GLOBAL', global: { shared_state: { lsn: cursor }, stream_states: [{ stream_descriptor: { name: 's' }, stream_state: { cursor } }] }, sourceStats: { recordCount: 1 } },
    });
    const handed = stateForNextSync(output([record({ id: 1 }), global('a'), record({ id: 2 }), global('b')]), catalog);
    expect(handed).toEqual([{ type: 'GLOBAL', global: { shared_state: { lsn: 'b' }, stream_states: [{ stream_descriptor: { name: 's' }, stream_state: { cursor: 'b' } }] } }]);
    expect(entriesOf(handed)).toEqual([{ stream_descriptor: { name: 's' }, stream_state: { cursor: 'b' } }]);
  });

  test('rewritten into every shape a connection can hold', () => {
    const entries = entriesOf(stateForNextSync(read, catalog));
    expect(asLegacyObject(entries)).toEqual({ s: { cursor: 'c1' }, u: { cursor: 'c1' } });
    expect(asTypedLegacyList(entries)).toEqual([{ type: 'LEGACY', data: { s: { cursor: 'c1' }, u: { cursor: 'c1' } } }]);
    expect(asGlobal(entries)).toEqual([{ type: 'GLOBAL', global: { stream_states: entries } }]);
    expect(asGlobal(entries, { lsn: 1 })).toEqual([{ type: 'GLOBAL', global: { shared_state: { lsn: 1 }, stream_states: entries } }]);
    expect(asResetStreams(['s'])).toEqual([{ type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: null } }]);
  });
});
