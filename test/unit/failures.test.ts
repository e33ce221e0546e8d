/** toAirbyteError: IRONSCALES failure kinds → Airbyte failure types, with Airbyte's advice added once. */
import { AirbyteTracedError } from '../../src/airbyte/errors.js';
import { toAirbyteError } from '../../src/failures.js';
import { IronscalesApiError, type FailureKind } from '../../src/ironscales/errors.js';

test.each<[FailureKind, string, RegExp | null]>([
  ['credentials', 'config_error', null],
  ['permission', 'config_error', null],
  ['bad_request', 'config_error', null],
  ['unavailable', 'transient_error', /Airbyte will retry the sync/],
  ['throttled', 'transient_error', /Airbyte will retry the sync/],
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

test('advice can be left out (a failed check is not retried by Airbyte)', () => {
  const traced = toAirbyteError(new IronscalesApiError('unavailable', 'IRONSCALES API unavailable at h.'), { advice: false });
  expect({ message: traced.message, type: traced.failureType }).toEqual({ message: 'IRONSCALES API unavailable at h.', type: 'transient_error' });
});
