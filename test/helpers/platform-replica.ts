/**
 * The platform-replica consumer: reads a connector run's stdout/stderr the way the Airbyte
 * platform does for that command and lists every rule the run breaks (see platform-rules.ts for
 * the rule → platform file/function table). Read commands go through the replication path
 * (VersionedAirbyteStreamFactory → LocalContainerAirbyteSource → SourceReader/MessageProcessor);
 * spec/check/discover go through the connector sidecar (ConnectorMessageProcessor).
 */
import type { RunResult } from './connector.js';
import { deserializeLine, type Bound } from './platform-deserialize.js';
import { fieldSelection } from './platform-fields.js';
import { PLATFORM_RULES, violation, type RuleId, type Violation } from './platform-rules.js';
import { SyncModel, type SyncFailure } from './platform-sync.js';
import { validateMessage, type ConfiguredCatalog } from './platform-validate.js';

export type Op = 'spec' | 'check' | 'discover' | 'read';

export interface ConnectorOutput {
  stdout: string;
  stderr: string;
  /** null when the process died from a signal. */
  exitCode: number | null;
  signal?: NodeJS.Signals | null;
}

export interface ReplayOptions {
  op: Op;
  /** The configured catalog handed to `read` (the platform validates records against it). */
  catalog?: unknown;
  /** Destinations that support refreshes make the orchestrator check COMPLETE statuses; default true. */
  destinationSupportsRefreshes?: boolean;
  /** check: the one the platform runs before retrying a failed sync (checkConnectionsWithCommandApi). */
  beforeRetry?: boolean;
}

/** What the platform makes of a check (ConnectorMessageProcessor.setOutput, SyncCheckConnectionResult.buildFailureOutput). */
export interface CheckVerdict {
  status: 'SUCCEEDED' | 'FAILED';
  /** The failure the platform records when the check failed: a FAILED status is always config_error (FailureHelper.checkFailure). */
  failureType?: string;
  /** Before a retry: reportFailure retries anything but CONFIG_ERROR, so only a config_error ends the job. */
  endsRetries: boolean;
}

export interface PlatformReport {
  violations: Violation[];
  /** The messages the platform acts on, in order (LOG and everything dropped removed). */
  delivered: Bound[];
  /** The exit code the platform sees: a process killed by a signal leaves no exitCode.txt, so 1. */
  exitCode: number;
  /** read: the attempt fails; spec/check/discover: no usable result. */
  failed: boolean;
  /** From the ERROR traces, as FailureHelper builds them; for a read, in the order the platform sorts them (by emitted_at, stable). */
  failures: SyncFailure[];
  /** read: the failure whose type decides the job (reportFailure reads failures.first()); without ERROR traces, the SYSTEM_ERROR of the exit code. */
  deciding?: SyncFailure;
  /** read: a failed attempt that the platform retries (within its limits): the deciding failure is not a config_error. */
  retried: boolean;
  /** check: what the platform records. */
  check?: CheckVerdict;
}

/** LocalContainerConstants.ACCEPTED_MESSAGE_TYPES. */
const ACCEPTED_IN_SYNC = new Set(['RECORD', 'STATE', 'TRACE', 'CONTROL']);
const RESULT_TYPE: Record<Exclude<Op, 'read'>, string> = { spec: 'SPEC', check: 'CONNECTION_STATUS', discover: 'CATALOG' };
const FAILING = new Set(
  (Object.keys(PLATFORM_RULES) as RuleId[]).filter((r) => PLATFORM_RULES[r].effect.startsWith('FAILS') || r === 'SOURCE_STATS_MISMATCH'),
);

export function fromRun(result: RunResult): ConnectorOutput {
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.code, signal: result.signal };
}

export function replayAsPlatform(output: ConnectorOutput, options: ReplayOptions): PlatformReport {
  const catalog = options.op === 'read' ? (options.catalog as ConfiguredCatalog | undefined) : undefined;
  const violations: Violation[] = [];
  const delivered: Bound[] = [];
  const lines: Array<{ n: number; m: Bound }> = [];
  // FieldSelector.populateFields: a configured stream without a properties node fails the replication before any message.
  const fields = options.op === 'read' && catalog ? fieldSelection(catalog as Parameters<typeof fieldSelection>[0]) : undefined;
  for (const name of fields?.withoutProperties ?? []) violations.push(violation('SCHEMA_WITHOUT_PROPERTIES', `stream ${JSON.stringify(name)}: "No properties node in stream schema"`));
  let fieldSelectorFailed = (fields?.withoutProperties.length ?? 0) > 0;
  for (const { n, text } of stdoutLines(output)) {
    const parsed = deserializeLine(text);
    if (parsed.kind === 'not-json') {
      violations.push(violation('NOT_JSON', `not JSON: ${text.slice(0, 120)}`, n));
      continue;
    }
    if (parsed.kind === 'unbindable') {
      violations.push(violation('NOT_AIRBYTE_MESSAGE', parsed.reason, n));
      continue;
    }
    if (parsed.trailing !== '') violations.push(violation('TRAILING_CONTENT', `lost after the first message: ${parsed.trailing.slice(0, 120)}`, n));
    const checked = validateMessage(parsed.message, catalog, n);
    if (checked.violation) violations.push(checked.violation);
    if (!checked.keep || parsed.message.type === 'LOG') continue; // VersionedAirbyteStreamFactory.filterLog
    if (options.op === 'read' && !ACCEPTED_IN_SYNC.has(parsed.message.type)) {
      violations.push(violation('NOT_ACCEPTED_IN_SYNC', `${parsed.message.type} during read`, n));
      continue;
    }
    let message = parsed.message;
    // ReplicationWorkerHelper.internalProcessMessageFromSource: FieldSelector.filterSelectedFields first.
    if (fields && message.type === 'RECORD' && !fieldSelectorFailed) {
      const selected = fields.filter(message.record);
      if ('notObject' in selected) {
        violations.push(violation('RECORD_DATA_NOT_OBJECT', `"Unexpected data in record": ${JSON.stringify(message.record.data).slice(0, 120)}`, n));
        fieldSelectorFailed = true;
        continue;
      }
      if (selected.dropped.length > 0) violations.push(violation('FIELD_NOT_DECLARED', `${message.record.stream}: ${selected.dropped.join(', ')} removed`, n));
      message = { ...message, record: { ...message.record, data: selected.data } };
    }
    // The replication stops at a FieldSelector exception: nothing after it is processed.
    if (fieldSelectorFailed) continue;
    lines.push({ n, m: message });
    delivered.push(message);
  }
  // A process killed by a signal writes no exit code: LocalContainerAirbyteSource.FALLBACK_EXIT_CODE.
  const exitCode = output.exitCode ?? 1;
  const killed = output.exitCode === null;
  const report =
    options.op === 'read'
      ? replayRead(output, lines, catalog, options.destinationSupportsRefreshes ?? true, exitCode, killed)
      : replayCommand(options.op, lines, exitCode, options.beforeRetry);
  violations.push(...report.violations);
  violations.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  const failed = report.failed || violations.some((v) => FAILING.has(v.rule));
  if (options.op !== 'read') return { violations, delivered, exitCode, failed, failures: report.failures, retried: false, ...(report.check ? { check: report.check } : {}) };
  const deciding = report.failures[0] ?? (failed ? { failureType: 'system_error', message: `exit code ${exitCode}` } : undefined);
  if (failed && deciding?.failureType === 'config_error') {
    const retryable = report.failures.find((f) => f.failureType !== 'config_error');
    if (retryable) {
      violations.push(
        violation('RETRYABLE_FAILURE_NOT_FIRST', `the first failure by emitted_at is config_error ("${deciding.message.slice(0, 80)}") although a ${retryable.failureType} follows ("${retryable.message.slice(0, 80)}")`),
      );
    }
  }
  return { violations, delivered, exitCode, failed, failures: report.failures, deciding, retried: failed && deciding?.failureType !== 'config_error' };
}

/** Just the violations. */
export function platformViolations(output: ConnectorOutput, options: ReplayOptions): Violation[] {
  return replayAsPlatform(output, options).violations;
}

/** One line per violation, for readable test failures. */
export function describeViolations(violations: Violation[]): string[] {
  return violations.map((v) => `${v.rule}${v.line ? ` (line ${v.line})` : ''}: ${v.detail} [${v.mirrors}]`);
}

/** BufferedReader.lines(): \n, \r and \r\n end a line; a signal-killed process may leave a partial last line, dropped here. */
function stdoutLines(output: ConnectorOutput): Array<{ n: number; text: string }> {
  const texts = output.stdout.split(/\r\n|\r|\n/);
  const complete = /[\r\n]$/.test(output.stdout);
  if (complete || (output.exitCode === null && texts.length > 0)) texts.pop();
  return texts.map((text, i) => ({ n: i + 1, text })).filter(({ text }) => text.trim() !== '');
}

interface Partial {
  violations: Violation[];
  failed: boolean;
  failures: SyncFailure[];
  check?: CheckVerdict;
}

function replayRead(
  output: ConnectorOutput,
  lines: Array<{ n: number; m: Bound }>,
  catalog: ConfiguredCatalog | undefined,
  supportsRefreshes: boolean,
  exitCode: number,
  killed: boolean,
): Partial {
  const model = new SyncModel(catalog, supportsRefreshes);
  for (const { n, m } of lines) model.accept(m, n);
  const violations = [...model.violations];
  if (output.stderr !== '') {
    const stderrLines = output.stderr.split(/\r\n|\r|\n/).filter((l) => l !== '');
    violations.push(violation('STDERR_OUTPUT', `${stderrLines.length} stderr line(s), first: ${stderrLines[0]?.slice(0, 120)}`));
  }
  // A SIGKILL gives the connector no chance to explain itself: only a failure it could report counts.
  if (exitCode !== 0 && !killed && model.failures.length === 0) {
    violations.push(violation('FAILED_WITHOUT_ERROR_TRACE', `read exited ${exitCode} without an ERROR trace`));
  }
  // SourceReader.run: any non-zero exit is a SourceException. AirbyteMessageTracker.errorTraceMessageFailure
  // sorts the trace failures by timestamp (Kotlin sortedBy is stable) ahead of the replication failures.
  const failures = [...model.failures].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
  return { violations, failed: exitCode !== 0, failures };
}

function replayCommand(op: Exclude<Op, 'read'>, lines: Array<{ n: number; m: Bound }>, exitCode: number, beforeRetry = false): Partial {
  const violations: Violation[] = [];
  const results = lines.filter(({ m }) => m.type === RESULT_TYPE[op]);
  const errors = lines.filter(({ m }) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  const failures = errors.filter(({ m }) => m.trace.error != null).map(({ m }) => ({ failureType: m.trace.error.failure_type ?? 'system_error', message: m.trace.error.message ?? '' }));
  // getJobFailureReasonFromMessages uses the first ERROR trace: FailureHelper.genericFailure reads m.error.
  const firstError = errors[0];
  if (firstError && firstError.m.trace.error == null) violations.push(violation('TRACE_PAYLOAD_MISSING', 'ERROR trace without error', firstError.n));
  for (const extra of results.slice(1)) violations.push(violation('EXTRA_RESULT', `a second ${RESULT_TYPE[op]} is ignored`, extra.n));
  const result = results[0];
  const check = op === 'check' ? checkVerdict(result?.m, failures, exitCode) : undefined;
  if (check?.endsRetries && beforeRetry) {
    violations.push(violation('CHECK_ENDS_RETRIES', `the check before a retry failed as ${check.failureType}: the job ends without retry`, result?.n));
  }
  if (op === 'check' && result) {
    const hidden = failures.find((f) => f.failureType !== 'config_error');
    if (hidden || exitCode !== 0) {
      violations.push(violation('CHECK_STATUS_HIDES_TRACE', `a CONNECTION_STATUS ${result.m.connectionStatus.status} with ${hidden ? `a ${hidden.failureType} ERROR trace` : `exit code ${exitCode}`}: only the status counts`, result.n));
    }
  }
  if (!result) {
    if (exitCode === 0) violations.push(violation('NO_RESULT', `${op} exited 0 without a ${RESULT_TYPE[op]} message`));
    else if (errors.length === 0) violations.push(violation('FAILED_WITHOUT_ERROR_TRACE', `${op} exited ${exitCode} without ${RESULT_TYPE[op]} or ERROR trace`));
    return { violations, failed: true, failures, ...(check ? { check } : {}) };
  }
  if (op === 'spec') {
    const version = result.m.spec.protocol_version;
    const major = /^\s*(\d+)\.\d+\.\d+/.exec(version == null || String(version).trim() === '' ? '0.2.0' : String(version))?.[1];
    if (major !== '0') violations.push(violation('SPEC_PROTOCOL_VERSION', `protocol_version ${JSON.stringify(version)} is outside 0.x`, result.n));
  }
  if (op === 'discover') {
    (result.m.catalog.streams as Bound[]).forEach((s, i) => {
      if (s?.name == null) violations.push(violation('CATALOG_STREAM_UNNAMED', `catalog stream ${i} has no name`, result.n));
    });
  }
  return { violations, failed: false, failures, ...(check ? { check } : {}) };
}

/**
 * ConnectorMessageProcessor.setOutput (CHECK): a CONNECTION_STATUS decides, with no failureReason;
 * without one, a non-zero exit is FAILED with the first ERROR trace as failureReason (else
 * SYSTEM_ERROR). SyncCheckConnectionResult.buildFailureOutput: no failureReason → checkFailure,
 * CONFIG_ERROR, not retryable.
 */
function checkVerdict(status: Bound | undefined, failures: SyncFailure[], exitCode: number): CheckVerdict | undefined {
  if (status) {
    if (status.connectionStatus.status === 'SUCCEEDED') return { status: 'SUCCEEDED', endsRetries: false };
    return { status: 'FAILED', failureType: 'config_error', endsRetries: true };
  }
  if (exitCode === 0) return undefined; // "Connector exited successfully without an output"
  const failureType = failures[0]?.failureType ?? 'system_error';
  return { status: 'FAILED', failureType, endsRetries: failureType === 'config_error' };
}
