/**
 * Config checks come from the spec: every bound, default and pattern the spec declares is what
 * parseConfig enforces (iterated from the spec, so a new setting is covered without a new test),
 * and the generic validator words its problems from the spec without echoing secrets.
 */
import { validateAgainstSpec, type ObjectSpec } from '../../src/airbyte/spec-validator.js';
import { ConfigError, connectionSpecification, parseConfig } from '../../src/spec.js';

const base = { host: 'appapi.ironscales.com', company_id: 12345, api_key: 'k-123456789' };
const properties = connectionSpecification.properties as Record<string, { type?: string; minimum?: number; maximum?: number; default?: unknown }>;

function problemOf(config: Record<string, unknown>): string {
  try {
    parseConfig(config);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('config was accepted');
}

describe("parseConfig enforces the spec's own declarations", () => {
  const bounded = Object.entries(properties).filter(([, p]) => p.type === 'integer');

  test.each(bounded.filter(([, p]) => p.minimum !== undefined))('%s: one below its minimum is refused', (name, p) => {
    expect(problemOf({ ...base, [name]: p.minimum! - 1 })).toMatch(new RegExp(`^Config field '${name}' must be`));
  });

  test.each(bounded.filter(([, p]) => p.maximum !== undefined))('%s: one above its maximum is refused, the maximum itself accepted', (name, p) => {
    expect(problemOf({ ...base, [name]: p.maximum! + 1 })).toBe(`Config field '${name}' must be at most ${p.maximum} (got ${p.maximum! + 1}).`);
    expect(() => parseConfig({ ...base, [name]: p.maximum })).not.toThrow();
  });

  test('absent settings take the spec defaults', () => {
    const c = parseConfig(base);
    expect({
      requests_per_minute: c.requestsPerMinute,
      lookback_minutes: c.lookbackMinutes,
      records_per_checkpoint: c.recordsPerCheckpoint,
      request_timeout_seconds: c.requestTimeoutMs / 1000,
      max_retry_seconds: c.maxRetryMs / 1000,
      scopes: c.scopes,
    }).toEqual(Object.fromEntries(['requests_per_minute', 'lookback_minutes', 'records_per_checkpoint', 'request_timeout_seconds', 'max_retry_seconds', 'scopes'].map((n) => [n, properties[n]!.default])));
    expect(properties.max_retry_seconds!.default).toBe(600);
  });

  test('every required field is reported missing, in spec order', () => {
    expect(problemOf({})).toBe("Config field 'host' is required but missing. Config field 'company_id' is required but missing. Config field 'api_key' is required but missing.");
  });

  test('quoted whole numbers are accepted for any integer setting', () => {
    expect(parseConfig({ ...base, company_id: '77', requests_per_minute: ' 60 ' })).toMatchObject({ companyId: 77, requestsPerMinute: 60 });
  });

  test('the API key is never shown, even when it is the wrong type', () => {
    expect(problemOf({ ...base, api_key: 123456789012 })).not.toContain('123456789012');
  });
});

describe('the generic validator', () => {
  const spec: ObjectSpec = {
    required: ['name', 'token'],
    properties: {
      name: { type: 'string', pattern: '^[a-z]+$', examples: ['alpha'] },
      token: { type: 'string', airbyte_secret: true, pattern: '^t-' },
      enabled: { type: 'boolean', default: true },
      ratio: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
      tags: { type: 'array', items: { type: 'string' }, default: [] },
    },
  };

  test('words problems from the spec and shows given values except secrets', () => {
    const { problems } = validateAgainstSpec(spec, { name: 'Beta', token: 'secret-value', enabled: 'yes', ratio: 2, tags: ['a', 3] });
    expect(problems).toEqual([
      `Config field 'name' must have the format /^[a-z]+$/, for example alpha (got "Beta").`,
      `Config field 'token' must have the format /^t-/.`,
      `Config field 'enabled' must be true or false (got "yes").`,
      `Config field 'ratio' must be at most 1 (got 2).`,
      `Config field 'tags.1' must hold text values.`,
    ]);
  });

  test('fills defaults without sharing them between calls', () => {
    const first = validateAgainstSpec(spec, { name: 'a', token: 't-1' });
    expect(first).toEqual({ values: { name: 'a', token: 't-1', enabled: true, ratio: 0.5, tags: [] }, problems: [] });
    (first.values.tags as string[]).push('x');
    expect(validateAgainstSpec(spec, { name: 'a', token: 't-1' }).values.tags).toEqual([]);
  });
});
