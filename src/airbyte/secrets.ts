/**
 * Which config values must never be printed, read from the spec itself: every property marked
 * `airbyte_secret: true`, however deep (nested objects, oneOf/anyOf/allOf branches, array items).
 * A new secret field in the spec is masked without touching this code.
 */

type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The config's values at the spec's secret paths: each string as given and trimmed; numbers as text. */
export function secretsFromSpec(connectionSpecification: unknown, rawConfig: unknown): string[] {
  const found = new Set<string>();
  collect(connectionSpecification, rawConfig, found);
  return [...found].filter((s) => s !== '');
}

function collect(schema: unknown, value: unknown, found: Set<string>): void {
  if (!isObject(schema) || value === undefined || value === null) return;
  if (schema.airbyte_secret === true) {
    addValue(value, found);
    return;
  }
  // A value may match any branch: the walk tries them all, so a secret in any branch is masked.
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const branch of branches) collect(branch, value, found);
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    for (const item of value) collect(Array.isArray(items) ? undefined : items, item, found);
    return;
  }
  if (isObject(value) && isObject(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties as Schema)) collect(sub, value[name], found);
  }
}

/** A secret's printable forms: strings as given and trimmed, numbers as text, containers walked (a boolean reveals nothing). */
function addValue(value: unknown, found: Set<string>): void {
  if (typeof value === 'string') {
    found.add(value);
    found.add(value.trim());
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    found.add(String(value));
  } else if (Array.isArray(value)) {
    for (const v of value) addValue(v, found);
  } else if (isObject(value)) {
    for (const v of Object.values(value)) addValue(v, found);
  }
}
