/**
 * IRONSCALES timestamps carry microseconds (2023-07-04T09:29:29.317504Z), and a cursor must never
 * be rounded, so times are handled as integer microseconds since the epoch. A JS number holds
 * that exactly (about 1.7e15, far below 2^53); Date and most libraries keep only milliseconds.
 */

export type Micros = number;

const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses ISO-8601 with an offset and 0–9 fraction digits; digits past the sixth are dropped, never rounded up. */
export function parseTimestamp(text: string): Micros {
  const m = ISO_PATTERN.exec(text.trim());
  if (!m) throw new RangeError(`not an ISO-8601 timestamp with offset: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // Date.UTC rolls impossible values over (30 February becomes 2 March): refuse them instead.
  const check = new Date(ms);
  if (
    Number.isNaN(ms) ||
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s)
  ) {
    throw new RangeError(`not a valid date: ${JSON.stringify(text)}`);
  }
  const seconds = ms / 1000;
  const micros = Number((fraction + '000000').slice(0, 6));
  let offsetSeconds = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetSeconds = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60);
  }
  return (seconds - offsetSeconds) * 1_000_000 + micros;
}

/** 2023-07-04T09:29:29.317504Z — always six fraction digits, so equal instants compare equal as strings too. */
export function formatTimestamp(us: Micros): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // 2023-07-04T09:29:29.317Z
  const micros = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${iso.slice(0, 19)}.${micros}Z`;
}

/** The form the list endpoint's time filters document: 2025-03-18T13:45:30.635993+00:00 (the + gets percent-encoded). */
export function formatQueryTimestamp(us: Micros): string {
  return formatTimestamp(us).replace(/Z$/, '+00:00');
}

export function nowMicros(): Micros {
  return Date.now() * 1000;
}

