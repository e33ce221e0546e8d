/**
 * Regenerates integration_tests/expected_records.jsonl: what a read against the seeded simulator
 * that acceptance-test-config.yml describes must contain (the mission's example incident and the
 * first generated incidents). `npm run build && node build/scripts/expected-records.js`
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../simulator/index.js';

/** The seeded data set behind integration_tests/ (also in acceptance-test-config.yml's comment). */
export const SEEDED = { seed: 7, incidents: 300, loadExample: true, from: '2025-01-01T00:00:00Z', to: '2025-06-30T00:00:00Z' } as const;
export const EXPECTED_IDS = 11;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  const sim = await startSimulator({ ...SEEDED, rateLimit: null });
  try {
    const dir = join(ROOT, 'out');
    const config = join(dir, 'expected-config.json');
    const catalog = join(ROOT, 'integration_tests', 'configured_catalog.json');
    writeFileSync(config, JSON.stringify({ host: sim.url, company_id: sim.companyId, api_key: sim.apiKey, start_date: '2023-01-01T00:00:00Z', requests_per_minute: 60000 }));
    // Asynchronous on purpose: the simulator serves from this very process.
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js'), 'read', '--config', config, '--catalog', catalog], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await new Promise((done) => child.on('close', done));
    const records = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((m) => m.type === 'RECORD');
    const wanted = new Set(sim.incidentIds().slice(0, EXPECTED_IDS));
    const lines = records
      .filter((r) => wanted.has(r.record.data.incident_id))
      .sort((a, b) => a.record.data.incident_id - b.record.data.incident_id)
      .map((r) => JSON.stringify({ stream: r.record.stream, data: r.record.data, emitted_at: 1700000000000 }));
    writeFileSync(join(ROOT, 'integration_tests', 'expected_records.jsonl'), lines.join('\n') + '\n');
    console.log(`wrote ${lines.length} expected records`);
  } finally {
    await sim.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
