/** The secrets walk: every value the spec marks airbyte_secret, however deep, and nothing else. */
import { secretsFromSpec } from '../../src/airbyte/secrets.js';
import { connectionSpecification } from '../../src/spec.js';

const spec = {
  type: 'object',
  properties: {
    host: { type: 'string' },
    api_key: { type: 'string', airbyte_secret: true },
    credentials: {
      type: 'object',
      oneOf: [
        { title: 'OAuth', properties: { auth_type: { const: 'oauth' }, client_id: { type: 'string' }, client_secret: { type: 'string', airbyte_secret: true } } },
        { title: 'Token', properties: { auth_type: { const: 'token' }, access_token: { type: 'string', airbyte_secret: true } } },
      ],
    },
    tunnels: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, password: { type: 'string', airbyte_secret: true } } } },
    pin: { type: 'integer', airbyte_secret: true },
    nested: { type: 'object', properties: { deeper: { type: 'object', properties: { key: { type: 'string', airbyte_secret: true } } } } },
  },
};

test('finds secrets at the top, in oneOf branches, in array items and deep in objects, as given and trimmed', () => {
  const config = {
    host: 'appapi.ironscales.com',
    api_key: '  padded-key  ',
    credentials: { auth_type: 'oauth', client_id: 'public-id', client_secret: 'oauth-secret' },
    tunnels: [{ name: 'a', password: 'pw-one' }, { name: 'b', password: 'pw-two' }],
    pin: 98765,
    nested: { deeper: { key: 'deep-secret' } },
  };
  expect(new Set(secretsFromSpec(spec, config))).toEqual(new Set(['  padded-key  ', 'padded-key', 'oauth-secret', 'pw-one', 'pw-two', '98765', 'deep-secret']));
});

test('a secret field holding an object or a list has every value masked', () => {
  expect(new Set(secretsFromSpec(spec, { api_key: ['k1', { inner: 'k2' }] }))).toEqual(new Set(['k1', 'k2']));
});

test('missing, null and non-object configs give nothing', () => {
  expect(secretsFromSpec(spec, {})).toEqual([]);
  expect(secretsFromSpec(spec, { api_key: null, credentials: null })).toEqual([]);
  expect(secretsFromSpec(spec, null)).toEqual([]);
  expect(secretsFromSpec(spec, 'a string')).toEqual([]);
  expect(secretsFromSpec(spec, { api_key: '' })).toEqual([]);
});

test("the connector's own spec: the API key, whatever type it was given as", () => {
  expect(secretsFromSpec(connectionSpecification, { host: 'h', company_id: 1, api_key: ' key-1 ', scopes: ['company.all'] })).toEqual([' key-1 ', 'key-1']);
  expect(secretsFromSpec(connectionSpecification, { api_key: 987654321012 })).toEqual(['987654321012']);
});
