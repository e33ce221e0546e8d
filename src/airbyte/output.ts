/**
 * The only way the connector talks to the platform: one AirbyteMessage per line on stdout.
 * Every line passes through the secret filter, and writes honour backpressure so a slow
 * consumer slows the sync down instead of filling memory.
 */
import type { Writable } from 'node:stream';
import type {
  AirbyteMessage,
  AirbyteStateMessage,
  FailureType,
  LogLevel,
  RateLimitedReason,
  StreamDescriptor,
  StreamStatus,
} from './protocol.js';

const REDACTED = '**********';
/** Shorter values are not treated as secrets: masking them would corrupt ordinary data. */
const MIN_SECRET_LENGTH = 4;

export class SecretFilter {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    this.secrets.add(secret);
    // The same value as it appears inside a JSON string (quotes, backslashes, control chars escaped).
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) this.secrets.add(escaped);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }
}

export class MessageWriter {
  readonly secrets = new SecretFilter();
  private minLevel: LogLevel;

  constructor(
    private readonly stream: Writable,
    minLevel: LogLevel = 'INFO',
  ) {
    this.minLevel = minLevel;
  }

  /** Shared by every writer that finds the buffer full: one listener pair, however many callers wait. */
  private drained: Promise<void> | undefined;

  /**
   * Writes one message and returns its size in bytes; resolves once the stream can take more
   * (awaits 'drain' when its buffer is full), so a slow consumer slows the sync instead of filling memory.
   */
  async emit(message: AirbyteMessage): Promise<number> {
    const line = this.secrets.redact(JSON.stringify(message)) + '\n';
    if (!this.stream.write(line)) await this.waitForDrain();
    return line.length;
  }

  private waitForDrain(): Promise<void> {
    this.drained ??= new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.stream.off('drain', onDrain);
        this.stream.off('error', onError);
        this.drained = undefined;
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onError = (err: Error) => done(err);
      this.stream.on('drain', onDrain);
      this.stream.on('error', onError);
    });
    return this.drained;
  }

  setMinLevel(level: LogLevel): void {
    this.minLevel = level;
  }

  async log(level: LogLevel, message: string, stackTrace?: string): Promise<void> {
    if (LEVEL_RANK[level] < LEVEL_RANK[this.minLevel]) return;
    await this.emit({ type: 'LOG', log: { level, message, ...(stackTrace ? { stack_trace: stackTrace } : {}) } });
  }

  info(message: string): Promise<void> {
    return this.log('INFO', message);
  }

  warn(message: string): Promise<void> {
    return this.log('WARN', message);
  }

  debug(message: string): Promise<void> {
    return this.log('DEBUG', message);
  }

  /** Returns the bytes written, which feed the stream's byte estimate. */
  record(stream: string, data: Record<string, unknown>): Promise<number> {
    return this.emit({ type: 'RECORD', record: { stream, data, emitted_at: Date.now() } });
  }

  async state(state: AirbyteStateMessage): Promise<void> {
    await this.emit({ type: 'STATE', state });
  }

  async streamStatus(stream: StreamDescriptor, status: StreamStatus, reasons?: RateLimitedReason[]): Promise<void> {
    await this.emit({
      type: 'TRACE',
      trace: {
        type: 'STREAM_STATUS',
        emitted_at: Date.now(),
        stream_status: { stream_descriptor: stream, status, ...(reasons ? { reasons } : {}) },
      },
    });
  }

  /**
   * A STREAM estimate, always with both numbers: the platform's StatsTracker.trackEstimates
   * (airbyte-platform, airbyte-container-orchestrator .../bookkeeping/StatsTracker.kt) unboxes
   * byteEstimate and rowEstimate into AtomicLongs, so a missing one fails the replication.
   * SYNC estimates are never sent: ParallelStreamStatsTracker.updateEstimates refuses a mix.
   * A non-finite number would print as JSON null (the same failure), so such an estimate is not
   * sent at all; the numbers are whole and within a Java long. Returns whether it was sent.
   */
  async estimate(stream: StreamDescriptor, rows: number, bytes: number): Promise<boolean> {
    if (!Number.isFinite(rows) || !Number.isFinite(bytes)) {
      await this.debug(`Estimate for ${stream.name} not sent: ${rows} rows, ${bytes} bytes is not a number the platform can read.`);
      return false;
    }
    const whole = (n: number) => Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.round(n)));
    await this.emit({
      type: 'TRACE',
      trace: {
        type: 'ESTIMATE',
        emitted_at: Date.now(),
        estimate: {
          name: stream.name,
          ...(stream.namespace ? { namespace: stream.namespace } : {}),
          type: 'STREAM',
          row_estimate: whole(rows),
          byte_estimate: whole(bytes),
        },
      },
    });
    return true;
  }

  /**
   * A TRACE ERROR; returns its emitted_at. `emittedAt` sets it explicitly: the platform orders
   * failures by it, not by position (see the read loop's deciding error).
   */
  async error(
    message: string,
    failureType: FailureType,
    details: { internal?: string; stack?: string; stream?: StreamDescriptor; emittedAt?: number } = {},
  ): Promise<number> {
    const emittedAt = details.emittedAt ?? Date.now();
    await this.emit({
      type: 'TRACE',
      trace: {
        type: 'ERROR',
        emitted_at: emittedAt,
        error: {
          message,
          failure_type: failureType,
          ...(details.internal ? { internal_message: details.internal } : {}),
          ...(details.stack ? { stack_trace: details.stack } : {}),
          ...(details.stream ? { stream_descriptor: details.stream } : {}),
        },
      },
    });
    return emittedAt;
  }

  /**
   * A CONNECTOR_CONFIG control message. The platform REPLACES the stored config with `config`
   * (ConnectorConfigUpdater.updateSource → SourceHandler.updateSource), so it must be the whole
   * config. Secrets go out masked like every line; JsonSecretsProcessor.copySecrets restores a
   * secret field whose new value is exactly the mask, but drops an omitted one.
   */
  async control(config: Record<string, unknown>): Promise<void> {
    await this.emit({ type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', emitted_at: Date.now(), connectorConfig: { config } } });
  }
}

const LEVEL_RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };

export function parseLogLevel(value: string | undefined): LogLevel {
  const upper = (value ?? '').toUpperCase();
  return upper in LEVEL_RANK ? (upper as LogLevel) : upper === 'WARNING' ? 'WARN' : 'INFO';
}
