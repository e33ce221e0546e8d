/**
 * Runs the built connector (dist/main.js) as a separate process, the way the Airbyte platform
 * does, and parses what it prints. Config, catalog and state go through real files.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
export const CONNECTOR = join(REPO_ROOT, 'dist', 'main.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: string[];
  messages: Message[];
  records: Message[];
  states: Message[];
  traces: Message[];
  logs: Message[];
}

export interface RunOptions {
  config?: unknown;
  catalog?: unknown;
  state?: unknown;
  /** Extra raw CLI args (after the command and generated --config/--catalog/--state). */
  args?: string[];
  env?: Record<string, string>;
  /** Kill the process with SIGKILL once this many RECORD lines have been printed. */
  killAfterRecords?: number;
  timeoutMs?: number;
}

export function tempFile(name: string, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'src-ironscales-'));
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

export function runConnector(command: string, options: RunOptions = {}): Promise<RunResult> {
  const args = [CONNECTOR, command];
  if (options.config !== undefined) args.push('--config', tempFile('config.json', options.config));
  if (options.catalog !== undefined) args.push('--catalog', tempFile('catalog.json', options.catalog));
  if (options.state !== undefined) args.push('--state', tempFile('state.json', options.state));
  args.push(...(options.args ?? []));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let recordCount = 0;
    let killed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (options.killAfterRecords !== undefined && !killed) {
        recordCount += chunk.split('"type":"RECORD"').length - 1;
        if (recordCount >= options.killAfterRecords) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A SIGKILLed process may leave a half-written last line: the platform drops it too.
      const lines = stdout.split('\n').filter((l) => l !== '');
      const messages: Message[] = [];
      lines.forEach((line, i) => {
        try {
          messages.push(JSON.parse(line));
        } catch (err) {
          if (!(killed && i === lines.length - 1)) throw new Error(`connector printed a non-JSON line: ${line.slice(0, 200)}`);
        }
      });
      resolvePromise({
        code,
        signal,
        stdout,
        stderr,
        lines,
        messages,
        records: messages.filter((m) => m.type === 'RECORD'),
        states: messages.filter((m) => m.type === 'STATE'),
        traces: messages.filter((m) => m.type === 'TRACE'),
        logs: messages.filter((m) => m.type === 'LOG'),
      });
    });
  });
}

/** A config for the simulator `sim`: fast (no client-side limit to speak of), short timeouts; `extra` overrides. */
export function configFor(sim: { url: string; companyId: number; apiKey: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    host: sim.url,
    company_id: sim.companyId,
    api_key: sim.apiKey,
    start_date: '2020-01-01T00:00:00Z',
    requests_per_minute: 60000,
    request_timeout_seconds: 5,
    max_retry_seconds: 20,
    ...extra,
  };
}

/**
 * integration_tests/configured_catalog.json (what Airbyte would pass), reduced to `streams`
 * (default: the incidents stream alone), in the sync mode asked for (full refresh for streams without a cursor).
 */
export function catalogFor(syncMode: 'full_refresh' | 'incremental' = 'incremental', streams: string[] = ['ironscales_incidents']): unknown {
  const catalog = JSON.parse(readFileSync(join(REPO_ROOT, 'integration_tests', 'configured_catalog.json'), 'utf8'));
  catalog.streams = catalog.streams.filter((s: Message) => streams.includes(s.stream.name));
  for (const s of catalog.streams) {
    const mode = s.stream.supported_sync_modes.includes(syncMode) ? syncMode : 'full_refresh';
    s.sync_mode = mode;
    s.destination_sync_mode = mode === 'incremental' ? 'append_dedup' : 'overwrite';
  }
  return catalog;
}

/** The state array Airbyte would pass to the next sync: the last STATE of each stream of a run. */
export function stateFrom(result: RunResult): unknown[] {
  if (result.states.length === 0) throw new Error('the run emitted no STATE');
  const last = new Map<string, Message>();
  for (const s of result.states) last.set(s.state.stream.stream_descriptor.name, s.state.stream);
  return [...last.values()].map((stream) => ({ type: 'STREAM', stream }));
}

/**
 * The state the platform passes to the sync after `result`: each stream's last STATE of this run,
 * and for a stream that emitted none (it failed before its first checkpoint), the state it was
 * given (the platform keeps a stream's state until the stream sends a new one).
 */
export function carryState(previous: unknown[] | undefined, result: RunResult): unknown[] {
  const byStream = new Map<string, Message>();
  for (const entry of (previous ?? []) as Message[]) byStream.set(entry.stream.stream_descriptor.name, entry);
  for (const s of result.states) byStream.set(s.state.stream.stream_descriptor.name, { type: 'STREAM', stream: s.state.stream });
  return [...byStream.values()];
}

export function errorTraces(result: RunResult): Message[] {
  return result.traces.filter((t) => t.trace.type === 'ERROR');
}

export function streamStatuses(result: RunResult): string[] {
  return result.traces.filter((t) => t.trace.type === 'STREAM_STATUS').map((t) => t.trace.stream_status.status);
}
