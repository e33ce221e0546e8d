/** Which start a read without start_date pins (src/start-date.ts): the default only for a fresh connection. */
import type { PlannedStream } from '../../src/airbyte/stream.js';
import { parseTimestamp } from '../../src/ironscales/timestamps.js';
import { EARLIEST_START, futureStartProblem, pinnedStart, startToPin } from '../../src/start-date.js';

const stream = (name: string, over: Partial<PlannedStream> = {}): PlannedStream => ({ name, syncMode: 'incremental', hasCursor: name !== 'mailboxes', hasState: false, ...over });

test.each<[string, PlannedStream[], ReturnType<typeof startToPin>]>([
  ['a new connection (generation 0, no state)', [stream('incidents', { generationId: 0 }), stream('iocs', { generationId: 0 })], 'default'],
  ['a platform without generations, no state', [stream('incidents')], 'default'],
  ['full refresh only: its generation is bumped at every sync, so it tells nothing', [stream('incidents', { syncMode: 'full_refresh', generationId: 7 })], 'default'],
  ['a stream with state (synced by an older version)', [stream('incidents', { generationId: 0, hasState: true })], 'earliest'],
  ['a stream refreshed or cleared before any pin (generation 1, no state)', [stream('incidents', { generationId: 1 })], 'earliest'],
  ['one fresh stream beside one that synced', [stream('incidents', { generationId: 0 }), stream('iocs', { generationId: 0, hasState: true })], 'earliest'],
  ['only a stream that does not use the start', [stream('mailboxes', { syncMode: 'full_refresh', generationId: 3 })], undefined],
  ['a stream that does not use the start does not count', [stream('incidents', { generationId: 0 }), stream('mailboxes', { generationId: 5, hasState: true })], 'default'],
])('%s → %s', (_name, streams, pin) => {
  expect(startToPin(streams)).toBe(pin);
});

test('the default is IRONSCALES\' now − 90 days in the spec\'s format, rounded down to the second; the earliest is before any incident', () => {
  expect(pinnedStart('default', parseTimestamp('2026-12-01T10:20:30.999999Z'))).toBe('2026-09-02T10:20:30Z');
  expect(pinnedStart('earliest', parseTimestamp('2026-12-01T10:20:30Z'))).toBe(EARLIEST_START);
  expect(EARLIEST_START).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('a start_date after IRONSCALES\' now is named with the field; now itself is fine', () => {
  const now = parseTimestamp('2026-12-01T10:00:00Z');
  expect(futureStartProblem('2026-12-01T10:00:00Z', now, now)).toBeUndefined();
  expect(futureStartProblem('2999-01-01T00:00:00Z', parseTimestamp('2999-01-01T00:00:00Z'), now)).toMatch(/^Config field 'start_date' \(2999-01-01T00:00:00Z\) lies after IRONSCALES' current time \(2026-12-01T10:00:00Z\)/);
});
