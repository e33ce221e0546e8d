/**
 * `npm run demo`: the sequence Airbyte runs, against the bundled IRONSCALES simulator.
 * spec → check → discover (seven streams) → read #1 (every stream, from nothing) → new and
 * reclassified incidents, scanback incidents and deepfake events arrive → read #2 (with read #1's
 * state). Each stream's table lands in
 * out/<stream>.ndjson the way a destination would hold it: incremental streams deduplicated on
 * their primary key (the latest version wins), the full-refresh mailboxes overwritten by each sync.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Endpoint, type Simulator } from '../simulator/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'out');
const CONNECTOR = join(ROOT, 'dist', 'main.js');
/** The connector's windows end at IRONSCALES' time minus 2 s: a change younger than that waits for the next sync. */
const SETTLE_MS = 2_500;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Message = Record<string, any>;

interface Run {
  code: number | null;
  messages: Message[];
  seconds: number;
}

/** Which endpoints each stream's reading calls: IOC rows come out of the incidents' details, at no cost. */
const STREAM_ENDPOINTS: Record<string, Endpoint[]> = {
  ironscales_incidents: ['token', 'list', 'open', 'details', 'ato'],
  ironscales_incident_iocs: [],
  ironscales_mitigations: ['mitigations'],
  ironscales_mailboxes: ['mailboxes'],
  ironscales_escalated_emails: ['emails'],
  ironscales_scanback_incidents: ['scanback'],
  ironscales_deepfake_events: ['deepfake'],
};

function run(args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CONNECTOR, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (buffer += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const messages = buffer.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Message);
      resolvePromise({ code, messages, seconds: (Date.now() - started) / 1000 });
    });
  });
}

function write(name: string, value: unknown): string {
  const path = join(OUT, name);
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
  return path;
}

function expectOk(step: string, result: Run): void {
  const error = result.messages.find((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  if (result.code !== 0 || error) {
    throw new Error(`${step} failed (exit ${result.code}): ${error?.trace.error.message ?? 'no error message'}`);
  }
}

/** A destination's view of one stream: rows by primary key, or the last sync's rows for an overwrite. */
class Table {
  readonly rows = new Map<string, unknown>();
  constructor(
    readonly name: string,
    private readonly primaryKey: string[][],
    readonly overwrite: boolean,
  ) {}

  key(data: Record<string, unknown>): string {
    return JSON.stringify(this.primaryKey.map((path) => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data)));
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // IRONSCALES' real budgets are 120 calls per 60 s, and 20 of escalated e-mails; the demo keeps the ratios but runs the clock 10× faster.
  const sim = await startSimulator({
    seed: 7, incidents: 300, scanbackIncidents: 20, deepfakeEvents: 120, loadExample: true,
    rateLimit: { limit: 120, windowMs: 6000 }, emailsRateLimit: { limit: 20, windowMs: 6000 },
  });
  try {
    console.log(
      `IRONSCALES simulator at ${sim.url} (company ${sim.companyId}, ${sim.incidentIds().length} incidents, ${sim.scanbackIncidentIds().length} scanback incidents, ` +
        `${sim.deepfakeEvents().length} deepfake events, 120 calls per 6 s)`,
    );
    const configPath = write('config.json', {
      host: sim.url,
      company_id: sim.companyId,
      api_key: sim.apiKey,
      start_date: '2023-01-01T00:00:00Z',
      requests_per_minute: 1200,
    });

    const spec = await run(['spec']);
    expectOk('spec', spec);
    console.log(`spec      ✓ ${Object.keys(spec.messages[0]?.spec.connectionSpecification.properties ?? {}).length} config fields`);

    const check = await run(['check', '--config', configPath]);
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus;
    if (status?.status !== 'SUCCEEDED') throw new Error(`check failed: ${status?.message}`);
    console.log('check     ✓ connection succeeded');

    const discover = await run(['discover', '--config', configPath]);
    expectOk('discover', discover);
    const streams: Message[] = discover.messages.find((m) => m.type === 'CATALOG')?.catalog.streams ?? [];
    // Configured as the Airbyte UI does by default: incremental + deduped where the stream allows it.
    const configured = streams.map((stream) => {
      const incremental = (stream.supported_sync_modes as string[]).includes('incremental');
      return {
        stream,
        sync_mode: incremental ? 'incremental' : 'full_refresh',
        destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
        ...(incremental ? { cursor_field: stream.default_cursor_field } : {}),
        primary_key: stream.source_defined_primary_key,
      };
    });
    const catalogPath = write('configured_catalog.json', { streams: configured });
    const tables = configured.map((c) => new Table(c.stream.name, c.stream.source_defined_primary_key ?? [], c.sync_mode === 'full_refresh'));
    console.log(`discover  ✓ ${streams.length} streams:`);
    for (const c of configured) {
      console.log(`          ${c.stream.name.padEnd(30)} ${c.sync_mode.padEnd(12)} cursor ${(c.cursor_field ?? ['–']).join('.').padEnd(20)} primary key ${JSON.stringify(c.primary_key)}`);
    }

    const sync = (label: string, statePath?: string) => read(sim, label, configPath, catalogPath, tables, statePath);

    const statePath = await sync('read #1');
    const now = Date.now();
    const added = sim.generateIncidents(20, { from: new Date(now - 20 * 60_000).toISOString(), to: new Date(now - 60_000).toISOString() });
    const reclassified = sim.incidentIds()[5] as number;
    sim.reclassify(reclassified, 'False Positive');
    const scanbacks = sim.generateScanbackIncidents(3, { from: new Date(now - 20 * 60_000).toISOString(), to: new Date(now - 60_000).toISOString() });
    const events = sim.addDeepfakeEvents(4);
    console.log(
      `\n… ${added.length} new incidents arrive (their e-mails arrived before they were reported), incident ${reclassified} is reclassified as False Positive, ` +
        `${scanbacks.length} scanback incidents and ${events.length} deepfake events arrive`,
    );
    // The reclassification is stamped "now": let it fall inside the next sync's window.
    await sleep(SETTLE_MS);
    await sync('read #2', statePath);

    console.log('');
    for (const table of tables) {
      const path = join(OUT, `${table.name}.ndjson`);
      writeFileSync(path, [...table.rows.values()].map((r) => JSON.stringify(r)).join('\n') + '\n');
      console.log(`${String(table.rows.size).padStart(6)} rows → ${path}${table.overwrite ? ' (overwritten by each sync)' : ' (deduplicated on the primary key)'}`);
    }
    const incidents = tables.find((t) => t.name === 'ironscales_incidents');
    const latest = incidents?.rows.get(JSON.stringify([reclassified])) as Record<string, unknown> | undefined;
    console.log(`\nincident ${reclassified} now reads "${latest?.classification}"; example incident 123456 present: ${incidents?.rows.has(JSON.stringify([123456]))}`);
  } finally {
    await sim.close();
  }
}

/** One sync: prints per stream its records, estimate, API calls and 429s; returns the state file for the next one. */
async function read(sim: Simulator, label: string, configPath: string, catalogPath: string, tables: Table[], statePath?: string): Promise<string> {
  sim.resetStats();
  const result = await run(['read', '--config', configPath, '--catalog', catalogPath, ...(statePath ? ['--state', statePath] : [])]);
  expectOk(label, result);
  const stats = sim.stats();
  console.log(`\n${label}   ✓ ${result.seconds.toFixed(1)} s, ${stats.total} API calls, ${stats.throttled} × 429`);
  console.log(`          ${'stream'.padEnd(30)} ${'records'.padStart(7)} ${'estimate'.padStart(8)}  API calls (429s)`);
  for (const table of tables) {
    const records = result.messages.filter((m) => m.type === 'RECORD' && m.record.stream === table.name);
    if (table.overwrite) table.rows.clear();
    for (const r of records) table.rows.set(table.key(r.record.data), r.record.data);
    // Each ESTIMATE replaces the previous one: the last is the sync's whole expectation.
    const estimate = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE' && m.trace.estimate.name === table.name).at(-1)?.trace.estimate;
    const endpoints = STREAM_ENDPOINTS[table.name] ?? [];
    const calls = endpoints.filter((e) => stats.requests[e] > 0).map((e) => `${stats.requests[e]} ${e}`);
    const throttled = stats.log.filter((e) => e.status === 429 && endpoints.includes(e.endpoint)).length;
    const cost = endpoints.length === 0 ? '0 (rows come from the incidents\' details)' : `${calls.join(' + ') || '0'} (${throttled})`;
    console.log(`          ${table.name.padEnd(30)} ${String(records.length).padStart(7)} ${String(estimate?.row_estimate ?? '–').padStart(8)}  ${cost}`);
  }
  // What the platform hands the next sync: the last state of each stream.
  const last = new Map<string, Message>();
  for (const m of result.messages) if (m.type === 'STATE') last.set(m.state.stream.stream_descriptor.name, m.state.stream);
  const cursor = (last.get('ironscales_incidents') as Message | undefined)?.stream_state?.first_reported_date;
  console.log(`          cursor ${cursor}`);
  return write('state.json', [...last.values()].map((stream) => ({ type: 'STREAM', stream: { stream_descriptor: stream.stream_descriptor, stream_state: stream.stream_state } })));
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
