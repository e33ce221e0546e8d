/**
 * What every scenario shares: the context, one measured connector run (`measure`), the per-case
 * medians and the checks built from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Simulator, type SimulatorOptions } from '../simulator/index.js';
import { configFor, DEEPFAKE, EMAILS, incrementalCatalog, IOCS, MAILBOXES, MITIGATIONS, SCANBACK, STREAM, type ConnectorSettings, type Scratch } from './files.js';
import { runConnector, type ConnectorRun } from './measure.js';
import { medians, minimumRequests, requestBound, round } from './stats.js';

const MEMWATCH = new URL('./memwatch.js', import.meta.url).href;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const MB = 1024 * 1024;
/** The connector's highest accepted requests_per_minute: "no limit" from its side. */
export const UNLIMITED_RPM = 600_000;
/** The real IRONSCALES budget, for converting request counts into time. */
export const REAL_LIMIT_PER_MINUTE = 120;

export interface BenchContext {
  repeats: number;
  scratch: Scratch;
  /** Directory for --cpu-prof output of each connector run; unset = no profiling. */
  profileDir?: string;
  /** Scenario 1's simulated rate-limit window. */
  rateWindowMs: number;
  /** Scenario 5's consumer speed. */
  consumerBytesPerSecond: number;
  /** Extra node flags for every connector run (diagnostics, e.g. --max-semi-space-size=4). */
  connectorNodeArgs: string[];
  /** Directory for memwatch traces (diagnostic); unset = off. */
  memwatchDir?: string;
  log(line: string): void;
}

/** One measured connector run: every number the table or the targets need. */
export type RunMetrics = Record<string, number>;

export interface CaseResult {
  /** Row label, e.g. "5. Memory, 50,000 × 30 KB". */
  label: string;
  params: Record<string, unknown>;
  runs: RunMetrics[];
  medians: RunMetrics;
  /** Anything that went wrong in a run (non-zero exit, error trace, wrong record count). */
  problems: string[];
  /** The scenario's own headline, built from the medians. */
  headline: string;
}

export interface Check {
  target: string;
  measured: string;
  met: boolean;
}

export interface ScenarioResult {
  id: string;
  number: number;
  title: string;
  cases: CaseResult[];
  checks: Check[];
  wallS: number;
}

export interface Scenario {
  id: string;
  number: number;
  title: string;
  run(ctx: BenchContext): Promise<Omit<ScenarioResult, 'id' | 'number' | 'title' | 'wallS'>>;
}

// ---------------------------------------------------------------------------------------------
// Shared plumbing
// ---------------------------------------------------------------------------------------------

export function simOptions(extra: SimulatorOptions): SimulatorOptions {
  // goneRatio 0: every incident has details, so "N incidents" means exactly N details calls.
  // extraFieldRatio stays at its default (2 % of incidents carry fields the schema has never seen).
  return { seed: 6, goneRatio: 0, rateLimit: null, latencyMs: 0, ...extra };
}

export interface MeasureOptions {
  settings: ConnectorSettings;
  /** Streams in the configured catalog (default: incidents only). */
  streams?: string[];
  state?: unknown;
  consumerBytesPerSecond?: number;
  /** Incidents the sync should emit (the minimum is computed from it). */
  incidents: number;
  /**
   * Incident records expected on stdout: defaults to `incidents`; [min, max] for a range; null = not checked.
   */
  expectedRecords?: number | [number, number] | null;
  timeoutMs?: number;
}

export interface Measured {
  run: ConnectorRun;
  metrics: RunMetrics;
  problems: string[];
}

export async function measure(ctx: BenchContext, sim: Simulator, options: MeasureOptions): Promise<Measured> {
  const configPath = ctx.scratch.write('config.json', configFor(sim, options.settings));
  const catalogPath = ctx.scratch.write('catalog.json', incrementalCatalog(options.streams));
  const statePath = options.state === undefined ? undefined : ctx.scratch.write('state.json', options.state);
  sim.resetStats();
  const benchCpuBefore = process.cpuUsage();
  const stealBefore = stealTicks();
  const run = await runConnector({
    configPath, catalogPath, statePath,
    consumerBytesPerSecond: options.consumerBytesPerSecond,
    timeoutMs: options.timeoutMs ?? 600_000,
    nodeArgs: [
      ...ctx.connectorNodeArgs,
      ...(ctx.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', ctx.profileDir]),
      ...(ctx.memwatchDir === undefined ? [] : ['--import', MEMWATCH]),
    ],
    env: ctx.memwatchDir === undefined ? undefined : { BENCH_MEMWATCH_FILE: join(ctx.memwatchDir, `memwatch-${Date.now()}.ndjson`) },
  });
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const stealS = (stealTicks() - stealBefore) / 100;
  const stats = sim.stats();
  const minimum = minimumRequests(options.incidents);
  const served = stats.log.filter((e) => e.status !== 0);
  const firstAt = served[0]?.at ?? 0;
  const lastAt = served.at(-1)?.at ?? 0;
  const metrics: RunMetrics = {
    wallS: run.wallMs / 1000,
    token: stats.requests.token,
    list: stats.requests.list,
    details: stats.requests.details,
    mitigations: stats.requests.mitigations,
    mailboxes: stats.requests.mailboxes,
    emails: stats.requests.emails,
    scanback: stats.requests.scanback,
    deepfake: stats.requests.deepfake,
    // list pages of the updates pass (they carry the last_update filter) and of the created pass
    updatesPages: stats.log.filter((e) => e.endpoint === 'list' && e.path.includes('last_update_start_time')).length,
    requests: stats.total,
    throttled: stats.throttled,
    minimum,
    bound: requestBound(minimum),
    requestsOverMinimum: stats.total / minimum,
    maxCallsInWindow: stats.maxCallsInWindow,
    requestSpanS: (lastAt - firstAt) / 1000,
    peakRssMb: run.peakRssKb / 1024,
    cpuS: run.cpuMs / 1000,
    // the benchmark process: the simulator building and serving responses, plus reading stdout
    simulatorCpuS: (benchCpu.user + benchCpu.system) / 1e6,
    // CPU time the hypervisor gave to other guests during the run, summed over all cores
    stealS,
    records: run.records,
    incidentRecords: run.recordsByStream[STREAM] ?? 0,
    iocRecords: run.recordsByStream[IOCS] ?? 0,
    mitigationRecords: run.recordsByStream[MITIGATIONS] ?? 0,
    mailboxRecords: run.recordsByStream[MAILBOXES] ?? 0,
    emailRecords: run.recordsByStream[EMAILS] ?? 0,
    scanbackRecords: run.recordsByStream[SCANBACK] ?? 0,
    deepfakeRecords: run.recordsByStream[DEEPFAKE] ?? 0,
    stdoutMb: run.stdoutBytes / MB,
    consumerPausedS: run.consumerPausedMs / 1000,
    warnings: run.warnings.length,
  };
  const problems: string[] = [];
  if (run.timedOut) problems.push('timed out');
  if (run.code !== 0) problems.push(`exit code ${run.code}${run.signal ? ` (${run.signal})` : ''}: ${run.errors[0] ?? run.stderr.slice(0, 300)}`);
  else if (run.errors.length > 0) problems.push(`error: ${run.errors[0]}`);
  const expected = options.expectedRecords === undefined ? options.incidents : options.expectedRecords;
  if (expected !== null) {
    const [lo, hi] = typeof expected === 'number' ? [expected, expected] : expected;
    const got = metrics.incidentRecords as number;
    if (got < lo || got > hi) problems.push(`${got} incident records emitted, expected ${lo === hi ? lo : `${lo} to ${hi}`}`);
  }
  if (stats.requests.other > 0) problems.push(`${stats.requests.other} requests to unknown endpoints`);
  if (run.samples === 0) problems.push('no /proc sample was taken (peak RSS unknown)');
  ctx.log(
    `    wall ${round(metrics.wallS as number, 2)} s, requests ${stats.total} (token ${stats.requests.token}, list ${stats.requests.list}, ` +
      `details ${stats.requests.details}${stats.requests.mitigations ? `, mitigations ${stats.requests.mitigations}` : ''}` +
      `${stats.requests.mailboxes ? `, mailboxes ${stats.requests.mailboxes}` : ''}` +
      `${(['emails', 'scanback', 'deepfake'] as const).map((e) => (stats.requests[e] ? `, ${e} ${stats.requests[e]}` : '')).join('')}; minimum ${minimum}), 429s ${stats.throttled}, peak RSS ${round(metrics.peakRssMb as number, 1)} MB, ` +
      `CPU ${round(metrics.cpuS as number, 2)} s (simulator + harness ${round(metrics.simulatorCpuS as number, 2)} s, steal ${round(stealS, 2)} s), records ${Object.entries(run.recordsByStream).map(([k, v]) => `${k} ${v}`).join(', ') || 0}${problems.length ? `  PROBLEMS: ${problems.join('; ')}` : ''}`,
  );
  return { run, metrics, problems };
}

export function caseResult(label: string, params: Record<string, unknown>, runs: Measured[], headline: (m: RunMetrics) => string): CaseResult {
  const metrics = runs.map((r) => r.metrics);
  const med = medians(metrics);
  return {
    label,
    params,
    runs: metrics.map(roundAll),
    medians: roundAll(med),
    problems: runs.flatMap((r, i) => r.problems.map((p) => `run ${i + 1}: ${p}`)),
    headline: headline(med),
  };
}

export function roundAll(m: RunMetrics): RunMetrics {
  const out: RunMetrics = {};
  for (const [k, v] of Object.entries(m)) out[k] = Math.abs(v) >= 100 ? round(v, 1) : round(v, 4);
  return out;
}

export function requestCheck(c: CaseResult): Check {
  const m = c.medians;
  return {
    target: `${c.label}: requests ≤ 1.02 × minimum + 3`,
    measured: `${m.requests} ≤ ${m.bound} (minimum ${m.minimum})`,
    met: (m.requests as number) <= (m.bound as number),
  };
}

export function noProblemsCheck(cases: CaseResult[]): Check[] {
  return cases
    .filter((c) => c.problems.length > 0)
    .map((c) => ({ target: `${c.label}: every run completes correctly`, measured: c.problems.join('; '), met: false }));
}

/** Steal time of the whole machine so far, in USER_HZ ticks (the 8th value of /proc/stat's cpu line). */
export function stealTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    return Number(line.trim().split(/\s+/)[8] ?? 0) || 0;
  } catch {
    return 0;
  }
}

export async function withSimulator<T>(options: SimulatorOptions, body: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator(options);
  try {
    return await body(sim);
  } finally {
    await sim.close();
  }
}

export const fmt = (n: number | undefined, digits = 2): string => (n === undefined ? '?' : String(round(n, digits)));

