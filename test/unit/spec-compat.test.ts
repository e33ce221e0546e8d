/**
 * CAT's backward-compatibility test of the spec, mirrored (airbytehq/airbyte
 * airbyte-integrations/bases/connector-acceptance-test/connector_acceptance_test/utils/backward_compatibility.py):
 * - SpecDiffChecker.assert_is_backward_compatible over a DeepDiff (ignore_order) of the previous
 *   and the new connectionSpecification: a new `required` keyword or required property, a changed
 *   or narrowed `type` under `properties`, a narrowed or new `enum`;
 * - validate_previous_configs: no top-level property removed, and configs generated from the
 *   previous spec (hypothesis-jsonschema there; boundary values and seeded combinations here) must
 *   validate against the new spec with jsonschema.validate (draft-07, formats unchecked).
 * The next release must pass it against 0.1.0's and 0.2.0's spec (test/fixtures/spec-history,
 * taken from git: 145cd03 and 18c9e4e). The checker itself must catch what made 0.2.0 fail against
 * 0.1.0 (scopes gained minItems and items.minLength).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/connector.js';
import { newAjv } from '../helpers/ajv.js';
import { seededRandom } from '../helpers/faults-harness.js';

type Json = Record<string, unknown>;
const read = (path: string): Json => JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as Json;
const specOf = (path: string) => read(path).connectionSpecification as Json;

const CURRENT = specOf('spec.json');
const PREVIOUS = { '0.1.0': specOf('test/fixtures/spec-history/0.1.0.json'), '0.2.0': specOf('test/fixtures/spec-history/0.2.0.json') };

// ------------------------------------------------------------------ DeepDiff, the parts the checker reads
type Change =
  | { kind: 'dictionary_item_added' | 'dictionary_item_removed'; path: string[] }
  | { kind: 'values_changed' | 'type_changes'; path: string[]; t1: unknown; t2: unknown }
  | { kind: 'iterable_item_added' | 'iterable_item_removed'; path: string[]; item: unknown };

const pyType = (v: unknown) => (v === null ? 'none' : Array.isArray(v) ? 'list' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v);

function deepDiff(t1: unknown, t2: unknown, path: string[] = []): Change[] {
  if (pyType(t1) !== pyType(t2)) return [{ kind: 'type_changes', path, t1, t2 }];
  if (Array.isArray(t1) && Array.isArray(t2)) {
    // ignore_order: items compared by value, as a multiset.
    const remaining = t2.map((v) => JSON.stringify(v));
    const changes: Change[] = [];
    t1.forEach((item, i) => {
      const at = remaining.indexOf(JSON.stringify(item));
      if (at >= 0) remaining[at] = '\u0000';
      else changes.push({ kind: 'iterable_item_removed', path: [...path, String(i)], item });
    });
    remaining.forEach((v, i) => v !== '\u0000' && changes.push({ kind: 'iterable_item_added', path: [...path, String(i)], item: t2[i] }));
    return changes;
  }
  if (pyType(t1) === 'object') {
    const a = t1 as Json;
    const b = t2 as Json;
    return [
      ...Object.keys(b).filter((k) => !(k in a)).map((k): Change => ({ kind: 'dictionary_item_added', path: [...path, k] })),
      ...Object.keys(a).filter((k) => !(k in b)).map((k): Change => ({ kind: 'dictionary_item_removed', path: [...path, k] })),
      ...Object.keys(a).filter((k) => k in b).flatMap((k) => deepDiff(a[k], b[k], [...path, k])),
    ];
  }
  return t1 === t2 ? [] : [{ kind: 'values_changed', path, t1, t2 }];
}

// ------------------------------------------------------------------ SpecDiffChecker
const underPropertiesType = (c: Change) => c.path.includes('properties') && c.path.includes('type');

/** The messages SpecDiffChecker would raise (it raises the first; all are listed here). */
function specDiffProblems(previous: Json, current: Json): string[] {
  const diff = deepDiff(previous, current);
  const problems: string[] = [];
  for (const c of diff) {
    const last = c.path.at(-1);
    const parent = c.path.at(-2);
    if (c.kind === 'dictionary_item_added' && last === 'required') problems.push(`A new 'required' field was declared: ${c.path.join('.')}`);
    if (c.kind === 'iterable_item_added' && parent === 'required') problems.push(`A new property was added to 'required': ${c.path.join('.')}`);
    if (c.kind === 'values_changed' && underPropertiesType(c)) problems.push(`The 'type' field value was changed: ${c.path.join('.')}`);
    if (c.kind === 'type_changes' && underPropertiesType(c)) {
      // allow_type_widening=True: "str" -> [..."str"...] is fine; ["str"] -> "str" too.
      if (typeof c.t1 === 'string' && !(Array.isArray(c.t2) && c.t2.includes(c.t1))) problems.push(`A 'type' was changed or narrowed: ${c.path.join('.')}`);
      if (Array.isArray(c.t1) && !(typeof c.t2 === 'string' && c.t1.length === 1 && c.t1[0] === c.t2)) problems.push(`An element was removed from the list of 'type': ${c.path.join('.')}`);
    }
    if (c.kind === 'iterable_item_removed' && underPropertiesType(c)) problems.push(`A field type was narrowed or made not nullable: ${c.path.join('.')}`);
    if (c.kind === 'iterable_item_removed' && parent === 'enum') problems.push(`An enum field was narrowed: ${c.path.join('.')}`);
    if (c.kind === 'dictionary_item_added' && last === 'enum') problems.push(`An 'enum' field was declared on an existing property: ${c.path.join('.')}`);
  }
  const removed = Object.keys(previous.properties as Json).filter((k) => !(k in (current.properties as Json)));
  if (removed.length > 0) problems.push(`properties ${removed.join(', ')} were removed from the spec`);
  return problems;
}

// ------------------------------------------------------------------ validate_previous_configs
const ABSENT = Symbol('absent');

/** Values a property's schema might hold at and around its bounds; invalid ones are filtered out by the previous spec. */
function candidates(schema: Json, required: boolean): unknown[] {
  const values: unknown[] = [...((schema.examples as unknown[]) ?? []), ...(schema.default !== undefined ? [schema.default] : [])];
  const type = schema.type;
  if (type === 'integer' || type === 'number') {
    const min = schema.minimum as number | undefined;
    const max = schema.maximum as number | undefined;
    values.push(0, 1, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e20, 1e300);
    if (min !== undefined) values.push(min, min + 1, min - 1);
    if (max !== undefined) values.push(max, max - 1, max + 1);
    if (type === 'number') values.push(0.5);
  } else if (type === 'string') {
    values.push('', ' ', 'a', 'x'.repeat(300), '0000-00-00T00:00:00Z', '2020-02-30T25:61:61Z', '2024-01-01T00:00:00Z', 'appapi.ironscales.com', 'http://127.0.0.1:1');
  } else if (type === 'array') {
    values.push([], [''], ['a'], ['a', 'b'], ['', ''], [1]);
  } else if (type === 'boolean') {
    values.push(true, false);
  }
  if (!required) values.push(ABSENT);
  return values;
}

function generatedConfigs(previous: Json, count: number, seed: number): Json[] {
  const properties = previous.properties as Record<string, Json>;
  const required = new Set((previous.required as string[]) ?? []);
  const names = Object.keys(properties);
  const options = Object.fromEntries(names.map((n) => [n, candidates(properties[n]!, required.has(n))]));
  const build = (pick: (name: string) => unknown): Json => {
    const config: Json = {};
    for (const n of names) {
      const v = pick(n);
      if (v !== ABSENT) config[n] = structuredClone(v);
    }
    return config;
  };
  const valid = newAjv({ checkFormats: false }).compile(previous);
  // A base of values the previous spec accepts (its default, else its first valid candidate).
  const single = newAjv({ checkFormats: false });
  const accepted = Object.fromEntries(
    names.map((n) => {
      const alone = single.compile({ type: 'object', properties: { [n]: properties[n] } });
      return [n, options[n]!.filter((v) => v === ABSENT || alone({ [n]: v }))];
    }),
  );
  const base = (n: string) => accepted[n]![0];
  const configs: Json[] = [];
  // Every candidate of every property, valid or not, against the base (one factor at a time)...
  for (const n of names) for (const v of options[n]!) configs.push(build((m) => (m === n ? v : base(m))));
  // ...then seeded random combinations of accepted values, with the odd extra key (CAT drops keys starting with "_").
  // Seeded, so a failure names a config that can be replayed.
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const config = build((n) => accepted[n]![Math.floor(random() * accepted[n]!.length)]);
    if (random() < 0.2) config.some_extra_field = 'x';
    if (random() < 0.1) config._hidden = 1;
    configs.push(config);
  }
  return configs.filter((c) => valid(c));
}

/** The generated previous configs the new spec refuses (jsonschema.validate: draft-07, formats unchecked). */
function refusedPreviousConfigs(previous: Json, current: Json): Array<{ config: Json; errors: string }> {
  const ajv = newAjv({ checkFormats: false });
  const validate = ajv.compile(current);
  return generatedConfigs(previous, 400, 15)
    .map((config) => Object.fromEntries(Object.entries(config).filter(([k]) => !k.startsWith('_'))))
    .filter((config) => !validate(config))
    .map((config) => ({ config, errors: ajv.errorsText(validate.errors) }));
}

describe.each(Object.entries(PREVIOUS))("the next release's spec against %s's", (_version, previous) => {
  test('SpecDiffChecker finds nothing', () => {
    expect(specDiffProblems(previous, CURRENT)).toEqual([]);
  });

  test('every config valid under it validates under the new spec', () => {
    expect(generatedConfigs(previous, 400, 15).length).toBeGreaterThan(100);
    expect(refusedPreviousConfigs(previous, CURRENT)).toEqual([]);
  });
});

describe('the checker catches what it must', () => {
  test("0.2.0's spec against 0.1.0's: scopes [] and [''] were valid and are refused (the failure the issue reports)", () => {
    const refused = refusedPreviousConfigs(PREVIOUS['0.1.0'], PREVIOUS['0.2.0']);
    expect(refused.length).toBeGreaterThan(0);
    const scopes = new Set(refused.map((r) => JSON.stringify(r.config.scopes)));
    expect(scopes).toEqual(new Set(['[]', '[""]', '["",""]']));
  });

  test('each SpecDiffChecker rule fires on a spec changed to break it', () => {
    const changed = (edit: (spec: Json) => void) => {
      const spec = structuredClone(CURRENT);
      edit(spec);
      return specDiffProblems(CURRENT, spec);
    };
    const props = (spec: Json) => spec.properties as Record<string, Json>;
    expect(changed((s) => props(s).scopes!.required = ['x'])).toEqual([expect.stringMatching(/new 'required' field/)]);
    expect(changed((s) => (s.required as string[]).push('start_date'))).toEqual([expect.stringMatching(/added to 'required'/)]);
    expect(changed((s) => (props(s).lookback_minutes!.type = 'string'))).toEqual([expect.stringMatching(/'type' field value was changed/)]);
    expect(changed((s) => (props(s).lookback_minutes!.type = ['string', 'null']))).toEqual([expect.stringMatching(/changed or narrowed/)]);
    expect(changed((s) => (props(s).lookback_minutes!.type = ['integer', 'null']))).toEqual([]);
    expect(changed((s) => (props(s).host!.enum = ['appapi.ironscales.com']))).toEqual([expect.stringMatching(/'enum' field was declared/)]);
    expect(changed((s) => delete props(s).lookback_minutes)).toEqual([expect.stringMatching(/lookback_minutes were removed/)]);
    // A new bound is not a SpecDiffChecker rule: the generated configs catch it.
    expect(changed((s) => (props(s).company_id!.maximum = 99_999_999))).toEqual([]);
    const bounded = structuredClone(CURRENT);
    (bounded.properties as Record<string, Json>).company_id!.maximum = 99_999_999;
    expect(refusedPreviousConfigs(CURRENT, bounded).length).toBeGreaterThan(0);
  });
});
