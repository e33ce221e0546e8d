/**
 * Protocol conformance for the acceptance and fault suites: every connector run goes through
 * runChecked(), which validates EVERY stdout line as an AirbyteMessage against the official
 * Airbyte protocol schema (read from ../shared/specs/airbyte/protocol/ when present), checks that
 * stderr stays empty and that the API key never appears in the output.
 *
 * The protocol schema is never copied into this project. When it is absent, the schema part of
 * the check is skipped with a clear warning (the other checks still run) and
 * PROTOCOL_SCHEMA_PRESENT is false, so suites can mark their schema-only tests as skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, runConnector, type Message, type RunOptions, type RunResult } from './connector.js';

// ajv and ajv-formats are CommonJS; under ESM the class / plugin may sit on `.default`.
type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

export type Ajv = InstanceType<AjvClass>;

/** The official schema, read in place from ../shared (PROTOCOL_SCHEMA_PATH in the environment overrides it, e.g. to try the "absent" path). */
export const PROTOCOL_SCHEMA_PATH =
  process.env.PROTOCOL_SCHEMA_PATH || resolve(REPO_ROOT, '..', 'shared', 'specs', 'airbyte', 'protocol', 'airbyte_protocol.yaml');
export const PROTOCOL_SCHEMA_PRESENT = existsSync(PROTOCOL_SCHEMA_PATH);

/** A draft-07 Ajv with the standard formats (date-time, uri...), tolerant of Airbyte's own keywords (airbyte_secret, order...). */
export function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

let cachedValidator: ValidateFunction | null | undefined;
let warned = false;

/** The AirbyteMessage validator compiled from the official schema, or undefined (with a warning) when the schema is absent. */
export function protocolValidator(): ValidateFunction | undefined {
  if (cachedValidator === undefined) {
    if (!PROTOCOL_SCHEMA_PRESENT) {
      cachedValidator = null;
    } else {
      const doc = parseYaml(readFileSync(PROTOCOL_SCHEMA_PATH, 'utf8')) as { definitions: Record<string, unknown> };
      cachedValidator = newAjv().compile({ $ref: '#/definitions/AirbyteMessage', definitions: doc.definitions });
    }
  }
  if (cachedValidator === null && !warned) {
    warned = true;
    console.warn(
      `The official Airbyte protocol schema is absent (${PROTOCOL_SCHEMA_PATH}): SKIPPING the AirbyteMessage schema validation ` +
        'of connector output. stderr, secret and payload checks still run.',
    );
  }
  return cachedValidator ?? undefined;
}

/** The payload key each message type must carry (the schema itself does not require it). */
const PAYLOAD_KEY: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
};

/** Totals over every checked run of the current test file. */
export const conformance = { runs: 0, lines: 0, schemaValidated: 0 };

/** Every problem with the run's stdout as Airbyte protocol: schema violations, missing payloads, non-JSON lines. */
export function protocolViolations(result: RunResult): string[] {
  const validate = protocolValidator();
  const problems: string[] = [];
  result.lines.forEach((line, i) => {
    let message: Message;
    try {
      message = JSON.parse(line);
    } catch {
      // A process killed with SIGKILL may leave its last line half-written; the platform drops it too.
      if (!(result.signal === 'SIGKILL' && i === result.lines.length - 1)) problems.push(`line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
      return;
    }
    if (validate) {
      conformance.schemaValidated += 1;
      const valid: boolean = validate(message);
      if (!valid) {
        problems.push(`line ${i + 1} (${message?.type}) is not an AirbyteMessage: ${JSON.stringify(validate.errors?.slice(0, 3))} — ${line.slice(0, 200)}`);
      }
    }
    const key = PAYLOAD_KEY[message?.type as string];
    if (key === undefined) problems.push(`line ${i + 1} has a message type a source may not send: ${JSON.stringify(message?.type)}`);
    else if (typeof message[key] !== 'object' || message[key] === null) problems.push(`line ${i + 1} (${message.type}) has no "${key}" payload`);
  });
  return problems;
}

export interface CheckedRunOptions extends RunOptions {
  /** More values that must never appear in stdout or stderr (the config's api_key is always checked). */
  secrets?: string[];
}

/** The config's api_key, when it is long enough to be masked. */
function apiKeyOf(config: unknown): string[] {
  const key = (config as { api_key?: unknown } | null | undefined)?.api_key;
  return typeof key === 'string' && key.trim().length >= 4 ? [key] : [];
}

/**
 * runConnector plus the protocol checks every run of these suites must pass: each stdout line is
 * a valid AirbyteMessage, stderr is empty, no secret is printed.
 */
export async function runChecked(command: string, options: CheckedRunOptions = {}): Promise<RunResult> {
  const { secrets = [], ...runOptions } = options;
  const result = await runConnector(command, runOptions);
  conformance.runs += 1;
  conformance.lines += result.lines.length;
  expect(protocolViolations(result)).toEqual([]);
  expect(result.stderr).toBe('');
  for (const secret of [...apiKeyOf(options.config), ...secrets]) {
    expect(result.stdout.includes(secret)).toBe(false);
    expect(result.stderr.includes(secret)).toBe(false);
  }
  return result;
}

/** The incident ids of a run's records. */
export function recordIds(result: RunResult): number[] {
  return result.records.map((r) => r.record.data.incident_id as number);
}
