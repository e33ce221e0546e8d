/**
 * The steady day of the escalated e-mails, scanback incidents and deepfake events (scenario 7):
 * what the previous sync left in their states, what the day brings, and the checks of what they
 * cost beside the incidents.
 *
 * Timeline (steady-day.ts): the incident history ends at now − 3 h, the previous sync read up to
 * it; the day's new incidents (and so their escalated e-mails), scanback incidents and deepfake
 * events come after.
 */
import type { Simulator } from '../simulator/index.js';
import { DEEPFAKE, EMAILS, isoMicros, parseIsoMicros, SCANBACK } from './files.js';
import { measure, type BenchContext, type CaseResult, type Check } from './harness.js';
import { nextState } from './measure.js';
import { DAY_SETTINGS, type SteadyDaySetup } from './steady-day.js';

export const MORE_DAY = { deepfakeHistory: 3_000, deepfakeNew: 30, scanbackNew: 20 } as const;
/** The connector's page of escalated e-mails and its re-read before the cursor (src/streams/escalated-emails.ts). */
const EMAILS_PAGE = 5_000;
const LOOKBACK_US = 24 * 3_600_000_000;
const MINUTE_MS = 60_000;

export interface MoreStreamsDay {
  /** The states of the new streams among `streams`, as the previous sync left them. */
  state(streams: string[]): unknown[];
  /** E-mail rows due: those of the day's incidents and of its scanback incidents within the re-read day. */
  expectedEmails: number;
  /** Rows in the window the e-mails sync reads: the day before the cursor, and after it. */
  emailsWindow: number;
}

export async function setUpMoreStreams(ctx: BenchContext, sim: Simulator, day: SteadyDaySetup): Promise<MoreStreamsDay> {
  const historyEndMs = Math.floor(day.historyEndUs / 1000);
  sim.generateDeepfakeEvents(MORE_DAY.deepfakeHistory, { from: new Date(historyEndMs - 30 * 24 * 60 * MINUTE_MS).toISOString(), to: new Date(historyEndMs).toISOString() });
  // The feed's position is IRONSCALES' own: read the history once, as the previous syncs did.
  ctx.log('   (the deepfake history, read once for its state)');
  const history = await measure(ctx, sim, { settings: DAY_SETTINGS, streams: [DEEPFAKE], incidents: 0, expectedRecords: null });
  const deepfakeState = nextState(history.run);
  const now = Date.now();
  const scanbacks = sim.generateScanbackIncidents(MORE_DAY.scanbackNew, { from: new Date(now - 120 * MINUTE_MS).toISOString(), to: new Date(now - 5 * MINUTE_MS).toISOString() });
  sim.addDeepfakeEvents(MORE_DAY.deepfakeNew);
  const rereadFrom = day.historyEndUs - LOOKBACK_US;
  const expectedEmails = sim.escalatedEmails([...day.freshIds, ...scanbacks]).filter((r) => parseIsoMicros(String(r.arrival_date)) >= rereadFrom).length;
  const states: Record<string, unknown> = {
    // Everything before the history's end was read, the history's incidents among it.
    [EMAILS]: { arrival_date: isoMicros(day.historyEndUs), max_incident_id: day.lastHistoryId },
    [SCANBACK]: { created: isoMicros(day.historyEndUs) },
  };
  return {
    state: (streams) => [
      ...Object.entries(states).filter(([name]) => streams.includes(name)).map(([name, streamState]) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } })),
      ...(streams.includes(DEEPFAKE) ? deepfakeState : []),
    ],
    expectedEmails,
    emailsWindow: await emailsBetween(sim, rereadFrom, Date.now() * 1000),
  };
}

/** The rows IRONSCALES announces for an arrival window (one call of page_size 1). */
async function emailsBetween(sim: Simulator, fromUs: number, toUs: number): Promise<number> {
  const token = await fetch(`${sim.url}/appapi/get-token/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: sim.apiKey, scopes: ['company.all'] }) });
  const { jwt } = (await token.json()) as { jwt: string };
  const params = new URLSearchParams({ start_time: isoMicros(fromUs), end_time: isoMicros(toUs), page_size: '1' });
  const res = await fetch(`${sim.url}/appapi/emails/${sim.companyId}/?${params}`, { headers: { Authorization: `Bearer ${jwt}` } });
  return ((await res.json()) as { total_count: number }).total_count;
}

type Run = Required<Record<'requests' | 'emails' | 'emailRecords' | 'throttled' | 'scanback' | 'scanbackRecords' | 'deepfake' | 'deepfakeRecords', number>>;

/** The targets of the three streams, every run against the incidents-only run of the same day. */
export function moreStreamsChecks(get: (key: string) => CaseResult, base: CaseResult, days: MoreStreamsDay[], more: typeof MORE_DAY): Check[] {
  const everyRun = (key: string, ok: (run: Run, baseRequests: number, day: MoreStreamsDay) => boolean): boolean =>
    get(key).runs.length === days.length && get(key).runs.every((r, i) => ok(r as Run, base.runs[i]?.requests ?? Number.NaN, days[i] as MoreStreamsDay));
  const m = (key: string) => get(key).medians;
  return [
    {
      target: `Escalated e-mails: one call per ${EMAILS_PAGE.toLocaleString('en')} rows of the window (the day re-read before the cursor, and the new), 0 × 429, exactly the new rows`,
      measured: `${m('emails').emails} calls for ${m('emails').emailsWindow} rows in the window, ${m('emails').emailRecords} rows sent (${(m('emails').requests ?? 0) - (base.medians.requests ?? 0)} extra requests), ${m('emails').throttled} × 429`,
      met: everyRun('emails', (r, b, day) =>
        r.emails === Math.ceil(day.emailsWindow / EMAILS_PAGE) && r.emailRecords === day.expectedEmails && r.throttled === 0 && r.requests - b === r.emails),
    },
    {
      target: `Scanback incidents: the day's ${more.scanbackNew} in 1 call`,
      measured: `${m('scanback').scanback} calls, ${m('scanback').scanbackRecords} rows`,
      met: everyRun('scanback', (r, b) => r.scanback === 1 && r.scanbackRecords === more.scanbackNew && r.requests - b === 1),
    },
    {
      target: `Deepfake events: the day's ${more.deepfakeNew} in 2 calls (a page, and the empty page that ends the feed)`,
      measured: `${m('deepfake').deepfake} calls, ${m('deepfake').deepfakeRecords} rows`,
      met: everyRun('deepfake', (r, b) => r.deepfake === 2 && r.deepfakeRecords === more.deepfakeNew && r.requests - b === 2),
    },
  ];
}
