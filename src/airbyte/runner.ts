/**
 * The Airbyte CLI: `spec`, `check --config F`, `discover --config F`,
 * `read --config F --catalog F [--state F]`. Reads the JSON files, dispatches to a Source, turns
 * every failure into the message Airbyte expects, and sets the exit code the platform reads:
 * check answers a configuration problem with CONNECTION_STATUS FAILED and exit 0, and any other
 * failure with a TRACE ERROR and a non-zero exit; a failed read emits a TRACE ERROR and exits
 * non-zero.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AirbyteTracedError, configError, WHAT_AIRBYTE_DOES } from './errors.js';
import { MessageWriter, parseLogLevel } from './output.js';
import type { ConfiguredAirbyteCatalog, ConnectorSpecification, FailureType } from './protocol.js';
import { planRead, readStreams } from './read-loop.js';
import { secretsFromSpec } from './secrets.js';
import { catalogEntry, type PlannedStream, type ReadSession, type StreamReader } from './stream.js';

export interface Source<C> {
  spec(): ConnectorSpecification;
  /** Validates the config; throws an AirbyteTracedError (config_error) with an actionable message. */
  parseConfig(rawConfig: unknown): C;
  /**
   * Resolves when the connection works; otherwise throws a config_error for what the user must fix
   * (it becomes CONNECTION_STATUS FAILED), and anything else for what a retry may cure.
   */
  check(config: C, out: MessageWriter): Promise<void>;
  /** Every stream, each with the one reader that reads it (built without any API call). */
  readers(config: C, session: Pick<ReadSession, 'out'>): StreamReader[];
  /** Turns an unexpected error into the traced error Airbyte should see. */
  toTracedError(err: unknown): AirbyteTracedError;
  /**
   * Called once a read's catalog and state are checked, before any stream is read; may call the
   * API. Returns a new raw config when the source wants the platform to keep one: the runner
   * sends it in a CONNECTOR_CONFIG control message, which REPLACES the stored config (so it must be
   * whole), and the read goes on with it.
   */
  prepareRead?(config: C, rawConfig: unknown, streams: readonly PlannedStream[], out: MessageWriter): Promise<Record<string, unknown> | undefined>;
}

const USAGE =
  'Usage: spec | check --config <config.json> | discover --config <config.json> | read --config <config.json> --catalog <catalog.json> [--state <state.json>]';

export async function runSource<C>(source: Source<C>, argv: string[], out: MessageWriter): Promise<number> {
  let command: string | undefined;
  try {
    const args = parseCli(argv);
    command = args.command;
    if (args.debug) out.setMinLevel('DEBUG');
    if (command === 'spec') {
      await out.emit({ type: 'SPEC', spec: source.spec() });
      return 0;
    }
    if (command === 'check') return await runCheck(source, args.config, out);
    const { raw, config } = await loadConfig(source, args.config, out);
    const readers = source.readers(config, { out });
    if (command === 'discover') {
      await out.emit({ type: 'CATALOG', catalog: { streams: readers.flatMap((r) => r.streams.map(catalogEntry)) } });
      return 0;
    }
    const catalog = parseConfiguredCatalog(await readJsonFile(args.catalog, 'catalog', '--catalog'));
    const state = args.state === undefined ? undefined : await readJsonFile(args.state, 'state', '--state');
    let plan = planRead(readers, catalog, state);
    const updated = await source.prepareRead?.(config, raw, plan.streams, out);
    if (updated) {
      // Checked before it is sent: the platform would store whatever it gets.
      const next = source.parseConfig(updated);
      registerSecrets(source, updated, out);
      await out.control(updated);
      plan = planRead(source.readers(next, { out }), catalog, state);
    }
    await readStreams(plan, out, { toTracedError: (err) => source.toTracedError(err) });
    return 0;
  } catch (err) {
    if (!(err instanceof AirbyteTracedError && err.reported)) await reportFailure(out, err, command);
    return 1;
  }
}

/** Reads and validates the config; its secrets (found by walking the spec) are masked before anything can print them. */
async function loadConfig<C>(source: Source<C>, path: string | undefined, out: MessageWriter): Promise<{ raw: unknown; config: C }> {
  const raw = await readJsonFile(path, 'config', '--config');
  registerSecrets(source, raw, out);
  return { raw, config: source.parseConfig(raw) };
}

function registerSecrets<C>(source: Source<C>, rawConfig: unknown, out: MessageWriter): void {
  for (const secret of secretsFromSpec(source.spec().connectionSpecification, rawConfig)) out.secrets.add(secret);
}

/**
 * check answers CONNECTION_STATUS FAILED (exit 0) only for a configuration problem. The platform
 * runs check before every retry of a sync (ConnectionManagerWorkflowImpl.checkConnectionsWithCommandApi),
 * and a FAILED status there becomes a CONFIG_ERROR that ends the job without retry
 * (SyncCheckConnectionResult.buildFailureOutput → FailureHelper.checkFailure; reportFailure). Any
 * other failure is a TRACE ERROR and a non-zero exit, as the Python CDK's entrypoint does: the
 * sidecar then takes the failure type from the trace (ConnectorMessageProcessor.setOutput, which
 * ignores traces whenever a CONNECTION_STATUS exists), and a transient one is retried.
 */
async function runCheck<C>(source: Source<C>, configPath: string | undefined, out: MessageWriter): Promise<number> {
  try {
    const { config } = await loadConfig(source, configPath, out);
    await source.check(config, out);
    await out.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED' } });
    return 0;
  } catch (err) {
    if (err instanceof AirbyteTracedError && err.failureType === 'config_error') {
      // The user's to fix: the message is shown in the UI as the check's answer.
      await out.emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: err.message } });
      return 0;
    }
    await reportFailure(out, err, 'check');
    return 1;
  }
}

interface CliArgs {
  command: 'spec' | 'check' | 'discover' | 'read';
  config?: string;
  catalog?: string;
  state?: string;
  debug: boolean;
}

function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { config: { type: 'string' }, catalog: { type: 'string' }, state: { type: 'string' }, debug: { type: 'boolean', default: false } },
    });
  } catch (err) {
    throw configError(`${(err as Error).message}. ${USAGE}`);
  }
  const [command, ...rest] = parsed.positionals;
  if (command !== 'spec' && command !== 'check' && command !== 'discover' && command !== 'read') {
    throw configError(command ? `Unknown command "${command}". ${USAGE}` : `No command given. ${USAGE}`);
  }
  if (rest.length > 0) throw configError(`Unexpected argument "${rest[0]}". ${USAGE}`);
  const { config, catalog, state, debug } = parsed.values;
  if (command !== 'spec' && !config) throw configError(`The ${command} command needs --config <config.json>. ${USAGE}`);
  if (command === 'read' && !catalog) throw configError(`The read command needs --catalog <catalog.json>. ${USAGE}`);
  return { command, config, catalog, state, debug: debug ?? false };
}

async function readJsonFile(path: string | undefined, what: string, flag: string): Promise<unknown> {
  if (!path) throw configError(`Missing ${flag} <${what}.json>. ${USAGE}`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw configError(`Cannot read the ${what} file ${path} (${code}). Check that the path given to ${flag} exists and is readable.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // The parser's message carries a snippet of the text, which may contain a secret: keep it out.
    throw configError(`The ${what} file ${path} is not valid JSON. Fix its syntax and try again.`);
  }
}

const SYNC_MODES = new Set(['full_refresh', 'incremental']);

/** Checks the configured catalog's shape; stream names are checked by the source against its own streams. */
export function parseConfiguredCatalog(raw: unknown): ConfiguredAirbyteCatalog {
  const streams = (raw as { streams?: unknown })?.streams;
  if (typeof raw !== 'object' || raw === null || !Array.isArray(streams)) {
    throw configError('The catalog file is not a configured catalog: expected an object with a "streams" array.');
  }
  streams.forEach((entry: unknown, index) => {
    const s = entry as { stream?: { name?: unknown }; sync_mode?: unknown };
    if (typeof s?.stream?.name !== 'string') throw configError(`The catalog's stream ${index} has no stream.name.`);
    if (!SYNC_MODES.has(s.sync_mode as string)) {
      throw configError(`The catalog's stream "${s.stream.name}" has sync_mode ${JSON.stringify(s.sync_mode)}; use "full_refresh" or "incremental".`);
    }
  });
  return raw as ConfiguredAirbyteCatalog;
}

async function reportFailure(out: MessageWriter, err: unknown, command: string | undefined): Promise<void> {
  // A failed read's only error decides what Airbyte does next, so it says so (a config error already says what to fix).
  const next = (type: FailureType) => (command === 'read' && type !== 'config_error' ? ` ${WHAT_AIRBYTE_DOES[type]}` : '');
  if (err instanceof AirbyteTracedError) {
    // A config error is the user's to fix: the message says how; a stack trace would only be noise.
    const stack = err.failureType === 'config_error' ? undefined : err.stack;
    await out.error(`${err.message}${next(err.failureType)}`, err.failureType, { internal: err.internalMessage, stack });
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  await out.error(`The connector failed unexpectedly${command ? ` during ${command}` : ''}: ${message}${next('system_error')}`, 'system_error', {
    internal: message,
    stack: err instanceof Error ? err.stack : undefined,
  });
}

/** Process entry: run, flush stdout, exit with the code the platform reads. */
export async function main<C>(source: Source<C>): Promise<void> {
  const out = new MessageWriter(process.stdout, parseLogLevel(process.env.LOG_LEVEL));
  const fatal = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    void out.error(`The connector crashed: ${message}`, 'system_error', { stack: err instanceof Error ? err.stack : undefined }).finally(() => process.exit(1));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // A consumer that goes away (EPIPE) must end the process, not crash it with a stack on stderr.
  process.stdout.on('error', () => process.exit(1));
  const code = await runSource(source, process.argv.slice(2), out);
  process.stdout.write('', () => process.exit(code));
}
