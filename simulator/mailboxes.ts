/**
 * `GET /appapi/mailboxes/{cid}/list/?page=&items_per_page=`: the company's protected mailboxes
 * (research §6). Field names are documented; the values are generated from the seed, ordered by id.
 */
import { Rng, hashInts } from './prng.js';
import { intParam, invalidPage, json, type SimResponse } from './responses.js';
import { FIRST_NAMES, LAST_NAMES } from './vocabulary.js';

export const DEFAULT_MAILBOXES = 50;

const TITLES = ['Accountant', 'Sales Manager', 'Software Engineer', 'HR Business Partner', 'Chief Financial Officer', 'Office Manager', 'Support Agent', 'Werkstudent', ''];
const DEPARTMENTS = ['Finance', 'Sales', 'Engineering', 'Human Resources', 'Executive', 'Operations', 'Support', ''];
const TAGS = ['VIP', 'Finance', 'Remote', 'Contractor', 'Board'];
const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja', 'pl'];
const RISK_LEVELS = ['Low', 'Medium', 'High'];
const AWARENESS_LEVELS = ['Novice', 'Beginner', 'Intermediate', 'Advanced'];
const UNPROTECTED_REASONS = ['Mailbox is disabled', 'No license assigned', 'Excluded by an administrator'];

export function buildMailboxes(seed: number, companyDomain: string, count: number): Record<string, unknown>[] {
  const rng = new Rng(hashInts(seed, count, 40));
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  let id = 610_000 + (hashInts(seed, 41) % 50_000);
  for (let i = 0; i < count; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    let local = `${first[1]}.${last[1]}`;
    for (let n = 2; seen.has(local); n++) local = `${first[1]}.${last[1]}${n}`;
    seen.add(local);
    const enabled = rng.chance(0.93);
    const isProtected = enabled && rng.chance(0.9);
    out.push({
      id,
      firstName: first[0],
      lastName: last[0],
      title: rng.pick(TITLES),
      department: rng.pick(DEPARTMENTS),
      email: `${local}@${companyDomain}`,
      phoneNumber: rng.chance(0.6) ? `+49 30 ${rng.int(1_000_000, 9_999_999)}` : null,
      tags: rng.chance(0.25) ? [rng.pick(TAGS)] : [],
      language: rng.pick(LANGUAGES),
      enabled,
      riskLevel: rng.pick(RISK_LEVELS),
      awarenessLevel: rng.pick(AWARENESS_LEVELS),
      protected: isProtected,
      unprotectedReason: isProtected ? null : enabled ? rng.pick(UNPROTECTED_REASONS.slice(1)) : UNPROTECTED_REASONS[0],
    });
    id += 1 + rng.int(0, 3);
  }
  return out;
}

export function mailboxesResponse(params: URLSearchParams, mailboxes: readonly Record<string, unknown>[]): SimResponse {
  const page = intParam(params, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  if (typeof page !== 'number') return page;
  const perPage = intParam(params, 'items_per_page', 100, 1, 1000);
  if (typeof perPage !== 'number') return perPage;
  const totalPages = Math.ceil(mailboxes.length / perPage);
  if (page > Math.max(totalPages, 1)) return invalidPage();
  return json(200, {
    page,
    total_pages: totalPages,
    total_count: mailboxes.length,
    mailboxes: mailboxes.slice((page - 1) * perPage, page * perPage),
  });
}
