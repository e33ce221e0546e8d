/**
 * `npm run bench`: the connector benchmark of issue 6. See bench/README.md.
 *
 *   node build/bench/run.js [--only <ids>] [--repeats N] [--window-ms MS] [--consumer-mbps MB]
 *                           [--profile] [--memwatch] [--node-args "<node flags>"] [--write|--no-write]
 *
 * --only takes scenario numbers or ids, comma-separated (1,backfill-limited 2,backfill-unthrottled
 * 3,idle 4,steady-day 5,memory 6,cpu 7,streams). A run with --only or a diagnostic flag (--profile,
 * --memwatch, --node-args) prints its tables but leaves bench/results.json and bench/README.md
 * alone unless --write is given; a plain full run updates both.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, Scratch } from './files.js';
import { CONNECTOR, shippedNodeFlags } from './measure.js';
import { machine, mediansTable, targetsTable, updateReadme, writeResults, type Report } from './report.js';
import { SCENARIOS, type BenchContext, type ScenarioResult } from './scenarios.js';

const USAGE =
  'Usage: node build/bench/run.js [--only 1,2,...|ids] [--repeats N] [--window-ms MS] [--consumer-mbps MB] ' +
  '[--profile] [--memwatch] [--node-args "<flags for the connector process>"] [--plain-node] [--write|--no-write]';

/** A mistake on the command line: printed without a stack trace. */
class UsageError extends Error {}

function parseCli() {
  let parsed;
  try {
    parsed = parseArgs({
    options: {
      only: { type: 'string' },
      repeats: { type: 'string', default: '3' },
      'window-ms': { type: 'string', default: '2000' },
      'consumer-mbps': { type: 'string', default: '50' },
      profile: { type: 'boolean', default: false },
      memwatch: { type: 'boolean', default: false },
      'node-args': { type: 'string', default: '' },
      'plain-node': { type: 'boolean', default: false },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. ${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got ${raw}. ${USAGE}`);
    return value;
  };
  const repeats = positive('repeats', values.repeats);
  if (!Number.isInteger(repeats)) throw new UsageError(`--repeats must be a whole number. ${USAGE}`);
  let selected = SCENARIOS;
  if (values.only !== undefined) {
    const wanted = values.only.split(',').map((s) => s.trim()).filter(Boolean);
    selected = SCENARIOS.filter((s) => wanted.includes(s.id) || wanted.includes(String(s.number)));
    const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.id === w || String(s.number) === w));
    if (unknown.length > 0 || selected.length === 0) {
      throw new UsageError(`Unknown scenario ${unknown.join(', ') || values.only}; use ${SCENARIOS.map((s) => `${s.number}/${s.id}`).join(', ')}.`);
    }
  }
  // Only a plain full run (every scenario, no diagnostics) updates results.json and the README by default.
  const diagnostic = (values.profile ?? false) || (values.memwatch ?? false) || (values['node-args'] ?? '') !== '' || (values['plain-node'] ?? false);
  const full = selected.length === SCENARIOS.length && !diagnostic;
  return {
    selected,
    repeats,
    windowMs: positive('window-ms', values['window-ms']),
    consumerMbps: positive('consumer-mbps', values['consumer-mbps']),
    profile: values.profile ?? false,
    memwatch: values.memwatch ?? false,
    // By default the connector runs with the image's node flags; --plain-node drops them.
    nodeArgs: [...(values['plain-node'] ? [] : shippedNodeFlags()), ...(values['node-args'] ?? '').split(' ').filter(Boolean)],
    write: values['no-write'] ? false : (values.write ?? full),
  };
}

async function main(): Promise<void> {
  const cli = parseCli();
  if (!existsSync(CONNECTOR)) throw new Error(`${CONNECTOR} is missing: run npm run build first (npm run bench does).`);
  const scratch = new Scratch();
  const profileDir = cli.profile ? join(BENCH_DIR, 'tmp', `prof-${Date.now()}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const memwatchDir = cli.memwatch ? join(BENCH_DIR, 'tmp', `memwatch-${Date.now()}`) : undefined;
  if (memwatchDir) mkdirSync(memwatchDir, { recursive: true });
  const ctx: BenchContext = {
    repeats: cli.repeats,
    scratch,
    profileDir,
    rateWindowMs: cli.windowMs,
    consumerBytesPerSecond: cli.consumerMbps * 1024 * 1024,
    connectorNodeArgs: cli.nodeArgs,
    memwatchDir,
    log: (line) => process.stderr.write(line + '\n'),
  };
  const started = performance.now();
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of cli.selected) {
      ctx.log(`${scenario.number}. ${scenario.title}`);
      const t0 = performance.now();
      const result = await scenario.run(ctx);
      results.push({ id: scenario.id, number: scenario.number, title: scenario.title, wallS: Math.round((performance.now() - t0) / 100) / 10, ...result });
      ctx.log(`  (${Math.round((performance.now() - t0) / 1000)} s)`);
    }
  } finally {
    scratch.remove();
  }
  const totalWallS = (performance.now() - started) / 1000;
  const report: Report = {
    machine: machine(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    repeats: cli.repeats,
    totalWallS: Math.round(totalWallS * 10) / 10,
    settings: { rateWindowMs: cli.windowMs, consumerMBps: cli.consumerMbps, connectorNodeArgs: cli.nodeArgs, profileDir, memwatchDir },
    scenarios: results,
  };
  const m = report.machine;
  console.log(`\nMachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.os}, ${m.date}`);
  console.log(`Medians of ${cli.repeats} run(s); total ${Math.round(totalWallS)} s.\n`);
  console.log(mediansTable(results));
  console.log('');
  console.log(targetsTable(results));
  if (memwatchDir) console.log(`\nMemory traces of the connector runs: ${memwatchDir}`);
  if (profileDir) console.log(`\nCPU profiles of the connector runs: ${profileDir} (summarise with node build/bench/profile.js <file>)`);
  if (cli.write) {
    console.log(`\nWrote ${writeResults(report)}`);
    const readme = updateReadme(report);
    if (readme) console.log(`Updated ${readme}`);
  }
  const missed = results.flatMap((r) => r.checks).filter((c) => !c.met);
  if (missed.length > 0) console.log(`\n${missed.length} target(s) missed.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
