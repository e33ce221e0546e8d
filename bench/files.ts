/** Paths, and the config / catalog / state files handed to the connector (through real files, as Airbyte does). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Simulator } from '../simulator/index.js';

/** build/bench/files.js → the repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_DIR = join(REPO_ROOT, 'bench');

export const STREAM = 'ironscales_incidents';
export const IOCS = 'ironscales_incident_iocs';
export const MITIGATIONS = 'ironscales_mitigations';
export const MAILBOXES = 'ironscales_mailboxes';
export const EMAILS = 'ironscales_escalated_emails';
export const SCANBACK = 'ironscales_scanback_incidents';
export const DEEPFAKE = 'ironscales_deepfake_events';
/** The streams the incident passes feed: each keeps its own copy of the same kind of state. */
export const INCIDENT_STREAMS = [STREAM, IOCS, MITIGATIONS];

export interface ConnectorSettings {
  requestsPerMinute: number;
  startDate: string;
  recordsPerCheckpoint?: number;
}

export function configFor(sim: Simulator, settings: ConnectorSettings): Record<string, unknown> {
  return {
    host: sim.url,
    company_id: sim.companyId,
    api_key: sim.apiKey,
    start_date: settings.startDate,
    requests_per_minute: settings.requestsPerMinute,
    ...(settings.recordsPerCheckpoint === undefined ? {} : { records_per_checkpoint: settings.recordsPerCheckpoint }),
  };
}

/** The configured catalog Airbyte would pass: integration_tests/configured_catalog.json reduced to `streams` (incremental where they can). */
export function incrementalCatalog(streams: string[] = [STREAM]): Record<string, unknown> {
  const catalog = JSON.parse(readFileSync(join(REPO_ROOT, 'integration_tests', 'configured_catalog.json'), 'utf8'));
  catalog.streams = catalog.streams.filter((s: { stream: { name: string } }) => streams.includes(s.stream.name));
  return catalog;
}

/** Airbyte's per-stream state array: the same stream state for each of `streams` (default incidents only). */
export function stateFor(streamState: Record<string, unknown>, streams: string[] = [STREAM]): unknown[] {
  return streams.map((name) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } }));
}

/** A scratch directory for the JSON files of one benchmark invocation. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'ironscales-bench-'));
  private counter = 0;

  write(name: string, value: unknown): string {
    const path = join(this.dir, `${++this.counter}-${name}`);
    writeFileSync(path, JSON.stringify(value));
    return path;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The connector's start_date format: YYYY-MM-DDTHH:mm:ssZ. */
export function startDate(msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Six fraction digits, the way the connector writes its cursor (2023-07-04T09:29:29.317504Z). */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`;
}

export function parseIsoMicros(text: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(text);
  if (!m || m[1] === undefined) throw new Error(`unexpected timestamp ${text}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}
