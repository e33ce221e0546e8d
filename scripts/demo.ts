/**
 * `npm run demo`: the sequence Airbyte runs, against the bundled IRONSCALES simulator.
 * spec → check → discover → read (first sync, full history) → new and reclassified incidents
 * arrive → read (incremental, with the saved state). Records land in
 * out/ironscales_incidents.ndjson, one incident per line, deduplicated on incident_id the way an
 * "Append + Deduped" destination would (the latest version wins).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../simulator/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'out');
const CONNECTOR = join(ROOT, 'dist', 'main.js');
const STREAM = 'ironscales_incidents';

interface Run {
  code: number | null;
  messages: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  seconds: number;
}

function run(args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CONNECTOR, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (buffer += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const messages = buffer.split('\n').filter(Boolean).map((line) => JSON.parse(line));
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

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  // IRONSCALES' real budget is 120 calls per 60 s; the demo keeps the ratio but runs the clock 10× faster.
  const sim = await startSimulator({ seed: 7, incidents: 300, loadExample: true, rateLimit: { limit: 120, windowMs: 6000 } });
  const table = new Map<number, Record<string, unknown>>();
  try {
    console.log(`IRONSCALES simulator at ${sim.url} (company ${sim.companyId}, ${sim.incidentIds().length} incidents, 120 calls per 6 s)`);
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
    const stream = discover.messages.find((m) => m.type === 'CATALOG')?.catalog.streams[0];
    const catalogPath = write('configured_catalog.json', {
      streams: [{ stream, sync_mode: 'incremental', destination_sync_mode: 'append_dedup', cursor_field: ['first_reported_date'], primary_key: [['incident_id']] }],
    });
    console.log(`discover  ✓ stream ${stream.name}, cursor ${stream.default_cursor_field}, primary key ${stream.source_defined_primary_key}`);

    const sync = async (label: string, statePath?: string) => {
      sim.resetStats();
      const result = await run(['read', '--config', configPath, '--catalog', catalogPath, ...(statePath ? ['--state', statePath] : [])]);
      expectOk(label, result);
      const records = result.messages.filter((m) => m.type === 'RECORD');
      for (const r of records) table.set(r.record.data.incident_id, r.record.data);
      const lastState = result.messages.filter((m) => m.type === 'STATE').at(-1);
      const stats = sim.stats();
      console.log(
        `${label.padEnd(9)} ✓ ${records.length} records in ${result.seconds.toFixed(1)} s; ` +
          `${stats.total} API calls (${stats.requests.token} token, ${stats.requests.list} list, ${stats.requests.details} details), ` +
          `${stats.throttled} × 429; cursor ${lastState?.state.stream.stream_state.first_reported_date}`,
      );
      return write(`state.json`, [{ type: 'STREAM', stream: lastState?.state.stream }]);
    };

    const statePath = await sync('read #1');
    const now = Date.now();
    const added = sim.generateIncidents(20, { from: new Date(now - 20 * 60_000).toISOString(), to: new Date(now - 60_000).toISOString() });
    const reclassified = sim.incidentIds()[5]!;
    sim.reclassify(reclassified, 'False Positive');
    console.log(`          … ${added.length} new incidents arrive, incident ${reclassified} is reclassified as False Positive`);
    await sync('read #2', statePath);

    const ndjson = [...table.values()].sort((a, b) => String(a.first_reported_date).localeCompare(String(b.first_reported_date)));
    const outFile = join(OUT, `${STREAM}.ndjson`);
    writeFileSync(outFile, ndjson.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const latest = table.get(reclassified)?.classification;
    console.log(`\n${ndjson.length} incidents (deduplicated on incident_id) → ${outFile}`);
    console.log(`incident ${reclassified} now reads "${latest}"; example incident 123456 present: ${table.has(123456)}`);
  } finally {
    await sim.close();
  }
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
