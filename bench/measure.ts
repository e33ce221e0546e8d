/**
 * Runs the built connector (`node dist/main.js read ...`) as a separate process and measures it
 * from outside:
 *  - wall time: from spawn() to the child's 'exit' event (so Node's own start-up is included);
 *  - peak RSS: the kernel's high-water mark VmHWM from /proc/<pid>/status, sampled every
 *    `sampleMs`. VmHWM only ever grows, so a late sample never misses an earlier peak; only growth
 *    in the last interval before exit could be missed (the kernel frees the address space before
 *    the pipe closes, so it cannot be read at end-of-stream);
 *  - CPU time of the connector: utime + stime from /proc/<pid>/stat, same sampling;
 *  - what it printed: RECORD lines are counted without being parsed (they can be 30 KB each);
 *    every other line is parsed (STATE, LOG, TRACE).
 * stdout can be read by a slow consumer that takes at most `consumerBytesPerSecond`, pausing the
 * pipe when ahead of that pace, so the connector's backpressure handling is exercised.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './files.js';

export const CONNECTOR = join(REPO_ROOT, 'dist', 'main.js');

/**
 * The node flags the Docker image runs the connector with (its ENTRYPOINT, which AIRBYTE_ENTRYPOINT
 * equals), so the benchmark measures the connector as it ships. Read from the Dockerfile, the one
 * place they are set.
 */
export function shippedNodeFlags(): string[] {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const line = dockerfile.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  if (!line) throw new Error('Dockerfile has no ENTRYPOINT line');
  const argv = JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
  const script = argv.findIndex((a) => a.endsWith('dist/main.js'));
  return argv.slice(1, script);
}

const RECORD_PREFIX = Buffer.from('{"type":"RECORD"');
/** Bytes of a line read before deciding what it is: the RECORD prefix plus the stream's name. */
const HEAD_BYTES = 96;
const STREAM_NAME = /^\{"type":"RECORD","record":\{"stream":"([^"]+)"/;
/** Linux USER_HZ; the kernel's ABI fixes it at 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

export interface ConnectorRunOptions {
  configPath: string;
  catalogPath: string;
  statePath?: string;
  /** Slow consumer: read stdout at no more than this many bytes per second. Unset = as fast as possible. */
  consumerBytesPerSecond?: number;
  /** How often /proc is sampled. */
  sampleMs?: number;
  timeoutMs?: number;
  /** Extra node flags for the connector process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Extra environment variables for the connector process. */
  env?: Record<string, string>;
}

export interface ConnectorRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallMs: number;
  /** Largest VmHWM seen, in KiB; 0 if the process ended before the first sample. */
  peakRssKb: number;
  /** Last utime + stime seen, in ms. */
  cpuMs: number;
  samples: number;
  records: number;
  /** RECORD lines per stream name. */
  recordsByStream: Record<string, number>;
  stdoutBytes: number;
  /** Wall time the consumer spent with the pipe paused (slow consumer only). */
  consumerPausedMs: number;
  states: Message[];
  errors: string[];
  warnings: string[];
  /** The connector's own closing summary line (records and calls), if printed. */
  summary: string | undefined;
  stderr: string;
}

/** Splits stdout into lines; RECORD lines are only counted, other lines are collected and parsed. */
class LineSplitter {
  private pieces: Buffer[] = [];
  private bytes = 0;
  private isRecord: boolean | undefined;
  private recordStream = '';

  constructor(
    private readonly onRecord: (stream: string) => void,
    private readonly onOther: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(10, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (end > pos) this.take(chunk.subarray(pos, end));
      if (nl < 0) break;
      this.finishLine();
      pos = nl + 1;
    }
  }

  end(): void {
    if (this.bytes > 0 || this.isRecord) this.finishLine();
  }

  private take(part: Buffer): void {
    if (this.isRecord === true) return;
    this.pieces.push(part);
    this.bytes += part.length;
    // Enough of the line to hold the record's stream name (the writer puts it first).
    if (this.isRecord === undefined && this.bytes >= HEAD_BYTES) this.classify();
  }

  private classify(): void {
    const head = Buffer.concat(this.pieces);
    this.isRecord = head.subarray(0, RECORD_PREFIX.length).equals(RECORD_PREFIX);
    if (this.isRecord) {
      this.recordStream = STREAM_NAME.exec(head.subarray(0, HEAD_BYTES).toString('utf8'))?.[1] ?? '?';
      this.pieces = [];
      this.bytes = 0;
    }
  }

  private finishLine(): void {
    if (this.isRecord === undefined && this.bytes > 0) this.classify();
    if (this.isRecord === true) this.onRecord(this.recordStream);
    else if (this.bytes > 0) this.onOther(Buffer.concat(this.pieces).toString('utf8'));
    this.pieces = [];
    this.bytes = 0;
    this.isRecord = undefined;
  }
}

interface ProcSample {
  hwmKb: number;
  cpuMs: number;
}

function sampleProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (!hwm) return undefined; // a zombie has no memory map any more
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { hwmKb: Number(hwm[1]), cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

export function runConnector(options: ConnectorRunOptions): Promise<ConnectorRun> {
  const args = [...(options.nodeArgs ?? []), CONNECTOR, 'read', '--config', options.configPath, '--catalog', options.catalogPath];
  if (options.statePath !== undefined) args.push('--state', options.statePath);
  const sampleMs = options.sampleMs ?? 20;
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: REPO_ROOT,
    env: options.env === undefined ? process.env : { ...process.env, ...options.env },
  });
  const pid = child.pid;

  const run: ConnectorRun = {
    code: null, signal: null, timedOut: false, wallMs: 0, peakRssKb: 0, cpuMs: 0, samples: 0,
    records: 0, recordsByStream: {}, stdoutBytes: 0, consumerPausedMs: 0, states: [], errors: [], warnings: [], summary: undefined, stderr: '',
  };

  const sample = (): void => {
    if (pid === undefined) return;
    const s = sampleProc(pid);
    if (!s) return;
    run.samples += 1;
    if (s.hwmKb > run.peakRssKb) run.peakRssKb = s.hwmKb;
    if (s.cpuMs > run.cpuMs) run.cpuMs = s.cpuMs;
  };
  sample();
  const sampler = setInterval(sample, sampleMs);

  const splitter = new LineSplitter(
    (stream) => {
      run.records += 1;
      run.recordsByStream[stream] = (run.recordsByStream[stream] ?? 0) + 1;
    },
    (line) => {
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
      } catch {
        run.errors.push(`non-JSON line on stdout: ${line.slice(0, 200)}`);
        return;
      }
      if (message.type === 'STATE') run.states.push(message);
      else if (message.type === 'TRACE' && message.trace?.type === 'ERROR') run.errors.push(String(message.trace.error?.message));
      else if (message.type === 'LOG') {
        const level = message.log?.level;
        const text = String(message.log?.message);
        if (level === 'WARN' || level === 'ERROR' || level === 'FATAL') run.warnings.push(text);
        if (/records \(.*calls\.$/.test(text)) run.summary = text;
      }
    },
  );

  // The slow consumer: a token bucket of `rate` bytes per second holding at most `burst` bytes;
  // when a chunk overdraws it, the pipe is paused until the bucket is back at zero, so the kernel
  // pipe fills and the connector's writes see backpressure.
  const rate = options.consumerBytesPerSecond;
  const burst = rate === undefined ? 0 : Math.max(64 * 1024, rate / 100);
  let tokens = burst;
  let refilledAt = performance.now();
  let resumeTimer: NodeJS.Timeout | undefined;
  let pausedAt = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    run.stdoutBytes += chunk.length;
    splitter.push(chunk);
    if (rate === undefined) return;
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * rate);
    refilledAt = now;
    tokens -= chunk.length;
    if (tokens < 0) {
      child.stdout.pause();
      pausedAt = now;
      resumeTimer = setTimeout(() => {
        resumeTimer = undefined;
        run.consumerPausedMs += performance.now() - pausedAt;
        child.stdout.resume();
      }, (-tokens / rate) * 1000);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (run.stderr.length < 20_000) run.stderr += chunk;
  });

  const timeout = setTimeout(() => {
    run.timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 600_000);

  return new Promise((resolve, reject) => {
    let exited = false;
    let closed = false;
    const finish = (): void => {
      if (!exited || !closed) return;
      clearTimeout(timeout);
      if (resumeTimer) clearTimeout(resumeTimer);
      splitter.end();
      resolve(run);
    };
    child.on('error', (err) => {
      clearInterval(sampler);
      clearTimeout(timeout);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      run.wallMs = performance.now() - started;
      clearInterval(sampler);
      run.code = code;
      run.signal = signal;
      exited = true;
      finish();
    });
    child.on('close', () => {
      closed = true;
      finish();
    });
  });
}

/** The state array Airbyte passes to the next sync: the last STATE of each stream. */
export function nextState(run: ConnectorRun): unknown[] {
  const last = new Map<string, unknown>();
  for (const message of run.states) last.set(String(message.state.stream?.stream_descriptor?.name), message.state.stream);
  if (last.size === 0) throw new Error('the run emitted no STATE message');
  return [...last.values()].map((stream) => ({ type: 'STREAM', stream }));
}
