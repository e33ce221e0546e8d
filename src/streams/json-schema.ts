/**
 * The few pieces every stream's JSON Schema (draft-07) is written with, so the schemas read alike
 * and say the same thing the same way.
 */
export type Schema = Record<string, unknown>;

/** A value of `type` that may be null (real data has nulls wherever IRONSCALES' Swagger is silent). */
export const nullable = (type: string, extra: Schema = {}): Schema => ({ type: [type, 'null'], ...extra });

/** What makes a string a timestamp with time zone for Airbyte's destinations. */
export const TIMESTAMP = { format: 'date-time', airbyte_type: 'timestamp_with_timezone' } as const;

/**
 * A stream's record schema: an object with its declared fields, open to fields a release does not
 * declare yet (the read loop keeps those in additional_fields, see src/airbyte/fields.ts).
 */
export function recordSchema(required: string[], properties: Record<string, Schema>): Schema {
  return { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: true, required, properties };
}
