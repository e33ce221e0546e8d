/**
 * The IRONSCALES source: the config, one API client shared by every stream (so one rate limiter
 * paces them all), and the streams. Protocol mechanics live in src/airbyte, API mechanics in
 * src/ironscales, what each stream reads in src/streams.
 */
import { configError, type AirbyteTracedError } from './airbyte/errors.js';
import type { MessageWriter } from './airbyte/output.js';
import type { ConnectorSpecification } from './airbyte/protocol.js';
import type { Source } from './airbyte/runner.js';
import type { ReadSession, StreamReader } from './airbyte/stream.js';
import { toAirbyteError } from './failures.js';
import { IronscalesClient } from './ironscales/client.js';
import { parseTimestamp } from './ironscales/timestamps.js';
import { ConfigError, DEFAULT_START_DAYS_AGO, parseConfig, specification, type Config } from './spec.js';
import { streams } from './streams/index.js';

export class IronscalesSource implements Source<Config> {
  spec(): ConnectorSpecification {
    return specification;
  }

  parseConfig(rawConfig: unknown): Config {
    try {
      return parseConfig(rawConfig);
    } catch (err) {
      if (err instanceof ConfigError) throw configError(err.message);
      throw err;
    }
  }

  /** Gets a token and reads one list item: proves the host, the key, the scopes and the company ID together, fast. */
  async check(config: Config, out: MessageWriter): Promise<void> {
    const client = this.client(config, out, undefined, { failFast: true });
    try {
      await client.authenticate();
      const now = client.serverNow();
      await client.listIncidents({ page: 1, itemsPerPage: 1, created: { start: now - 86_400_000_000, end: now } });
    } catch (err) {
      throw toAirbyteError(err);
    } finally {
      client.close();
    }
  }

  readers(config: Config, { out }: Pick<ReadSession, 'out'>): StreamReader[] {
    // Built on first use, so discover makes no call; every stream's session shares it.
    let shared: IronscalesClient | undefined;
    let current: ReadSession | undefined;
    const client = (session: ReadSession) => {
      current = session;
      shared ??= this.client(config, out, () => current);
      return shared;
    };
    return streams(client, {
      companyId: config.companyId,
      startDate: config.startDate === undefined ? undefined : parseTimestamp(config.startDate),
      defaultStartDays: DEFAULT_START_DAYS_AGO,
      lookbackMinutes: config.lookbackMinutes,
      recordsPerCheckpoint: config.recordsPerCheckpoint,
      maxRetryMs: config.maxRetryMs,
    });
  }

  toTracedError(err: unknown): AirbyteTracedError {
    return toAirbyteError(err);
  }

  private client(config: Config, out: MessageWriter, session?: () => ReadSession | undefined, options: { failFast?: boolean } = {}): IronscalesClient {
    return new IronscalesClient(
      { ...config, ...options },
      {
        onToken: (jwt) => out.secrets.add(jwt),
        onLog: (message) => out.info(message),
        onRetry: (reason, attempt) => out.warn(`${reason}; retry ${attempt} with exponential backoff.`),
        onRateLimited: async (waitMs, quotaReset) => {
          await out.warn(`IRONSCALES rate limit reached (HTTP 429); all requests wait ${Math.ceil(waitMs / 1000)} s as the server asked.`);
          await session?.()?.rateLimited(quotaReset);
        },
      },
    );
  }
}
