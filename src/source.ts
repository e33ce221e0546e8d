/**
 * The IRONSCALES source: the config, one API client shared by every stream (so one rate limiter
 * paces them all), and the streams. Protocol mechanics live in src/airbyte, API mechanics in
 * src/ironscales, what each stream reads in src/streams, where the history starts in start-date.ts.
 */
import { configError, type AirbyteTracedError } from './airbyte/errors.js';
import type { MessageWriter } from './airbyte/output.js';
import type { ConnectorSpecification } from './airbyte/protocol.js';
import type { Source } from './airbyte/runner.js';
import type { PlannedStream, ReadSession, StreamReader } from './airbyte/stream.js';
import { toAirbyteError } from './failures.js';
import { IronscalesClient, type ClientEvents } from './ironscales/client.js';
import { nowMicros, parseTimestamp } from './ironscales/timestamps.js';
import { ConfigError, DEFAULT_START_DAYS_AGO, parseConfig, specification, type Config } from './spec.js';
import { EARLIEST_START, futureStartProblem, pinnedStart, startToPin } from './start-date.js';
import { streams } from './streams/index.js';

const DAY_US = 86_400_000_000;

export class IronscalesSource implements Source<Config> {
  /** One client for the whole run: the read's preparation and its streams share its token and its limiter. */
  private shared: SharedClient | undefined;
  private session: ReadSession | undefined;

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
    for (const warning of config.warnings) await out.warn(warning);
    const client = new IronscalesClient({ ...config, failFast: true }, clientEvents(out));
    try {
      await client.authenticate();
      const now = client.serverNow();
      if (config.startDate !== undefined) {
        const problem = futureStartProblem(config.startDate, parseTimestamp(config.startDate), now);
        if (problem) throw configError(problem);
      }
      await client.listIncidents({ page: 1, itemsPerPage: 1, created: { start: now - 86_400_000_000, end: now } });
    } catch (err) {
      throw toAirbyteError(err);
    } finally {
      client.close();
    }
  }

  /**
   * Before a read: a start_date after IRONSCALES' now is refused; without start_date, the start is
   * pinned (start-date.ts) and the whole config, with it, goes back to the platform. An API call is
   * made here only when IRONSCALES' clock must decide; otherwise the streams make the first one,
   * inside their own statuses.
   */
  async prepareRead(config: Config, rawConfig: unknown, planned: readonly PlannedStream[], out: MessageWriter): Promise<Record<string, unknown> | undefined> {
    for (const warning of config.warnings) await out.warn(warning);
    const raw = rawConfig as Record<string, unknown>;
    if (config.startDate !== undefined) {
      const start = parseTimestamp(config.startDate);
      // Clocks differ by seconds, not a day: a start a day behind this machine's now cannot be in IRONSCALES' future.
      if (start < nowMicros() - DAY_US) return undefined;
      const problem = futureStartProblem(config.startDate, start, await this.serverNow(config, out));
      if (problem) throw configError(problem);
      return undefined;
    }
    const pin = startToPin(planned);
    if (pin === undefined) return undefined;
    if (pin === 'earliest') {
      await warnEarliest(out);
      return { ...raw, start_date: EARLIEST_START };
    }
    const startDate = pinnedStart('default', await this.serverNow(config, out));
    await out.info(`start_date was empty: this first sync starts at ${startDate} (${DEFAULT_START_DAYS_AGO} days back) and saves it in the source's settings.`);
    return { ...raw, start_date: startDate };
  }

  /** IRONSCALES' now, from the token call the streams would make first anyway (SharedClient keeps it for them). */
  private async serverNow(config: Config, out: MessageWriter): Promise<number> {
    const api = this.api(config, out);
    try {
      await api.authenticate();
    } catch (err) {
      throw toAirbyteError(err);
    }
    return api.serverNow();
  }

  readers(config: Config, { out }: Pick<ReadSession, 'out'>): StreamReader[] {
    // The client is built on first use, so discover makes no call.
    const client = (session: ReadSession) => {
      this.session = session;
      return this.api(config, out);
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

  /** The run's shared client. A pinned start_date changes nothing it uses, so the one built first serves the whole read. */
  private api(config: Config, out: MessageWriter): SharedClient {
    this.shared ??= new SharedClient(config, clientEvents(out, () => this.session));
    return this.shared;
  }
}

function clientEvents(out: MessageWriter, session?: () => ReadSession | undefined): ClientEvents {
  return {
    onToken: (jwt) => out.secrets.add(jwt),
    onLog: (message) => out.info(message),
    onRetry: (reason, attempt) => out.warn(`${reason}; retry ${attempt} with exponential backoff.`),
    onRateLimited: async (waitMs, quotaReset) => {
      await out.warn(`IRONSCALES rate limit reached (HTTP 429); all requests wait ${Math.ceil(waitMs / 1000)} s as the server asked.`);
      await session?.()?.rateLimited(quotaReset);
    },
  };
}

/**
 * A client whose first token is shared: the read's preparation fetches the token (and with it
 * IRONSCALES' clock) that the incident passes would otherwise fetch again at their start, so a
 * sync still costs one token call. Later renewals are the client's own (expiry, refusals).
 */
class SharedClient extends IronscalesClient {
  private first: Promise<void> | undefined;

  override authenticate(): Promise<void> {
    this.first ??= super.authenticate().catch((err: unknown) => {
      this.first = undefined;
      throw err;
    });
    return this.first;
  }
}

async function warnEarliest(out: MessageWriter): Promise<void> {
  await out.warn(
    `start_date is empty and this connection has synced before (or a stream was refreshed or cleared), so how far back the destination's history goes is unknown. ` +
      `The connector saves start_date ${EARLIEST_START} in the source's settings, which never reads less than the destination holds; a saved cursor is not moved by it, ` +
      `but a later Refresh or Clear reads every incident since then. To read less, set Start Date in the source's settings.`,
  );
}
