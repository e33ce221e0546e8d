/**
 * Regenerates integration_tests/expected_records.jsonl: what a read against the seeded simulator
 * that acceptance-test-config.yml describes must contain, for every stream: the first incidents
 * (the mission's example incident among them), their IOC rows, mitigations and escalated e-mails,
 * the first mailboxes, the first scanback incidents and the first deepfake events of the feed.
 * `npm run build && node build/scripts/expected-records.js`
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../simulator/index.js';

/** The seeded data set behind integration_tests/ (also in acceptance-test-config.yml's comment). */
export const SEEDED = {
  seed: 7, incidents: 300, scanbackIncidents: 20, deepfakeEvents: 120, loadExample: true, from: '2025-01-01T00:00:00Z', to: '2025-06-30T00:00:00Z',
} as const;
/** How many of the simulator's first incidents (and, with them, their IOC rows and mitigations) are expected. */
export const EXPECTED_IDS = 11;
/** How many mailboxes (lowest ids) are expected. */
export const EXPECTED_MAILBOXES = 5;
/** How many scanback incidents (lowest ids) are expected. */
export const EXPECTED_SCANBACKS = 3;
/** How many deepfake events (the first of the feed) are expected. */
export const EXPECTED_DEEPFAKES = 5;
/** The streams whose rows belong to an incident, kept for the chosen incidents. */
export const BY_INCIDENT = ['ironscales_incidents', 'ironscales_incident_iocs', 'ironscales_mitigations', 'ironscales_escalated_emails'];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ExpectedLine {
  stream: string;
  data: Record<string, unknown>;
}

/** The incident a row belongs to (mitigations and scanback incidents spell it incidentID). */
export function incidentOf(line: ExpectedLine): number | undefined {
  const id = line.data.incident_id ?? line.data.incidentID;
  return typeof id === 'number' ? id : undefined;
}

/**
 * The expected lines out of a full read's records: every row of the chosen incidents in the
 * streams fed by incidents, the first mailboxes and scanback incidents (lowest ids) and the first
 * deepfake events of the feed. Sorted by stream then key, so the file diffs well.
 */
export function selectExpected(records: ExpectedLine[], firstIncidents: number[]): ExpectedLine[] {
  const wanted = new Set(firstIncidents.slice(0, EXPECTED_IDS));
  const lowest = (stream: string, id: (r: ExpectedLine) => number, count: number) =>
    new Set(records.filter((r) => r.stream === stream).map(id).sort((a, b) => a - b).slice(0, count));
  const mailboxIds = lowest('ironscales_mailboxes', (r) => r.data.id as number, EXPECTED_MAILBOXES);
  const scanbackIds = lowest('ironscales_scanback_incidents', (r) => r.data.incidentID as number, EXPECTED_SCANBACKS);
  const deepfakes = new Set(records.filter((r) => r.stream === 'ironscales_deepfake_events').slice(0, EXPECTED_DEEPFAKES).map((r) => r.data.event_uuid));
  const keep = (r: ExpectedLine) => {
    if (BY_INCIDENT.includes(r.stream)) return wanted.has(incidentOf(r) as number);
    if (r.stream === 'ironscales_mailboxes') return mailboxIds.has(r.data.id as number);
    if (r.stream === 'ironscales_scanback_incidents') return scanbackIds.has(r.data.incidentID as number);
    return r.stream === 'ironscales_deepfake_events' && deepfakes.has(r.data.event_uuid);
  };
  const order = [...BY_INCIDENT, 'ironscales_mailboxes', 'ironscales_scanback_incidents', 'ironscales_deepfake_events'];
  const key = (r: ExpectedLine) =>
    JSON.stringify([order.indexOf(r.stream), incidentOf(r) ?? r.data.id ?? 0, r.data.mitigationID ?? r.data.mitigation_id ?? 0, r.data.ioc_type ?? '', r.data.value ?? '', r.data.event_uuid ?? '']);
  return records.filter(keep).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function main(): Promise<void> {
  const sim = await startSimulator({ ...SEEDED, rateLimit: null });
  try {
    const dir = join(ROOT, 'out');
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'expected-config.json');
    const catalog = join(ROOT, 'integration_tests', 'configured_catalog.json');
    writeFileSync(config, JSON.stringify({ host: sim.url, company_id: sim.companyId, api_key: sim.apiKey, start_date: '2023-01-01T00:00:00Z', requests_per_minute: 60000 }));
    // Asynchronous on purpose: the simulator serves from this very process.
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js'), 'read', '--config', config, '--catalog', catalog], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise((done) => child.on('close', done));
    if (code !== 0) throw new Error(`the read exited with ${String(code)}: expected_records.jsonl left unchanged`);
    const records = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((m) => m.type === 'RECORD')
      .map((m) => ({ stream: m.record.stream as string, data: m.record.data as Record<string, unknown> }));
    const lines = selectExpected(records, sim.incidentIds()).map((r) => JSON.stringify({ stream: r.stream, data: r.data, emitted_at: 1700000000000 }));
    writeFileSync(join(ROOT, 'integration_tests', 'expected_records.jsonl'), lines.join('\n') + '\n');
    console.log(`wrote ${lines.length} expected records`);
  } finally {
    await sim.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
