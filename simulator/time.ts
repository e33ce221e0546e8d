/**
 * Timestamps are integer microseconds since the Unix epoch (exact in a JS number until the year
 * 2255), so microseconds are never lost.
 */

export const US_PER_MS = 1000;
export const US_PER_SECOND = 1_000_000;

/** DRF style: `2025-10-27T07:16:07.368189Z`; a zero fraction is dropped (`2025-10-27T07:16:07Z`). */
export function formatUs(us: number): string {
  const seconds = Math.floor(us / US_PER_SECOND);
  const fraction = us - seconds * US_PER_SECOND;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return fraction === 0 ? `${base}Z` : `${base}.${String(fraction).padStart(6, '0')}Z`;
}

/** Whole seconds only (`latestEmailDate` style): `2025-10-27T11:59:03Z`. */
export function formatSeconds(us: number): string {
  return formatUs(Math.floor(us / US_PER_SECOND) * US_PER_SECOND);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date as in mail headers: `Tue, 4 Jul 2023 09:22:38 +0000`. */
export function formatRfc2822(us: number): string {
  const d = new Date(Math.floor(us / US_PER_MS));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * Parse ISO-8601 with an explicit offset (`Z`, `+HH:MM`, `+HHMM`, `+HH`) and 0..6 fractional
 * digits into epoch microseconds. Returns null for anything else (a space, a missing offset,
 * an impossible date, more than 6 fractional digits).
 */
export function parseIsoUs(text: string): number | null {
  const m = ISO_PATTERN.exec(text);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, fs, tz] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  const fraction = fs === undefined ? 0 : Number(fs.padEnd(6, '0'));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const monthEnd = new Date(Date.UTC(2000, month, 0));
  monthEnd.setUTCFullYear(year, month, 0);
  if (day > monthEnd.getUTCDate()) return null;
  let offsetMinutes = 0;
  if (tz !== undefined && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const date = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  date.setUTCFullYear(year, month - 1, day);
  const epochMs = date.getTime() - offsetMinutes * 60_000;
  if (!Number.isFinite(epochMs)) return null;
  return epochMs * US_PER_MS + fraction;
}
