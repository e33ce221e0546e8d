/**
 * The connector's configuration: the JSON Schema the Airbyte UI renders (SPEC), and the
 * validation that turns a raw config file into a typed, trustworthy Config — or into an
 * actionable message that names the field and says what to do.
 */
import { validateAgainstSpec } from './airbyte/spec-validator.js';
import { parseTimestamp } from './ironscales/timestamps.js';

function isRealTimestamp(value: string): boolean {
  try {
    parseTimestamp(value);
    return true;
  } catch {
    return false;
  }
}

export const DOCUMENTATION_URL = 'https://github.com/source-ironscales/source-ironscales/blob/main/docs/ironscales.md';

/** IRONSCALES documents 120 API calls per minute per company. */
export const DEFAULT_REQUESTS_PER_MINUTE = 120;
export const MAX_REQUESTS_PER_MINUTE = 600_000;
export const DEFAULT_START_DAYS_AGO = 90;
export const DEFAULT_RECORDS_PER_CHECKPOINT = 1000;

/**
 * Airbyte's heartbeat: only RECORD and STATE messages reset it (LocalContainerAirbyteSource.shouldBeat),
 * and the platform raises any connector's maxSecondsBetweenMessages to at least this
 * (DbConverter.buildStandardSourceDefinition, flag HeartbeatMaxSecondsBetweenMessages).
 */
export const HEARTBEAT_SECONDS = 10_800;
/** Room left for backoff jitter and the rate limiter around one call's worst case. */
export const HEARTBEAT_MARGIN_SECONDS = 60;

const START_DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$';

/** The connectionSpecification printed by `spec` (and kept equal to spec.json at the repo root). */
export const connectionSpecification = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'IRONSCALES Source Spec',
  type: 'object',
  required: ['host', 'company_id', 'api_key'],
  additionalProperties: true,
  properties: {
    host: {
      type: 'string',
      title: 'API Host',
      description:
        'Host name of your IRONSCALES API, for example appapi.ironscales.com. A bare host name means https. ' +
        'Only hosts under ironscales.com are accepted (plus localhost for testing), so the API key is never sent elsewhere.',
      examples: ['appapi.ironscales.com', 'appapi.eu.ironscales.com'],
      default: 'appapi.ironscales.com',
      order: 0,
    },
    company_id: {
      type: 'integer',
      title: 'Company ID',
      description: 'Your IRONSCALES company ID (Settings > Account Settings > General & Security in the IRONSCALES dashboard).',
      examples: [12345],
      minimum: 1,
      order: 1,
    },
    api_key: {
      type: 'string',
      title: 'API Key',
      description: 'The APP API token (Company Token) from Settings > Account Settings > General & Security. It needs the company.all scope.',
      airbyte_secret: true,
      order: 2,
    },
    start_date: {
      type: 'string',
      title: 'Start Date',
      description:
        `UTC date and time in the format YYYY-MM-DDTHH:mm:ssZ. Incidents first reported before this date are not replicated. Left empty, the first sync ` +
        `starts ${DEFAULT_START_DAYS_AGO} days back and saves that date here, so a Refresh or Clear never reads less history than the destination holds.`,
      examples: ['2025-01-01T00:00:00Z'],
      pattern: START_DATE_PATTERN,
      pattern_descriptor: 'YYYY-MM-DDTHH:mm:ssZ',
      format: 'date-time',
      order: 3,
    },
    scopes: {
      type: 'array',
      title: 'Scopes',
      description: 'API scopes requested for the token. The default, company.all, covers listing incidents and reading their details.',
      items: { type: 'string' },
      default: ['company.all'],
      examples: [['company.all']],
      order: 4,
    },
    requests_per_minute: {
      type: 'integer',
      title: 'Requests Per Minute',
      description:
        `Most API calls the connector makes in any minute. IRONSCALES allows ${DEFAULT_REQUESTS_PER_MINUTE} per company; raise it only if IRONSCALES raised your limit. ` +
        'Lower it if other tools share the same company budget.',
      default: DEFAULT_REQUESTS_PER_MINUTE,
      minimum: 1,
      maximum: MAX_REQUESTS_PER_MINUTE,
      order: 5,
    },
    lookback_minutes: {
      type: 'integer',
      title: 'Lookback Window (Minutes)',
      description:
        'Each incremental sync re-reads incidents first reported this many minutes before the saved cursor, to catch incidents that appear in the API late. ' +
        'Every re-read incident costs one API call.',
      default: 0,
      minimum: 0,
      maximum: 10080,
      order: 6,
    },
    records_per_checkpoint: {
      type: 'integer',
      title: 'Records Per Checkpoint',
      description:
        'Target number of incidents between two saved states during a long backfill. Smaller means less re-reading after an interruption, at the cost of a few extra list calls.',
      default: DEFAULT_RECORDS_PER_CHECKPOINT,
      minimum: 10,
      maximum: 10000,
      order: 7,
    },
    request_timeout_seconds: {
      type: 'integer',
      title: 'Request Timeout (Seconds)',
      description: 'How long one API call may take before it is abandoned and retried.',
      default: 60,
      minimum: 1,
      maximum: 600,
      order: 8,
    },
    max_retry_seconds: {
      type: 'integer',
      title: 'Retry Budget (Seconds)',
      description:
        'How long the connector keeps retrying one failing API call (server errors, timeouts, rate limiting) before the sync fails with a transient error that Airbyte retries later. ' +
        `At run time it is capped so that this budget plus the request timeout is at most ${HEARTBEAT_SECONDS - HEARTBEAT_MARGIN_SECONDS} s: Airbyte may end a sync that sends no record or state for ${HEARTBEAT_SECONDS} s.`,
      default: 600,
      minimum: 1,
      maximum: 10800,
      order: 9,
    },
  },
} as const;

export const specification = {
  documentationUrl: DOCUMENTATION_URL,
  connectionSpecification,
  supportsIncremental: true,
  protocol_version: '0.5.2',
};

export interface Config {
  /** Base URL without trailing slash, e.g. https://appapi.ironscales.com */
  baseUrl: string;
  companyId: number;
  apiKey: string;
  /** The configured start_date; absent means "the default, for a sync without state" (see the incident passes). */
  startDate?: string;
  scopes: string[];
  requestsPerMinute: number;
  lookbackMinutes: number;
  recordsPerCheckpoint: number;
  requestTimeoutMs: number;
  maxRetryMs: number;
  /** What the config made the connector change, to be logged as WARN at the start of check and read. */
  warnings: string[];
}

/** A configuration the user has to fix. Its message is shown in the Airbyte UI as is. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Turns the `host` field into a base URL, refusing anything that could send the API key to a
 * host other than IRONSCALES: only *.ironscales.com over https, or loopback (the simulator).
 */
export function resolveBaseUrl(host: string): string {
  const raw = host.trim();
  if (raw === '') throw new ConfigError("Config field 'host' is empty. Enter your IRONSCALES API host, for example appapi.ironscales.com.");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`Config field 'host' is not a valid host name: "${raw}". Enter a host such as appapi.ironscales.com.`);
  }
  const hostname = url.hostname.toLowerCase();
  const loopback = LOOPBACK_HOSTS.has(hostname);
  const ironscales = hostname === 'ironscales.com' || hostname.endsWith('.ironscales.com');
  if (!loopback && !ironscales) {
    throw new ConfigError(
      `Config field 'host' must be an IRONSCALES API host under ironscales.com (for example appapi.ironscales.com), not "${hostname}". ` +
        'The connector refuses other hosts so that your API key is never sent anywhere else.',
    );
  }
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:')) {
    throw new ConfigError(
      `Config field 'host' uses ${url.protocol.replace(':', '')}, but IRONSCALES must be reached over https. Use https://${hostname} or just ${hostname}.`,
    );
  }
  if (url.username || url.password) throw new ConfigError("Config field 'host' must not contain a user name or password.");
  if ((url.pathname !== '/' && url.pathname !== '' && url.pathname !== '/appapi' && url.pathname !== '/appapi/') || url.search || url.hash) {
    throw new ConfigError(`Config field 'host' must be a host name only (for example appapi.ironscales.com), without a path or query: "${raw}".`);
  }
  return `${url.protocol}//${url.host}`;
}

/**
 * Constraints checked at run time but not declared in the spec: declaring them would fail CAT's
 * backward-compatibility test against 0.1.0's spec (every config valid there must stay valid in the
 * next spec; connector_acceptance_test utils/backward_compatibility.py validate_previous_configs).
 * 0.1.0 already refused these values at run time, so no config that worked is refused.
 */
const scopes = connectionSpecification.properties.scopes;
const validationSpec = {
  ...connectionSpecification,
  properties: { ...connectionSpecification.properties, scopes: { ...scopes, minItems: 1, items: { ...scopes.items, minLength: 1 } } },
};

/** Phrasing where the generic sentence derived from the spec would be vague; constraints stay in the spec. */
const WORDING = {
  host: { blank: 'is empty. Enter your IRONSCALES API host, for example appapi.ironscales.com' },
  company_id: {
    minimum: 'must be a positive number',
    safeInteger: 'must be your IRONSCALES company ID, a whole number of at most 16 digits (a larger number cannot be carried exactly in JSON)',
  },
  api_key: { type: 'must be a text value (the APP API token from IRONSCALES)' },
  scopes: { type: 'must be a list of scope names such as ["company.all"]', minItems: 'must name at least one scope, such as company.all' },
  'scopes.items': { type: 'must hold scope names as text' },
};

const FORMATS = { 'date-time': { test: isRealTimestamp, message: 'is not a real date' } };

/** The config as the spec's property names give it, after validation and defaults. */
interface RawConfig {
  host: string;
  company_id: number;
  api_key: string;
  start_date?: string;
  scopes: string[];
  requests_per_minute: number;
  lookback_minutes: number;
  records_per_checkpoint: number;
  request_timeout_seconds: number;
  max_retry_seconds: number;
}

/** Validates a parsed config file. Throws ConfigError naming every problem found; never echoes the API key. */
export function parseConfig(raw: unknown): Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('The config must be a JSON object with at least host, company_id and api_key.');
  }
  const { values, problems } = validateAgainstSpec(validationSpec, raw as Record<string, unknown>, { formats: FORMATS, wording: WORDING });
  const c = values as unknown as RawConfig;
  let baseUrl = '';
  // The host guard runs only on a host that passed the spec's own checks (one message per problem).
  if (!problems.some((p) => p.startsWith("Config field 'host' "))) {
    try {
      baseUrl = resolveBaseUrl(c.host);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join(' '));
  const retry = effectiveRetrySeconds(c.max_retry_seconds, c.request_timeout_seconds);
  return {
    baseUrl,
    companyId: c.company_id,
    apiKey: c.api_key,
    startDate: c.start_date,
    scopes: c.scopes,
    requestsPerMinute: c.requests_per_minute,
    lookbackMinutes: c.lookback_minutes,
    recordsPerCheckpoint: c.records_per_checkpoint,
    requestTimeoutMs: c.request_timeout_seconds * 1000,
    maxRetryMs: retry.seconds * 1000,
    warnings: retry.warning ? [retry.warning] : [],
  };
}

/**
 * One call's worst silence is its retry budget plus one timeout; the spec allows 10,800 + 600 s,
 * more than Airbyte's heartbeat. The spec keeps its bounds (narrowing them would fail CAT's
 * backward-compatibility test); the budget is capped here instead, and the user told.
 */
export function effectiveRetrySeconds(maxRetrySeconds: number, requestTimeoutSeconds: number): { seconds: number; warning?: string } {
  const cap = HEARTBEAT_SECONDS - HEARTBEAT_MARGIN_SECONDS - requestTimeoutSeconds;
  if (maxRetrySeconds <= cap) return { seconds: maxRetrySeconds };
  return {
    seconds: cap,
    warning:
      `max_retry_seconds ${maxRetrySeconds} plus request_timeout_seconds ${requestTimeoutSeconds} could keep one API call silent for longer than ` +
      `Airbyte's ${HEARTBEAT_SECONDS} s heartbeat limit (only records and states count), so one call is retried for at most ${cap} s.`,
  };
}
