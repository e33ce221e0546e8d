import { formatQueryTimestamp, formatTimestamp, parseTimestamp } from '../../src/ironscales/timestamps.js';

describe('microsecond timestamps', () => {
  test('round-trips IRONSCALES timestamps without losing or rounding microseconds', () => {
    for (const t of ['2023-07-04T09:29:29.317504Z', '2025-10-27T07:16:07.368189Z', '2025-01-01T00:00:00.000001Z', '1999-12-31T23:59:59.999999Z']) {
      expect(formatTimestamp(parseTimestamp(t))).toBe(t);
    }
  });

  test('1 µs neighbours stay distinct and ordered', () => {
    const a = parseTimestamp('2025-06-01T12:00:00.000004Z');
    const b = parseTimestamp('2025-06-01T12:00:00.000005Z');
    expect(b - a).toBe(1);
  });

  test('accepts the forms IRONSCALES and DRF print: no fraction, milliseconds, offsets', () => {
    expect(formatTimestamp(parseTimestamp('2025-10-27T11:59:03Z'))).toBe('2025-10-27T11:59:03.000000Z');
    expect(formatTimestamp(parseTimestamp('2021-07-06T06:34:00.070Z'))).toBe('2021-07-06T06:34:00.070000Z');
    expect(formatTimestamp(parseTimestamp('2025-03-18T15:45:30.635993+02:00'))).toBe('2025-03-18T13:45:30.635993Z');
    // Digits past the sixth are dropped, never rounded up into the next microsecond.
    expect(formatTimestamp(parseTimestamp('2025-03-18T13:45:30.6359999Z'))).toBe('2025-03-18T13:45:30.635999Z');
  });

  test('query form carries an explicit offset', () => {
    expect(formatQueryTimestamp(parseTimestamp('2025-03-18T13:45:30.635993Z'))).toBe('2025-03-18T13:45:30.635993+00:00');
  });

  test('rejects what is not a timestamp', () => {
    expect(() => parseTimestamp('yesterday')).toThrow(RangeError);
    expect(() => parseTimestamp('2025-03-18 13:45:30')).toThrow(RangeError);
    expect(() => parseTimestamp('2025-03-18T13:45:30.635993 00:00')).toThrow(RangeError);
  });
});

test('impossible calendar values are refused, not rolled over into the next month', () => {
  for (const bad of ['2025-02-30T00:00:00Z', '2025-04-31T00:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T23:60:00Z', '2025-13-01T00:00:00Z']) {
    expect(() => parseTimestamp(bad)).toThrow(RangeError);
  }
  expect(formatTimestamp(parseTimestamp('2024-02-29T23:59:59.999999Z'))).toBe('2024-02-29T23:59:59.999999Z');
});
