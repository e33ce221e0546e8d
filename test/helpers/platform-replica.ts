/**
 * The platform-replica consumer: reads a connector run's stdout/stderr the way the Airbyte
 * platform does for that command and lists every rule the run breaks (see platform-rules.ts for
 * the rule → platform file/function table). Read commands go through the replication path
 * (VersionedAirbyteStreamFactory → LocalContainerAirbyteSource → SourceReader/MessageProcessor);
 * spec/check/discover go through the connector sidecar (ConnectorMessageProcessor).
 */
import type { RunResult } from './connector.js';
import { deserializeLine, type Bound } from './platform-deserialize.js';
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
}

export interface PlatformReport {
  violations: Violation[];
  /** The messages the platform acts on, in order (LOG and everything dropped removed). */
  delivered: Bound[];
  /** The exit code the platform sees: a process killed by a signal leaves no exitCode.txt, so 1. */
  exitCode: number;
  /** read: the attempt fails; spec/check/discover: no usable result. */
  failed: boolean;
  /** From the ERROR traces, as FailureHelper builds them. */
  failures: SyncFailure[];
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
    lines.push({ n, m: parsed.message });
    delivered.push(parsed.message);
  }
  // A process killed by a signal writes no exit code: LocalContainerAirbyteSource.FALLBACK_EXIT_CODE.
  const exitCode = output.exitCode ?? 1;
  const killed = output.exitCode === null;
  const report =
    options.op === 'read'
      ? replayRead(output, lines, catalog, options.destinationSupportsRefreshes ?? true, exitCode, killed)
      : replayCommand(options.op, lines, exitCode);
  violations.push(...report.violations);
  violations.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return { violations, delivered, exitCode, failed: report.failed || violations.some((v) => FAILING.has(v.rule)), failures: report.failures };
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
  // SourceReader.run: any non-zero exit is a SourceException.
  return { violations, failed: exitCode !== 0, failures: model.failures };
}

function replayCommand(op: Exclude<Op, 'read'>, lines: Array<{ n: number; m: Bound }>, exitCode: number): Partial {
  const violations: Violation[] = [];
  const results = lines.filter(({ m }) => m.type === RESULT_TYPE[op]);
  const errors = lines.filter(({ m }) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  const failures = errors.filter(({ m }) => m.trace.error != null).map(({ m }) => ({ failureType: m.trace.error.failure_type ?? 'system_error', message: m.trace.error.message ?? '' }));
  // getJobFailureReasonFromMessages uses the first ERROR trace: FailureHelper.genericFailure reads m.error.
  const firstError = errors[0];
  if (firstError && firstError.m.trace.error == null) violations.push(violation('TRACE_PAYLOAD_MISSING', 'ERROR trace without error', firstError.n));
  for (const extra of results.slice(1)) violations.push(violation('EXTRA_RESULT', `a second ${RESULT_TYPE[op]} is ignored`, extra.n));
  const result = results[0];
  if (!result) {
    if (exitCode === 0) violations.push(violation('NO_RESULT', `${op} exited 0 without a ${RESULT_TYPE[op]} message`));
    else if (errors.length === 0) violations.push(violation('FAILED_WITHOUT_ERROR_TRACE', `${op} exited ${exitCode} without ${RESULT_TYPE[op]} or ERROR trace`));
    return { violations, failed: true, failures };
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
  return { violations, failed: false, failures };
}
