/**
 * `GET /appapi/incident/{cid}/account-takeover/{iid}/details/`: the details of an Account Takeover
 * incident (research §3.4), whose ordinary details endpoint answers 410/404. Alerts are paged
 * (`items_per_page` 1–500, default 50) and filterable by `title`, `location` and `ip`. Everything
 * is generated from (seed, incident id); the account is the list entry's recipient.
 */
import { CLS_ATTACK, CLS_REPORT, RT_ATO, buildCore, type GenContext, type IncidentMeta } from './generator.js';
import { Rng, hashInts } from './prng.js';
import { intParam, invalidPage, json, type SimResponse } from './responses.js';
import { US_PER_SECOND, formatUs } from './time.js';

const ALERT_KINDS: readonly (readonly [title: string, type: string, description: string])[] = [
  ['Impossible travel', 'sign_in', 'Two sign-ins from locations too far apart to travel between in the time observed.'],
  ['Sign-in from an unfamiliar location', 'sign_in', 'The account signed in from a country it has not used before.'],
  ['Sign-in from an anonymous IP address', 'sign_in', 'The sign-in came from a Tor exit node or an anonymising VPN.'],
  ['Suspicious inbox rule created', 'mailbox_rule', 'A rule that moves or deletes incoming mail was created.'],
  ['MFA fatigue attempt', 'mfa', 'Many MFA prompts were denied within a few minutes.'],
  ['Mass email deletion', 'mailbox_activity', 'Unusually many messages were deleted in a short time.'],
];
const LOCATIONS = ['Berlin, DE', 'Lagos, NG', 'São Paulo, BR', 'Moscow, RU', 'Singapore, SG', 'Ashburn, US', 'Amsterdam, NL', '東京, JP'];
const COUNTRIES = ['Germany', 'United States', 'France', 'Israel', 'United Kingdom', 'Japan'];
const TITLES = ['Accountant', 'Sales Manager', 'Software Engineer', 'Chief Financial Officer', 'Office Manager'];
const DEPARTMENTS = ['Finance', 'Sales', 'Engineering', 'Executive', 'Operations'];
/** ATO `state`: 1 open, 2 safe, 3 compromised (research §4.1). */
const STATE_OPEN = 1;
const STATE_SAFE = 2;
const STATE_COMPROMISED = 3;

const notFound = (): SimResponse => json(404, { error_message: 'Incident/company were not found' });

function ip(rng: Rng): string {
  return `${rng.int(23, 213)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function atoState(cls: number): number {
  if (cls === CLS_REPORT) return STATE_OPEN;
  return cls === CLS_ATTACK ? STATE_COMPROMISED : STATE_SAFE;
}

/** The whole object for an ATO incident, alerts unpaged. */
export function buildAtoDetails(ctx: GenContext, meta: IncidentMeta): Record<string, unknown> & { alerts: Record<string, unknown>[] } {
  const core = buildCore(ctx, meta);
  const rng = new Rng(hashInts(ctx.seed, meta.id, 50));
  // Mostly a handful of alerts; some incidents have enough to need several pages.
  const alertCount = rng.chance(0.15) ? rng.int(60, 130) : rng.int(1, 6);
  let alertId = 8_000_000 + (hashInts(ctx.seed, meta.id, 51) % 1_000_000) * 4;
  const alerts: Record<string, unknown>[] = [];
  for (let i = 0; i < alertCount; i++) {
    const [title, type, description] = rng.pick(ALERT_KINDS);
    const at = meta.createdUs - (alertCount - i) * rng.int(30, 600) * US_PER_SECOND;
    const details = Array.from({ length: rng.int(1, 3) }, (_, k) => ({
      ip: ip(rng),
      location: rng.pick(LOCATIONS),
      logon_time: formatUs(at - k * rng.int(60, 3600) * US_PER_SECOND),
    }));
    alerts.push({ id: alertId, title, description, type, details, created: formatUs(at) });
    alertId += 1 + rng.int(0, 2);
  }
  const resolved = meta.cls !== CLS_REPORT;
  const resolvedOnUs = meta.isReclassified ? meta.reclassifiedOnUs : meta.createdUs + core.resolvedOffsetUs;
  const assignee = core.assignee === null ? null : {
    id: 1000 + ([...core.assignee].reduce((h, c) => hashInts(h, c.codePointAt(0) ?? 0), ctx.seed) % 9000),
    email: core.assignee,
    first_name: core.assignee.split('@')[0]?.split('.')[0] ?? '',
    last_name: core.assignee.split('@')[0]?.split('.')[1] ?? '',
  };
  return {
    id: meta.id,
    account_details: {
      name: core.recipient.name,
      title: rng.pick(TITLES),
      department: rng.pick(DEPARTMENTS),
      email: core.recipient.email,
      country: rng.pick(COUNTRIES),
      phone_number: rng.chance(0.5) ? `+1 555 01${rng.int(10, 99)}` : null,
    },
    alerts,
    state: atoState(meta.cls),
    original_state: STATE_OPEN,
    resolved_by: resolved ? (meta.isReclassified ? `simulator@${ctx.companyDomain}` : core.resolver) : null,
    resolved_on: resolved ? formatUs(resolvedOnUs) : null,
    created: formatUs(meta.createdUs),
    assignee,
  };
}

/** Repeatable filter values, as `title=a&title=b` or `title[]=a`. */
function filterValues(params: URLSearchParams, name: string): Set<string> | null {
  const values = [...params.getAll(name), ...params.getAll(`${name}[]`)];
  return values.length === 0 ? null : new Set(values);
}

const unique = (values: string[]): string[] => [...new Set(values)].sort();

export function atoResponse(ctx: GenContext, meta: IncidentMeta | undefined, params: URLSearchParams): SimResponse {
  if (!meta || meta.reportType !== RT_ATO) return notFound();
  const page = intParam(params, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  if (typeof page !== 'number') return page;
  const perPage = intParam(params, 'items_per_page', 50, 1, 500);
  if (typeof perPage !== 'number') return perPage;

  const full = buildAtoDetails(ctx, meta);
  type Alert = { title: string; details: { ip: string; location: string }[] };
  const all = full.alerts as unknown as Alert[];
  const titles = filterValues(params, 'title');
  const locations = filterValues(params, 'location');
  const ips = filterValues(params, 'ip');
  const matching = all.filter((a) => (!titles || titles.has(a.title)) &&
    (!locations || a.details.some((d) => locations.has(d.location))) &&
    (!ips || a.details.some((d) => ips.has(d.ip))));
  const pagesCount = Math.ceil(matching.length / perPage);
  if (page > Math.max(pagesCount, 1)) return invalidPage();
  return json(200, {
    incident_details: { ...full, alerts: matching.slice((page - 1) * perPage, page * perPage) },
    filter_options: {
      titles: unique(all.map((a) => a.title)),
      locations: unique(all.flatMap((a) => a.details.map((d) => d.location))),
      ips: unique(all.flatMap((a) => a.details.map((d) => d.ip))),
    },
    pages_count: pagesCount,
    page,
    items_per_page: perPage,
  });
}
