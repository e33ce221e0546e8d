/** toAirbyteError: IRONSCALES failure kinds → Airbyte failure types; no message promises a retry (only the deciding error says what Airbyte does next). */
import { AirbyteTracedError } from '../../src/airbyte/errors.js';
import { toAirbyteError } from '../../src/failures.js';
import { IronscalesApiError, type FailureKind } from '../../src/ironscales/errors.js';

test.each<[FailureKind, string, RegExp | null]>([
  ['credentials', 'config_error', null],
  ['permission', 'config_error', null],
  ['bad_request', 'config_error', null],
  ['unavailable', 'transient_error', null],
  ['throttled', 'transient_error', null],
  ['unexpected', 'system_error', /report it/],
])('%s → %s', (kind, failureType, advice) => {
  const traced = toAirbyteError(new IronscalesApiError(kind, 'IRONSCALES said no.', 'HTTP 599: raw'));
  expect(traced).toBeInstanceOf(AirbyteTracedError);
  expect(traced.failureType).toBe(failureType);
  expect(traced.message.startsWith('IRONSCALES said no.')).toBe(true);
  if (advice) expect(traced.message).toMatch(advice);
  else expect(traced.message).toBe('IRONSCALES said no.');
  expect(traced.internalMessage).toBe('HTTP 599: raw');
});

test('an AirbyteTracedError passes through unchanged; anything else is a system_error', () => {
  const original = new AirbyteTracedError('as is', 'config_error');
  expect(toAirbyteError(original)).toBe(original);
  const other = toAirbyteError(new TypeError('x is undefined'));
  expect(other.failureType).toBe('system_error');
  expect(other.message).toMatch(/x is undefined/);
  expect(toAirbyteError('a string').failureType).toBe('system_error');
});

test('no failure kind promises a retry: the job may not make one', () => {
  for (const kind of ['credentials', 'permission', 'bad_request', 'unavailable', 'throttled', 'unexpected'] as FailureKind[]) {
    expect(toAirbyteError(new IronscalesApiError(kind, 'IRONSCALES said no.')).message).not.toMatch(/retry|retries/i); // what the connector did is said by IRONSCALES' message itself
  }
});
