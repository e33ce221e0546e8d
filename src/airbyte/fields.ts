/**
 * Nothing a source reads is dropped by the platform's field selection. The orchestrator keeps only
 * the top-level fields the configured stream's json_schema declares (airbyte-platform
 * airbyte-container-orchestrator .../worker/filter/FieldSelector.kt filterSelectedFields:
 * `data.retain(selectedFields)`, unconditional; `additionalProperties: true` does not help), so:
 * - every stream's schema declares one object, `additional_fields` (withAdditionalFields);
 * - every top-level field a record carries that its stream's own schema does not declare is moved
 *   into it (collectUndeclared), so an API field added after a release reaches the destination.
 * Declared fields stay where they are, under their names. The stream's OWN schema decides, not the
 * configured catalog's: a field the user deselected in the UI is still declared, stays top-level,
 * and the platform drops it as the user asked.
 */

export const ADDITIONAL_FIELDS = 'additional_fields';

const ADDITIONAL_FIELDS_SCHEMA = {
  type: ['object', 'null'],
  additionalProperties: true,
  description: 'Top-level fields the source sent that this version of the connector does not declare, under their own names.',
};

type Schema = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema with a `properties` object (FieldSelector fails a stream without one) that declares additional_fields. */
export function withAdditionalFields(schema: Schema): Schema {
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  if (ADDITIONAL_FIELDS in properties) return schema;
  return { ...schema, properties: { ...properties, [ADDITIONAL_FIELDS]: ADDITIONAL_FIELDS_SCHEMA } };
}

/** The top-level field names a schema declares (after withAdditionalFields). */
export function declaredFields(schema: Schema): ReadonlySet<string> {
  return new Set(Object.keys(withAdditionalFields(schema).properties as Schema));
}

/**
 * The record with every undeclared top-level field moved into additional_fields; the same object
 * when there is none (the usual case costs no copy). Nothing is ever lost: a record that already
 * holds a plain additional_fields object gets the moved fields merged into it unless a name
 * collides; otherwise its own value is kept whole beside them, under its own name.
 */
export function collectUndeclared(data: Record<string, unknown>, declared: ReadonlySet<string>): Record<string, unknown> {
  let moved: Record<string, unknown> | undefined;
  for (const name of Object.keys(data)) {
    if (declared.has(name)) continue;
    (moved ??= {})[name] = data[name];
  }
  if (moved === undefined) return data;
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(data)) if (declared.has(name)) kept[name] = value;
  const own = kept[ADDITIONAL_FIELDS];
  if (own === undefined || own === null) kept[ADDITIONAL_FIELDS] = moved;
  else if (isPlainObject(own) && !Object.keys(moved).some((name) => name in own)) kept[ADDITIONAL_FIELDS] = { ...own, ...moved };
  else kept[ADDITIONAL_FIELDS] = { ...moved, [ADDITIONAL_FIELDS]: own };
  return kept;
}
