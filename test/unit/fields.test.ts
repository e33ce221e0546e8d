/** additional_fields: declared in every schema, and every undeclared top-level field lands in it, never lost. */
import { ADDITIONAL_FIELDS, collectUndeclared, declaredFields, withAdditionalFields } from '../../src/airbyte/fields.js';
import { catalogEntry } from '../../src/airbyte/stream.js';

const schema = { type: 'object', additionalProperties: true, properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] } } };
const declared = declaredFields(schema);

describe('the schema', () => {
  test('every catalog entry declares additional_fields as an open object, beside the stream\'s own fields', () => {
    const entry = catalogEntry({ name: 's', jsonSchema: schema, primaryKey: [['id']], resumable: false, typicalRecordBytes: 10 });
    expect(Object.keys(entry.json_schema.properties as object)).toEqual(['id', 'name', ADDITIONAL_FIELDS]);
    expect((entry.json_schema.properties as Record<string, unknown>)[ADDITIONAL_FIELDS]).toMatchObject({ type: ['object', 'null'], additionalProperties: true });
    // The stream's own definition is left as it was.
    expect(Object.keys(schema.properties)).toEqual(['id', 'name']);
  });

  test('a schema without properties gets them (the platform fails a stream without); one that declares additional_fields keeps its own', () => {
    expect(withAdditionalFields({ type: 'object' }).properties).toEqual({ [ADDITIONAL_FIELDS]: expect.any(Object) });
    const own = { properties: { [ADDITIONAL_FIELDS]: { type: 'object' } } };
    expect(withAdditionalFields(own)).toBe(own);
    expect([...declared]).toEqual(['id', 'name', ADDITIONAL_FIELDS]);
  });
});

describe('collectUndeclared', () => {
  test('a record with only declared fields is passed as is (no copy)', () => {
    const data = { id: 1, name: 'x' };
    expect(collectUndeclared(data, declared)).toBe(data);
  });

  test('undeclared top-level fields move into additional_fields under their names; declared ones stay, nested values whole', () => {
    const data = { id: 1, ai_triage: { verdict: 'phish', scores: [0.9] }, name: 'x', mitre_techniques: ['T1566'] };
    expect(collectUndeclared(data, declared)).toEqual({ id: 1, name: 'x', [ADDITIONAL_FIELDS]: { ai_triage: { verdict: 'phish', scores: [0.9] }, mitre_techniques: ['T1566'] } });
    expect(data).toEqual({ id: 1, ai_triage: { verdict: 'phish', scores: [0.9] }, name: 'x', mitre_techniques: ['T1566'] });
  });

  test('a record that already holds additional_fields: merged when the names differ, kept whole otherwise; never a value lost', () => {
    expect(collectUndeclared({ id: 1, [ADDITIONAL_FIELDS]: { a: 1 }, b: 2 }, declared)).toEqual({ id: 1, [ADDITIONAL_FIELDS]: { a: 1, b: 2 } });
    expect(collectUndeclared({ id: 1, [ADDITIONAL_FIELDS]: { b: 1 }, b: 2 }, declared)).toEqual({ id: 1, [ADDITIONAL_FIELDS]: { b: 2, [ADDITIONAL_FIELDS]: { b: 1 } } });
    expect(collectUndeclared({ id: 1, [ADDITIONAL_FIELDS]: 'text', b: 2 }, declared)).toEqual({ id: 1, [ADDITIONAL_FIELDS]: { b: 2, [ADDITIONAL_FIELDS]: 'text' } });
    expect(collectUndeclared({ id: 1, [ADDITIONAL_FIELDS]: null, b: 2 }, declared)).toEqual({ id: 1, [ADDITIONAL_FIELDS]: { b: 2 } });
  });
});
