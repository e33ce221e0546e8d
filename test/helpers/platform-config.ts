/**
 * What the platform does with a CONNECTOR_CONFIG control message a source sends: it REPLACES the
 * stored source config (it does not merge):
 * - during a read every one is applied as it comes (ReplicationWorkerHelper.persistSourceConfiguration,
 *   AirbyteControlMessageEventListener → ConnectorConfigUpdater.updateSource); during check and
 *   discover only the last, and only when it differs (ConnectorMessageProcessor.updateConfigFromControlMessage);
 * - ConnectorConfigUpdater.updateSource sends the message's config as the whole new
 *   connectionConfiguration → SourceHandler.updateSource → ConfigurationUpdate.source →
 *   JsonSecretsProcessor.copySecrets(persisted, new, spec): a secret field whose new value is
 *   exactly "**********" gets the persisted secret back; an omitted secret is NOT restored;
 * - SourceHandler.validateSourceUpdate validates the result against the spec: a refused update
 *   throws, ConnectorConfigUpdater's caller logs it and the sync goes on with the old config.
 */
import { newAjv } from './ajv.js';
import type { Bound } from './platform-deserialize.js';
import { violation, type Violation } from './platform-rules.js';

/** AirbyteSecretConstants.SECRETS_MASK. */
export const SECRETS_MASK = '**********';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const ajv = newAjv();

/** JsonSecretsProcessor.isValidJsonSchema: an object with properties, or a oneOf list. */
function isValidJsonSchema(schema: unknown): schema is Json {
  return isObject(schema) && (isObject(schema.properties) || Array.isArray(schema.oneOf));
}

/** JsonSecretsProcessor.copySecrets (copySecrets = true, as the server's processor is built): dst with src's secrets where dst holds the mask. */
export function copySecrets(src: unknown, dst: unknown, schema: unknown): unknown {
  if (!isValidJsonSchema(schema) || !isObject(dst) || !isObject(src)) return dst;
  return copySecretsRecursive(src, structuredClone(dst), schema);
}

function copySecretsRecursive(src: unknown, dst: unknown, schema: unknown): unknown {
  if (!isValidJsonSchema(schema) || !isObject(dst) || !isObject(src)) return dst;
  const combination = (['allOf', 'anyOf', 'oneOf'] as const).find((k) => Array.isArray(schema[k]));
  if (combination) {
    // Only the branches the new value matches absorb secrets (VALIDATOR.test(childSchema, dstCopy)).
    for (const branch of schema[combination] as unknown[]) if (ajv.validate(branch as Json, dst)) copySecretsRecursive(src, dst, branch);
    return dst;
  }
  for (const [key, fieldSchema] of Object.entries(schema.properties as Json)) {
    if (!(key in src) || !(key in dst)) continue;
    if (isObject(fieldSchema) && fieldSchema.airbyte_secret === true && dst[key] === SECRETS_MASK) dst[key] = src[key];
    else dst[key] = copySecretsRecursive(src[key], dst[key], fieldSchema);
  }
  return dst;
}

export interface ConfigUpdate {
  config: Json;
  /** How many CONNECTOR_CONFIG messages were saved. */
  applied: number;
  violations: Violation[];
}

/** The stored config after a read's delivered messages: each CONNECTOR_CONFIG replaces it, secrets restored, if the spec accepts the result. */
export function configAfterRead(persisted: Json, delivered: Bound[], connectionSpecification: Json): ConfigUpdate {
  let config = persisted;
  let applied = 0;
  const violations: Violation[] = [];
  for (const m of delivered) {
    if (m.type !== 'CONTROL' || m.control?.type !== 'CONNECTOR_CONFIG') continue;
    const candidate = copySecrets(config, m.control.connectorConfig?.config, connectionSpecification);
    if (!isObject(candidate) || !ajv.validate(connectionSpecification, candidate)) {
      const why = isObject(candidate) ? ajv.errorsText(ajv.errors) : 'not an object';
      violations.push(violation('CONTROL_CONFIG_REFUSED', `the new config is not saved: ${why}`));
      continue;
    }
    config = candidate;
    applied += 1;
  }
  return { config, applied, violations };
}
