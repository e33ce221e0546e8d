/**
 * The scenarios of issue 6 (1–6) and of the four streams (7). Each one starts the simulator in this process, runs the built
 * connector as a child process (harness.ts, measure.ts) and reads the simulator's request statistics.
 */
import { startDate } from './files.js';
import { nextState } from './measure.js';
import {
  caseResult, DAY_MS, fmt, MB, measure, MINUTE_MS, noProblemsCheck, requestCheck, simOptions, UNLIMITED_RPM, withSimulator,
  type CaseResult, type Measured, type Scenario,
} from './harness.js';
import { round } from './stats.js';
import { steadyDay } from './steady-day.js';
import { streamCosts } from './stream-costs.js';

export type { BenchContext, CaseResult, Check, RunMetrics, Scenario, ScenarioResult } from './harness.js';

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
        // Nothing changed: nothing may be emitted (the ids at the cursor are skipped without a call).
        const m = await measure(ctx, sim, { settings, state, incidents: 0, expectedRecords: 0 });
        state = nextState(m.run);
        runs.push(m);
      }
      const c = caseResult(`3. Idle incremental (after ${history.toLocaleString('en')})`, params, runs,
        (m) => `${fmt(m.requests, 0)} requests per sync; ${fmt(m.records, 0)} records`);
      return {
        cases: [c],
        checks: [
          {
            target: 'Idle incremental sync: 3 requests (token + updates page + created page), 0 records',
            measured: `${c.medians.requests} requests (${c.medians.token} + ${c.medians.list} + ${c.medians.details}), records per run ${c.runs.map((r) => r.records).join(', ')}`,
            met: c.runs.every((r) => r.requests === 3 && r.records === 0),
          },
          requestCheck(c),
          ...noProblemsCheck([c]),
        ],
      };
    });
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
    // 30 KB bodies at two sizes (memory must not grow with the backfill), and 5 MB bodies (memory
    // must be bounded by bytes held, not by the number of calls in flight).
    const shapes = [
      { incidents: 5_000, bodyBytes: 30_000, label: '30 KB' },
      { incidents: 50_000, bodyBytes: 30_000, label: '30 KB' },
      { incidents: 80, bodyBytes: 5_000_000, label: '5 MB' },
    ];
    const cases: CaseResult[] = [];
    for (const { incidents, bodyBytes, label } of shapes) {
      const params = { incidents, bodyBytes, largeBodyRatio: 1, latencyMs: 0, rateLimit: null, requests_per_minute: UNLIMITED_RPM, consumerMBps: ctx.consumerBytesPerSecond / MB };
      const runs: Measured[] = [];
      for (let i = 0; i < ctx.repeats; i++) {
        ctx.log(`  ${incidents.toLocaleString('en')} incidents × ${label}, run ${i + 1}/${ctx.repeats} (consumer ${ctx.consumerBytesPerSecond / MB} MB/s)`);
        runs.push(await withSimulator(simOptions({ bodyBytes, largeBodyRatio: 1 }), async (sim) => {
          sim.generateIncidents(incidents);
          const m = await measure(ctx, sim, {
            settings: { requestsPerMinute: UNLIMITED_RPM, startDate: startDate(60 * DAY_MS) },
            incidents,
            consumerBytesPerSecond: ctx.consumerBytesPerSecond,
          });
          m.metrics.outputMBps = (m.metrics.stdoutMb as number) / (m.metrics.wallS as number);
          ctx.log(`    ${round(m.metrics.stdoutMb as number, 0)} MB out at ${round(m.metrics.outputMBps, 1)} MB/s; consumer paused ${round(m.metrics.consumerPausedS as number, 1)} s; peak RSS ${round(m.metrics.peakRssMb as number, 1)} MB`);
          return m;
        }));
      }
      cases.push(caseResult(`5. Memory (${incidents.toLocaleString('en')} × ${label}, slow consumer)`, params, runs,
        (m) => `peak RSS ${fmt(m.peakRssMb, 1)} MB, ${fmt(m.stdoutMb, 0)} MB out at ${fmt(m.outputMBps, 1)} MB/s`));
    }
    const [small, large, huge] = cases.map((c) => c.medians.peakRssMb as number) as [number, number, number];
    return {
      cases,
      checks: [
        ...cases.slice(0, 2).map((c) => ({ target: `${c.label}: peak RSS ≤ 150 MB`, measured: `${fmt(c.medians.peakRssMb, 1)} MB`, met: (c.medians.peakRssMb as number) <= 150 })),
        {
          target: 'Peak RSS flat from 5,000 to 50,000 (50k ≤ 1.10 × 5k)',
          measured: `${fmt(large, 1)} / ${fmt(small, 1)} MB = ${fmt(large / small, 3)}`,
          met: large <= 1.1 * small,
        },
        { target: `${cases[2]!.label}: peak RSS ≤ 256 MB`, measured: `${fmt(huge, 1)} MB`, met: huge <= 256 },
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

export const SCENARIOS: readonly Scenario[] = [backfillLimited, backfillUnthrottled, idleIncremental, steadyDay, memory, connectorCpu, streamCosts];
