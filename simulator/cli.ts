#!/usr/bin/env node
/**
 * Command-line entry: `node build/simulator/cli.js --port 8089 --seed 7 --incidents 1000`.
 * Prints one JSON line {"url", "api_key", "company_id"} once listening, then serves until
 * SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startSimulator, type SimulatorOptions } from './index.js';

const USAGE = `Usage: ironscales-simulator [options]
  --port <n>            TCP port on 127.0.0.1 (default 8089; 0 = any free port)
  --seed <n>            data seed (default 1)
  --incidents <n>       number of generated incidents (default 0)
  --company-id <n>      company id (default 12345)
  --api-key <s>         API key accepted by get-token (default sim-key-<seed>)
  --rate-limit <n>      calls per window per company (default 120; 0 = unlimited)
  --window-ms <n>       rate-limit window in ms (default 60000)
  --latency-ms <n>      delay added to every response (default 0)
  --token-ttl-ms <n>    token lifetime in ms (default 3600000)
  --body-bytes <n>      approximate size of large email bodies (default 20000)
  --from <iso>          start of generated first_reported_date range
  --to <iso>            end of generated first_reported_date range
  --load-example        also load the example incident 123456
  --clock-offset-ms <n> the simulator's clock = local clock + n ms (default 0; negative: --clock-offset-ms=-30000)
  --unstable-ties       sort=created reshuffles incidents with equal created times on every request
  --mailboxes <n>       number of mailboxes served by mailboxes/list (default 50)
  --mitigations-per-page <n>  rows per page of mitigation/details (default 100)
  --scanback-incidents <n>    number of generated scanback incidents (default 0)
  --deepfake-events <n>       number of generated deepfake events (default 0)
  -h, --help            show this help`;

class UsageError extends Error {}

function integer(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function parse(argv: string[]): SimulatorOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        seed: { type: 'string' },
        incidents: { type: 'string' },
        'company-id': { type: 'string' },
        'api-key': { type: 'string' },
        'rate-limit': { type: 'string' },
        'window-ms': { type: 'string' },
        'latency-ms': { type: 'string' },
        'token-ttl-ms': { type: 'string' },
        'body-bytes': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'load-example': { type: 'boolean' },
        'clock-offset-ms': { type: 'string' },
        'unstable-ties': { type: 'boolean' },
        mailboxes: { type: 'string' },
        'mitigations-per-page': { type: 'string' },
        'scanback-incidents': { type: 'string' },
        'deepfake-events': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  const port = integer('port', values.port, 0) ?? 8089;
  if (port > 65535) throw new UsageError('--port must be <= 65535');
  const limit = integer('rate-limit', values['rate-limit'], 0) ?? 120;
  const windowMs = integer('window-ms', values['window-ms'], 1) ?? 60_000;
  const options: SimulatorOptions = {
    port,
    rateLimit: limit === 0 ? null : { limit, windowMs },
    latencyMs: integer('latency-ms', values['latency-ms'], 0) ?? 0,
    loadExample: values['load-example'] === true,
    unstableTies: values['unstable-ties'] === true,
  };
  const offset = integer('clock-offset-ms', values['clock-offset-ms'], Number.MIN_SAFE_INTEGER);
  if (offset !== undefined) options.clockOffsetMs = offset;
  const mailboxes = integer('mailboxes', values.mailboxes, 0);
  if (mailboxes !== undefined) options.mailboxes = mailboxes;
  const perPage = integer('mitigations-per-page', values['mitigations-per-page'], 1);
  if (perPage !== undefined) options.mitigationsPerPage = perPage;
  const scanbacks = integer('scanback-incidents', values['scanback-incidents'], 0);
  if (scanbacks !== undefined) options.scanbackIncidents = scanbacks;
  const deepfakes = integer('deepfake-events', values['deepfake-events'], 0);
  if (deepfakes !== undefined) options.deepfakeEvents = deepfakes;
  const seed = integer('seed', values.seed, Number.MIN_SAFE_INTEGER);
  if (seed !== undefined) options.seed = seed;
  const incidents = integer('incidents', values.incidents, 0);
  if (incidents !== undefined) options.incidents = incidents;
  const companyId = integer('company-id', values['company-id'], 1);
  if (companyId !== undefined) options.companyId = companyId;
  const ttl = integer('token-ttl-ms', values['token-ttl-ms'], 1);
  if (ttl !== undefined) options.tokenTtlMs = ttl;
  const bodyBytes = integer('body-bytes', values['body-bytes'], 0);
  if (bodyBytes !== undefined) options.bodyBytes = bodyBytes;
  if (values['api-key'] !== undefined) {
    if (values['api-key'] === '') throw new UsageError('--api-key must not be empty');
    options.apiKey = values['api-key'];
  }
  if (values.from !== undefined) options.from = values.from;
  if (values.to !== undefined) options.to = values.to;
  return options;
}

async function main(): Promise<void> {
  let options: SimulatorOptions | 'help';
  try {
    options = parse(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`ironscales-simulator: ${err.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    process.stderr.write(`ironscales-simulator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof RangeError ? 2 : 1);
  }
  process.stdout.write(`${JSON.stringify({ url: sim.url, api_key: sim.apiKey, company_id: sim.companyId })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
