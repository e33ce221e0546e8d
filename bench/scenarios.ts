/**
 * The six scenarios of issue 6. Each one starts the simulator in this process, runs the built
 * connector as a child process (measure.ts) and reads the simulator's request statistics.
 */
import { startSimulator, type Simulator, type SimulatorOptions } from '../simulator/index.js';
import {
  incrementalCatalog, configFor, isoMicros, parseIsoMicros, startDate, stateFor, type ConnectorSettings, type Scratch,
} from './files.js';
import { nextState, runConnector, type ConnectorRun } from './measure.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { medians, minimumRequests, requestBound, round } from './stats.js';

/** build/bench/memwatch.js, beside this module once compiled. */
const MEMWATCH = new URL('./memwatch.js', import.meta.url).href;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MB = 1024 * 1024;
/** The connector's highest accepted requests_per_minute: "no limit" from its side. */
const UNLIMITED_RPM = 600_000;
/** The real IRONSCALES budget, for converting request counts into time. */
const REAL_LIMIT_PER_MINUTE = 120;

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

function simOptions(extra: SimulatorOptions): SimulatorOptions {
  // goneRatio 0: every incident has details, so "N incidents" means exactly N details calls.
  // extraFieldRatio stays at its default (2 % of incidents carry fields the schema has never seen).
  return { seed: 6, goneRatio: 0, rateLimit: null, latencyMs: 0, ...extra };
}

interface MeasureOptions {
  settings: ConnectorSettings;
  state?: unknown;
  consumerBytesPerSecond?: number;
  /** Incidents the sync should emit (the minimum is computed from it). */
  incidents: number;
  /**
   * Records expected on stdout: defaults to `incidents`; [min, max] for a range; null = not checked.
   * (An incremental sync re-reads the incident(s) exactly at its inclusive cursor, so one extra
   * record is expected there.)
   */
  expectedRecords?: number | [number, number] | null;
  timeoutMs?: number;
}

interface Measured {
  run: ConnectorRun;
  metrics: RunMetrics;
  problems: string[];
}

async function measure(ctx: BenchContext, sim: Simulator, options: MeasureOptions): Promise<Measured> {
  const configPath = ctx.scratch.write('config.json', configFor(sim, options.settings));
  const catalogPath = ctx.scratch.write('catalog.json', incrementalCatalog());
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
    if (run.records < lo || run.records > hi) problems.push(`${run.records} records emitted, expected ${lo === hi ? lo : `${lo} to ${hi}`}`);
  }
  if (stats.requests.other > 0) problems.push(`${stats.requests.other} requests to unknown endpoints`);
  if (run.samples === 0) problems.push('no /proc sample was taken (peak RSS unknown)');
  ctx.log(
    `    wall ${round(metrics.wallS as number, 2)} s, requests ${stats.total} (token ${stats.requests.token}, list ${stats.requests.list}, ` +
      `details ${stats.requests.details}; minimum ${minimum}), 429s ${stats.throttled}, peak RSS ${round(metrics.peakRssMb as number, 1)} MB, ` +
      `CPU ${round(metrics.cpuS as number, 2)} s (simulator + harness ${round(metrics.simulatorCpuS as number, 2)} s, steal ${round(stealS, 2)} s), records ${run.records}${problems.length ? `  PROBLEMS: ${problems.join('; ')}` : ''}`,
  );
  return { run, metrics, problems };
}

function caseResult(label: string, params: Record<string, unknown>, runs: Measured[], headline: (m: RunMetrics) => string): CaseResult {
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

function roundAll(m: RunMetrics): RunMetrics {
  const out: RunMetrics = {};
  for (const [k, v] of Object.entries(m)) out[k] = Math.abs(v) >= 100 ? round(v, 1) : round(v, 4);
  return out;
}

function requestCheck(c: CaseResult): Check {
  const m = c.medians;
  return {
    target: `${c.label}: requests ≤ 1.02 × minimum + 3`,
    measured: `${m.requests} ≤ ${m.bound} (minimum ${m.minimum})`,
    met: (m.requests as number) <= (m.bound as number),
  };
}

function noProblemsCheck(cases: CaseResult[]): Check[] {
  return cases
    .filter((c) => c.problems.length > 0)
    .map((c) => ({ target: `${c.label}: every run completes correctly`, measured: c.problems.join('; '), met: false }));
}

/** Steal time of the whole machine so far, in USER_HZ ticks (the 8th value of /proc/stat's cpu line). */
function stealTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    return Number(line.trim().split(/\s+/)[8] ?? 0) || 0;
  } catch {
    return 0;
  }
}

async function withSimulator<T>(options: SimulatorOptions, body: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator(options);
  try {
    return await body(sim);
  } finally {
    await sim.close();
  }
}

const fmt = (n: number | undefined, digits = 2): string => (n === undefined ? '?' : String(round(n, digits)));

// ---------------------------------------------------------------------------------------------
// 1. Backfill, rate-limited
// ---------------------------------------------------------------------------------------------

const backfillLimited: Scenario = {
  id: 'backfill-limited',
  number: 1,
  title: 'Backfill, rate-limited',
  async run(ctx) {
    const incidents = 2000;
    const limit = 120;
    const windowMs = ctx.rateWindowMs;
    // Time is scaled down by 60 s / windowMs; latency is scaled with it (about 300 ms real).
    const latencyMs = Math.max(1, Math.round((300 * windowMs) / 60_000));
    const requestsPerMinute = Math.round((limit * MINUTE_MS) / windowMs);
    const allowedPerS = limit / (windowMs / 1000);
    const params = { incidents, rateLimit: { limit, windowMs }, latencyMs, requests_per_minute: requestsPerMinute, allowedPerS };
    const runs: Measured[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      ctx.log(`  run ${i + 1}/${ctx.repeats}`);
      runs.push(await withSimulator(simOptions({ rateLimit: { limit, windowMs }, latencyMs }), async (sim) => {
        sim.generateIncidents(incidents);
        const m = await measure(ctx, sim, { settings: { requestsPerMinute, startDate: startDate(60 * DAY_MS) }, incidents });
        const useful = (m.metrics.requests as number) - (m.metrics.throttled as number);
        m.metrics.efficiency = useful / (m.metrics.wallS as number) / allowedPerS;
        // The same, over the span from the first to the last request served (no process start-up).
        m.metrics.spanEfficiency = (useful - 1) / (m.metrics.requestSpanS as number) / allowedPerS;
        ctx.log(`    budget efficiency ${round(m.metrics.efficiency, 3)} (over the request span ${round(m.metrics.spanEfficiency, 3)}), max calls in a window ${m.metrics.maxCallsInWindow}`);
        return m;
      }));
    }
    const c = caseResult(`1. Backfill, rate-limited (${incidents.toLocaleString('en')}, ${limit}/${windowMs / 1000} s)`, params, runs,
      (m) => `budget efficiency ${fmt(m.efficiency, 3)}, ${fmt(m.throttled, 0)} × 429`);
    return {
      cases: [c],
      checks: [
        { target: 'Budget efficiency ≥ 0.95', measured: fmt(c.medians.efficiency, 3), met: (c.medians.efficiency as number) >= 0.95 },
        { target: 'Zero 429s served (rate-limited backfill)', measured: `${c.medians.throttled} (max over runs ${Math.max(...c.runs.map((r) => r.throttled as number))})`, met: c.runs.every((r) => r.throttled === 0) },
        requestCheck(c),
        ...noProblemsCheck([c]),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// 2. Backfill, unthrottled
// ---------------------------------------------------------------------------------------------

const backfillUnthrottled: Scenario = {
  id: 'backfill-unthrottled',
  number: 2,
  title: 'Backfill, unthrottled',
  async run(ctx) {
    const incidents = 20_000;
    const latencyMs = 20;
    const params = { incidents, latencyMs, rateLimit: null, requests_per_minute: UNLIMITED_RPM };
    const runs: Measured[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      ctx.log(`  run ${i + 1}/${ctx.repeats}`);
      runs.push(await withSimulator(simOptions({ latencyMs }), async (sim) => {
        sim.generateIncidents(incidents);
        const m = await measure(ctx, sim, { settings: { requestsPerMinute: UNLIMITED_RPM, startDate: startDate(60 * DAY_MS) }, incidents });
        m.metrics.incidentsPerS = (m.metrics.records as number) / (m.metrics.wallS as number);
        ctx.log(`    ${round(m.metrics.incidentsPerS, 0)} incidents/s`);
        return m;
      }));
    }
    const c = caseResult(`2. Backfill, unthrottled (${incidents.toLocaleString('en')}, ${latencyMs} ms latency)`, params, runs,
      (m) => `${fmt(m.incidentsPerS, 0)} incidents/s, requests ÷ minimum ${fmt(m.requestsOverMinimum, 4)}`);
    return {
      cases: [c],
      checks: [
        { target: 'Unthrottled backfill ≥ 500 incidents/s', measured: fmt(c.medians.incidentsPerS, 0), met: (c.medians.incidentsPerS as number) >= 500 },
        requestCheck(c),
        ...noProblemsCheck([c]),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// 3. Idle incremental
// ---------------------------------------------------------------------------------------------

const idleIncremental: Scenario = {
  id: 'idle',
  number: 3,
  title: 'Idle incremental',
  async run(ctx) {
    const history = 2000;
    const latencyMs = 20;
    const params = { history, latencyMs, rateLimit: null, requests_per_minute: UNLIMITED_RPM, chained: true };
    const settings = { requestsPerMinute: UNLIMITED_RPM, startDate: startDate(60 * DAY_MS) };
    return withSimulator(simOptions({ latencyMs }), async (sim) => {
      sim.generateIncidents(history);
      ctx.log('  set-up: backfill of the history (not measured)');
      const backfill = await measure(ctx, sim, { settings, incidents: history });
      if (backfill.problems.length > 0) throw new Error(`idle scenario set-up failed: ${backfill.problems.join('; ')}`);
      let state = nextState(backfill.run);
      const runs: Measured[] = [];
      for (let i = 0; i < ctx.repeats; i++) {
        ctx.log(`  run ${i + 1}/${ctx.repeats} (state of the previous sync)`);
        // Nothing changed, so nothing should be emitted; a re-emitted record is reported, not fatal.
        const m = await measure(ctx, sim, { settings, state, incidents: 0, expectedRecords: null });
        state = nextState(m.run);
        runs.push(m);
      }
      const c = caseResult(`3. Idle incremental (after ${history.toLocaleString('en')})`, params, runs,
        (m) => `${fmt(m.requests, 0)} requests per sync; ${fmt(m.records, 0)} record(s) emitted again`);
      return {
        cases: [c],
        checks: [
          { target: 'Idle incremental sync ≤ 4 requests', measured: `${c.medians.requests}`, met: (c.medians.requests as number) <= 4 },
          requestCheck(c),
          ...noProblemsCheck([c]),
        ],
      };
    });
  },
};

// ---------------------------------------------------------------------------------------------
// 4. Steady day
// ---------------------------------------------------------------------------------------------

const steadyDay: Scenario = {
  id: 'steady-day',
  number: 4,
  title: 'Steady day',
  async run(ctx) {
    const history = 50_000;
    const fresh = 200;
    const reclassified = 50;
    const latencyMs = 20;
    const fullRedownload = minimumRequests(history);
    const params = { history, fresh, reclassified, latencyMs, rateLimit: null, requests_per_minute: UNLIMITED_RPM, stateCrafted: true };
    const runs: Measured[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      ctx.log(`  run ${i + 1}/${ctx.repeats}`);
      runs.push(await withSimulator(simOptions({ latencyMs }), async (sim) => {
        // Timeline: history [now-30d-3h, now-3h] | previous sync ended at now-2h30 | a day's changes in [now-2h, now-5min] | this sync.
        const now = Date.now();
        const historyTo = now - 3 * HOUR_MS;
        const ids = sim.generateIncidents(history, { from: new Date(historyTo - 30 * DAY_MS).toISOString(), to: new Date(historyTo).toISOString() });
        // The cursor of a sync that has read the whole history: the latest first_reported_date exactly.
        // generateIncidents hands out ids in first_reported_date order, so that is the last id's.
        const lastId = ids.at(-1) as number;
        const latest = String(sim.details(lastId)?.first_reported_date);
        const state = stateFor({
          first_reported_date: isoMicros(parseIsoMicros(latest)),
          updated_until: isoMicros((now - 150 * MINUTE_MS) * 1000),
        });
        const changesFrom = now - 2 * HOUR_MS;
        const changesTo = now - 5 * MINUTE_MS;
        sim.generateIncidents(fresh, { from: new Date(changesFrom).toISOString(), to: new Date(changesTo).toISOString() });
        // 50 history incidents spread over the whole history, reclassified at spread-out times of the day.
        for (let k = 0; k < reclassified; k++) {
          const id = ids[Math.floor(((k + 0.5) * ids.length) / reclassified)] as number;
          const at = changesFrom + Math.floor(((k + 0.5) * (changesTo - changesFrom)) / reclassified);
          sim.reclassify(id, k % 2 === 0 ? 'False Positive' : 'Spam', new Date(at).toISOString());
        }
        const m = await measure(ctx, sim, {
          settings: { requestsPerMinute: UNLIMITED_RPM, startDate: startDate(60 * DAY_MS) },
          state,
          incidents: fresh + reclassified,
          // + the incident at the saved cursor, which an inclusive cursor reads again
          expectedRecords: [fresh + reclassified, fresh + reclassified + 1],
        });
        m.metrics.reEmitted = (m.metrics.records as number) - (fresh + reclassified);
        m.metrics.fullRedownload = fullRedownload;
        m.metrics.fractionOfFull = (m.metrics.requests as number) / fullRedownload;
        m.metrics.minutesAtRealLimit = (m.metrics.requests as number) / REAL_LIMIT_PER_MINUTE;
        return m;
      }));
    }
    const c = caseResult(`4. Steady day (${history.toLocaleString('en')} + ${fresh} new + ${reclassified} reclassified)`, params, runs,
      (m) => `${fmt(m.requests, 0)} requests (${fmt(m.records, 0)} records) vs ${fullRedownload.toLocaleString('en')} for a full re-download (${fmt((m.fractionOfFull as number) * 100, 2)} %; ` +
        `${fmt(m.minutesAtRealLimit, 1)} min vs ${fmt(fullRedownload / REAL_LIMIT_PER_MINUTE / 60, 1)} h at 120/min)`);
    return { cases: [c], checks: [requestCheck(c), ...noProblemsCheck([c])] };
  },
};

// ---------------------------------------------------------------------------------------------
// 5. Memory
// ---------------------------------------------------------------------------------------------

const memory: Scenario = {
  id: 'memory',
  number: 5,
  title: 'Memory',
  async run(ctx) {
    const bodyBytes = 30_000;
    const sizes = [5_000, 50_000];
    const cases: CaseResult[] = [];
    for (const incidents of sizes) {
      const params = { incidents, bodyBytes, largeBodyRatio: 1, latencyMs: 0, rateLimit: null, requests_per_minute: UNLIMITED_RPM, consumerMBps: ctx.consumerBytesPerSecond / MB };
      const runs: Measured[] = [];
      for (let i = 0; i < ctx.repeats; i++) {
        ctx.log(`  ${incidents.toLocaleString('en')} incidents, run ${i + 1}/${ctx.repeats} (consumer ${ctx.consumerBytesPerSecond / MB} MB/s)`);
        runs.push(await withSimulator(simOptions({ bodyBytes, largeBodyRatio: 1 }), async (sim) => {
          sim.generateIncidents(incidents);
          const m = await measure(ctx, sim, {
            settings: { requestsPerMinute: UNLIMITED_RPM, startDate: startDate(60 * DAY_MS) },
            incidents,
            consumerBytesPerSecond: ctx.consumerBytesPerSecond,
          });
          m.metrics.outputMBps = (m.metrics.stdoutMb as number) / (m.metrics.wallS as number);
          ctx.log(`    ${round(m.metrics.stdoutMb as number, 0)} MB out at ${round(m.metrics.outputMBps, 1)} MB/s; consumer paused ${round(m.metrics.consumerPausedS as number, 1)} s`);
          return m;
        }));
      }
      cases.push(caseResult(`5. Memory (${incidents.toLocaleString('en')} × 30 KB, slow consumer)`, params, runs,
        (m) => `peak RSS ${fmt(m.peakRssMb, 1)} MB, ${fmt(m.stdoutMb, 0)} MB out at ${fmt(m.outputMBps, 1)} MB/s`));
    }
    const small = cases[0]?.medians.peakRssMb as number;
    const large = cases[1]?.medians.peakRssMb as number;
    return {
      cases,
      checks: [
        ...cases.map((c) => ({ target: `${c.label}: peak RSS ≤ 150 MB`, measured: `${fmt(c.medians.peakRssMb, 1)} MB`, met: (c.medians.peakRssMb as number) <= 150 })),
        {
          target: 'Peak RSS flat from 5,000 to 50,000 (50k ≤ 1.10 × 5k)',
          measured: `${fmt(large, 1)} / ${fmt(small, 1)} MB = ${fmt(large / small, 3)}`,
          met: large <= 1.1 * small,
        },
        ...cases.map(requestCheck),
        ...noProblemsCheck(cases),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------
// 6. Connector CPU
// ---------------------------------------------------------------------------------------------

const connectorCpu: Scenario = {
  id: 'cpu',
  number: 6,
  title: 'Connector CPU',
  async run(ctx) {
    const incidents = 20_000;
    const params = { incidents, latencyMs: 0, rateLimit: null, requests_per_minute: UNLIMITED_RPM, bodies: 'simulator default (5 % with 20 KB bodies)' };
    const runs: Measured[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      ctx.log(`  run ${i + 1}/${ctx.repeats}`);
      runs.push(await withSimulator(simOptions({}), async (sim) => {
        sim.generateIncidents(incidents);
        const m = await measure(ctx, sim, { settings: { requestsPerMinute: UNLIMITED_RPM, startDate: startDate(60 * DAY_MS) }, incidents });
        m.metrics.recordsPerS = (m.metrics.records as number) / (m.metrics.wallS as number);
        m.metrics.cpuMsPerRecord = ((m.metrics.cpuS as number) * 1000) / (m.metrics.records as number);
        m.metrics.connectorCpuShare = (m.metrics.cpuS as number) / (m.metrics.wallS as number);
        ctx.log(`    ${round(m.metrics.recordsPerS, 0)} records/s, connector CPU ${round(m.metrics.cpuMsPerRecord, 3)} ms per record (${round(m.metrics.connectorCpuShare * 100, 0)} % of a core)`);
        return m;
      }));
    }
    const c = caseResult(`6. Connector CPU (${incidents.toLocaleString('en')}, 0 ms latency)`, params, runs,
      (m) => `${fmt(m.recordsPerS, 0)} records/s; connector CPU ${fmt(m.cpuMsPerRecord, 3)} ms/record (${fmt((m.connectorCpuShare as number) * 100, 0)} % of a core)`);
    return { cases: [c], checks: [requestCheck(c), ...noProblemsCheck([c])] };
  },
};

export const SCENARIOS: readonly Scenario[] = [backfillLimited, backfillUnthrottled, idleIncremental, steadyDay, memory, connectorCpu];
