/**
 * Validates a raw config against the connector's own connectionSpecification, so every
 * constraint (type, required, minimum/maximum, pattern, format, minItems/minLength, default) is
 * declared once, in the spec the UI renders (plus whatever the caller adds to the spec it passes).
 * Integers must be safe (exact in JavaScript). Each problem becomes one sentence naming the field;
 * the wording is derived from the spec too (examples, pattern_descriptor), with optional
 * per-field phrasing where a generic sentence would be vague. Secret fields never echo a value.
 */

/** The JSON Schema keywords Airbyte connector specs use for flat settings. */
export interface FieldSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  title?: string;
  examples?: readonly unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  pattern_descriptor?: string;
  format?: string;
  minLength?: number;
  minItems?: number;
  items?: FieldSchema;
  airbyte_secret?: boolean;
}

export interface ObjectSpec {
  required?: readonly string[];
  properties: Readonly<Record<string, FieldSchema>>;
}

type Keyword = 'type' | 'blank' | 'minimum' | 'maximum' | 'pattern' | 'format' | 'minLength' | 'minItems' | 'safeInteger';

export interface ValidatorOptions {
  /** Format checks the spec names (`format: date-time`), with what to say when one fails. */
  formats?: Record<string, { test(value: string): boolean; message: string }>;
  /** Phrasing per field path ('scopes', or 'scopes.items' for its items) and keyword. */
  wording?: Record<string, Partial<Record<Keyword, string>>>;
}

export interface Validated {
  /** Every property of the spec: the given value (quoted integers as numbers) or the spec's default. */
  values: Record<string, unknown>;
  /** One sentence per problem, in the spec's property order. */
  problems: string[];
}

export function validateAgainstSpec(spec: ObjectSpec, raw: Record<string, unknown>, options: ValidatorOptions = {}): Validated {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const required = new Set(spec.required ?? []);
  for (const [name, schema] of Object.entries(spec.properties)) {
    const given = raw[name];
    if (given === undefined) {
      if (required.has(name)) problems.push(`Config field '${name}' is required but missing.`);
      else values[name] = structuredClone(schema.default);
      continue;
    }
    const shown = schema.airbyte_secret ? '' : ` (got ${JSON.stringify(given)})`;
    const fieldProblems: Problem[] = [];
    values[name] = check(schema, given, { path: name, wordingKey: name, required: required.has(name), options, problems: fieldProblems });
    for (const p of fieldProblems) problems.push(p.showValue ? `${p.text}${shown}.` : `${p.text}.`);
  }
  return { values, problems };
}

interface Problem {
  text: string;
  /** Whether showing the given value helps: not for an item (scopes.0) nor for an empty text. */
  showValue: boolean;
}

interface Where {
  path: string;
  wordingKey: string;
  required: boolean;
  options: ValidatorOptions;
  problems: Problem[];
}

/** Checks one value; returns it normalised (a quoted whole number becomes a number). */
function check(schema: FieldSchema, value: unknown, at: Where): unknown {
  const nested = at.path.includes('.');
  const say = (keyword: Keyword, generic: string) => {
    // An unsafe integer has already lost digits: showing it would show another number.
    at.problems.push({ text: `Config field '${at.path}' ${at.options.wording?.[at.wordingKey]?.[keyword] ?? generic}`, showValue: !nested && keyword !== 'blank' && keyword !== 'safeInteger' });
  };
  const example = schema.airbyte_secret ? undefined : schema.examples?.[0];
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') {
        const hint = schema.pattern_descriptor ? ` in the format ${schema.pattern_descriptor}` : example !== undefined ? ` such as '${String(example)}'` : '';
        say('type', nested ? 'must hold text values' : `must be a text value${hint}`);
        return value;
      }
      if (at.required && value.trim() === '') say('blank', 'is empty');
      else if (schema.minLength !== undefined && value.length < schema.minLength) say('minLength', schema.minLength === 1 ? 'must not be empty' : `must have at least ${schema.minLength} characters`);
      else if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
        const shape = schema.pattern_descriptor ?? `/${schema.pattern}/`;
        say('pattern', `must have the format ${shape}${example !== undefined ? `, for example ${String(example)}` : ''}`);
      } else if (schema.format !== undefined) {
        const format = at.options.formats?.[schema.format];
        if (format && !format.test(value)) say('format', format.message);
      }
      return value;
    }
    case 'integer':
    case 'number': {
      // Hand-written configs often quote numbers; that is harmless.
      const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      const whole = schema.type === 'integer';
      if (typeof n !== 'number' || !Number.isFinite(n) || (whole && !Number.isInteger(n))) {
        say('type', `must be a ${whole ? 'whole number' : 'number'}${example !== undefined ? ` such as ${String(example)}` : ''}`);
        return value;
      }
      // JSON integers beyond 2^53 reach JavaScript rounded (9007199254740993 reads as ...992): refused, never guessed.
      if (whole && !Number.isSafeInteger(n)) say('safeInteger', `must be a whole number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
      else if (schema.minimum !== undefined && n < schema.minimum) say('minimum', `must be at least ${schema.minimum}`);
      else if (schema.maximum !== undefined && n > schema.maximum) say('maximum', `must be at most ${schema.maximum}`);
      return n;
    }
    case 'boolean':
      if (typeof value !== 'boolean') say('type', 'must be true or false');
      return value;
    case 'array': {
      if (!Array.isArray(value)) {
        say('type', `must be a list${example !== undefined ? ` such as ${JSON.stringify(example)}` : ''}`);
        return value;
      }
      if (schema.minItems !== undefined && value.length < schema.minItems) say('minItems', `must hold at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
      const items = schema.items;
      if (!items) return value;
      return value.map((item, i) => check(items, item, { ...at, path: `${at.path}.${i}`, wordingKey: `${at.wordingKey}.items`, required: false }));
    }
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) say('type', 'must be an object');
      return value;
    default:
      return value;
  }
}
