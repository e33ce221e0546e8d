/**
 * The IRONSCALES source: wires the config, the API client and the stream into the four Airbyte
 * commands. Protocol mechanics live in src/airbyte, API mechanics in src/ironscales.
 */
import { AirbyteTracedError, configError } from './airbyte/errors.js';
import { secretsFromSpec } from './airbyte/secrets.js';
import { toAirbyteError } from './failures.js';
import { IronscalesApiError } from './ironscales/errors.js';
import type { MessageWriter } from './airbyte/output.js';
import type { AirbyteCatalog, ConfiguredAirbyteCatalog, ConnectorSpecification } from './airbyte/protocol.js';
import type { Source } from './airbyte/runner.js';
import { StreamCheckpointer, type StreamState } from './airbyte/state.js';
import { IronscalesClient } from './ironscales/client.js';
import { parseTimestamp } from './ironscales/timestamps.js';
import { ConfigError, parseConfig, specification, type Config } from './spec.js';
import { INCIDENTS_STREAM, IncidentsStream, incidentsStream, parseIncidentsState } from './streams/incidents.js';

export class IronscalesSource implements Source<Config> {
  spec(): ConnectorSpecification {
    return specification;
  }

  secretsIn(rawConfig: unknown): string[] {
    return secretsFromSpec(specification.connectionSpecification, rawConfig);
  }

  parseConfig(rawConfig: unknown): Config {
    try {
      return parseConfig(rawConfig);
    } catch (err) {
      if (err instanceof ConfigError) throw configError(err.message);
      throw err;
    }
  }

  /** Gets a token and reads one list item: proves the key, the scopes and the company ID together. */
  async check(config: Config, out: MessageWriter): Promise<void> {
    const client = this.client(config, out, true);
    try {
      await client.authenticate();
      const now = client.serverNow();
      await client.listIncidents({ created: { start: now - 86_400_000_000, end: now }, page: 1, itemsPerPage: 1 });
    } catch (err) {
      throw toAirbyteError(err, { advice: false });
    } finally {
      client.close();
    }
  }

  async discover(): Promise<AirbyteCatalog> {
    return { streams: [incidentsStream()] };
  }

  async read(config: Config, catalog: ConfiguredAirbyteCatalog, state: Map<string, StreamState>, out: MessageWriter): Promise<void> {
    const unknown = catalog.streams.find((s) => s.stream.name !== INCIDENTS_STREAM);
    if (unknown) {
      throw configError(
        `The configured catalog asks for stream "${unknown.stream.name}", which this connector does not offer (it offers ${INCIDENTS_STREAM}). Refresh the source schema in Airbyte.`,
      );
    }
    const configured = catalog.streams[0];
    if (!configured) {
      await out.info('The configured catalog selects no stream: nothing to read.');
      return;
    }
    // A broken state is the user's to fix: say so before any API call.
    const saved = parseIncidentsState(state.get(INCIDENTS_STREAM));
    const client = this.client(config, out);
    const stream = new IncidentsStream(
      client,
      {
        companyId: config.companyId,
        startDate: parseTimestamp(config.startDate),
        lookbackMinutes: config.lookbackMinutes,
        recordsPerCheckpoint: config.recordsPerCheckpoint,
      },
      out,
      new StreamCheckpointer(out, { name: INCIDENTS_STREAM }),
    );
    await out.streamStatus(stream.descriptor, 'STARTED');
    try {
      await client.authenticate();
      await out.streamStatus(stream.descriptor, 'RUNNING');
      await stream.read(configured.sync_mode, saved);
    } catch (err) {
      await out.streamStatus(stream.descriptor, 'INCOMPLETE');
      if (err instanceof AirbyteTracedError || err instanceof IronscalesApiError) throw toAirbyteError(err);
      throw new AirbyteTracedError(
        `Reading ${INCIDENTS_STREAM} failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`,
        'system_error',
        err instanceof Error ? err.stack : undefined,
        { cause: err },
      );
    } finally {
      client.close();
    }
    await out.streamStatus(stream.descriptor, 'COMPLETE');
    await out.info(
      `${INCIDENTS_STREAM}: ${stream.recordsEmitted} records (${stream.detailsUnavailable} built from list entries), ` +
        `${client.calls.token} token + ${client.calls.list} list + ${client.calls.details} details calls.`,
    );
  }

  private client(config: Config, out: MessageWriter, failFast = false): IronscalesClient {
    const stream = { name: INCIDENTS_STREAM };
    return new IronscalesClient({ ...config, failFast }, {
      onToken: (jwt) => out.secrets.add(jwt),
      onLog: (message) => out.info(message),
      onRetry: (reason, attempt) => out.warn(`${reason}; retry ${attempt} with exponential backoff.`),
      onRateLimited: async (waitMs, quotaReset) => {
        await out.warn(`IRONSCALES rate limit reached (HTTP 429); all requests wait ${Math.ceil(waitMs / 1000)} s as the server asked.`);
        await out.streamStatus(stream, 'RUNNING', [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: quotaReset } }]);
      },
    });
  }
}
