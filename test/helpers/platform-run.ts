/**
 * Runs the built connector the way the platform runs a command (its environment, its configured
 * catalog) through runConnector, and replays the output through the platform replica.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runConnector, type RunOptions, type RunResult } from './connector.js';
import { configAfterRead } from './platform-config.js';
import { platformEnv, type PlatformJob } from './platform-catalog.js';
import type { Bound } from './platform-deserialize.js';
import { describeViolations, fromRun, replayAsPlatform, type Op, type PlatformReport } from './platform-replica.js';

export interface PlatformRun {
  result: RunResult;
  report: PlatformReport;
  /** describeViolations(report.violations): what a failing expectation prints. */
  violations: string[];
}

export interface PlatformRunOptions extends Pick<RunOptions, 'config' | 'catalog' | 'state' | 'killAfterRecords'> {
  job?: PlatformJob;
  destinationSupportsRefreshes?: boolean;
  /** check: the one the platform runs before retrying a failed sync. */
  beforeRetry?: boolean;
}

export async function runAsPlatform(op: Op, options: PlatformRunOptions = {}): Promise<PlatformRun> {
  const job = options.job ?? { jobId: 1, attempt: 0 };
  const { config, catalog, state, killAfterRecords } = options;
  const result = await runConnector(op, { config, catalog, state, killAfterRecords, env: platformEnv(op, job) });
  const report = replayAsPlatform(fromRun(result), {
    op,
    catalog,
    destinationSupportsRefreshes: options.destinationSupportsRefreshes ?? job.supportsRefreshes,
    ...(options.beforeRetry ? { beforeRetry: true } : {}),
  });
  // Any CONNECTOR_CONFIG the read sent must be one the platform can save in place of the stored config.
  if (op === 'read' && typeof config === 'object' && config !== null) {
    report.violations.push(...configAfterRead(config as Record<string, unknown>, report.delivered, connectionSpecification()).violations);
  }
  return { result, report, violations: describeViolations(report.violations) };
}

let spec: Record<string, unknown> | undefined;
/** The connector's own spec (spec.json, kept equal to what `spec` prints by test/connector/config.test.ts). */
function connectionSpecification(): Record<string, unknown> {
  spec ??= JSON.parse(readFileSync(join(REPO_ROOT, 'spec.json'), 'utf8')).connectionSpecification as Record<string, unknown>;
  return spec;
}

/** The streams of the connector's own discover, as the platform stores them. */
/** The discovered streams the user selects in the UI (by default the incidents stream alone). */
export async function discoveredStreams(config: unknown, selected: string[] = ['ironscales_incidents']): Promise<Array<Record<string, unknown>>> {
  const { report, violations } = await runAsPlatform('discover', { config });
  if (violations.length > 0 || report.failed) throw new Error(`discover did not give the platform a catalog: ${violations.join('; ')}`);
  const catalog = report.delivered.find((m) => m.type === 'CATALOG') as Bound;
  return (catalog.catalog.streams as Array<Record<string, unknown>>).filter((s) => selected.includes(s.name as string));
}

/** Records the platform received, and those it had committed by the last STATE it accepted. */
export function receivedRecords(report: PlatformReport): { all: Bound[]; committed: Bound[] } {
  const delivered = report.delivered;
  let lastState = -1;
  delivered.forEach((m, i) => {
    if (m.type === 'STATE') lastState = i;
  });
  const records = (list: Bound[]) => list.filter((m) => m.type === 'RECORD').map((m) => m.record as Bound);
  return { all: records(delivered), committed: records(delivered.slice(0, lastState + 1)) };
}
