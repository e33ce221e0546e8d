/**
 * Field selection, as the orchestrator applies it to every RECORD of a read
 * (orchestrator/worker/filter/FieldSelector.kt, called from ReplicationWorkerHelper
 * .internalProcessMessageFromSource before anything else sees the record):
 * - populatedStreamToSelectedFields: the selected fields of a configured stream are the names
 *   under `json_schema.findPath("properties")` (Jackson: the node's own field, else the first one
 *   found depth-first); no properties node fails the replication before the first message;
 *   `$id`, `$comment` and `$schema` select `id`, `comment` and `schema` (replaceEscapeCharacter);
 * - filterSelectedFields: `(data as ObjectNode).retain(selectedFields)`: only top-level fields are
 *   filtered, nested objects pass whole; data that is not an object fails the sync.
 * Unconditional: the feature flag was removed (airbyte-platform 012c814b42, #17063), and
 * `additionalProperties: true` in the schema changes nothing.
 */
import type { Bound } from './platform-deserialize.js';
import type { ConfiguredCatalog } from './platform-validate.js';

const PROTECTED_JSON_SCHEMA_KEYS = /^\$(id|comment|schema)$/;

/** Jackson JsonNode.findPath: this object's own field first, then its children depth-first, in order. */
export function findPath(node: unknown, name: string): unknown {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = findPath(child, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const own = (node as Record<string, unknown>)[name];
  if (own !== undefined) return own;
  for (const child of Object.values(node)) {
    const found = findPath(child, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

const key = (name: unknown, namespace: unknown) => JSON.stringify([name ?? null, namespace ?? null]);

export interface FieldSelection {
  /** Streams whose schema has no properties node: the replication fails before it starts. */
  withoutProperties: string[];
  /** Filters one RECORD's data in place of the platform; undefined data = the sync fails (not an object). */
  filter(record: Bound): { data: Record<string, unknown>; dropped: string[] } | { notObject: true };
}

export function fieldSelection(catalog: ConfiguredCatalog & { streams: Array<{ stream: { json_schema?: unknown } }> }): FieldSelection {
  const selected = new Map<string, Set<string>>();
  const withoutProperties: string[] = [];
  for (const s of catalog.streams) {
    const properties = findPath(s.stream.json_schema, 'properties');
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      withoutProperties.push(String(s.stream.name));
      continue;
    }
    selected.set(key(s.stream.name, s.stream.namespace), new Set(Object.keys(properties).map((f) => f.replace(PROTECTED_JSON_SCHEMA_KEYS, '$1'))));
  }
  return {
    withoutProperties,
    filter(record) {
      const data = record.data;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return { notObject: true };
      // A stream missing from the catalog selects nothing (getOrDefault(messageStream, emptyList())).
      const fields = selected.get(key(record.stream, record.namespace)) ?? new Set<string>();
      const kept: Record<string, unknown> = {};
      const dropped: string[] = [];
      for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
        if (fields.has(name)) kept[name] = value;
        else dropped.push(name);
      }
      return { data: kept, dropped };
    },
  };
}
