/**
 * Scenario 7, what each stream costs beside the incidents: the steady day of scenario 4 synced with
 * eight catalogs (incidents alone, with IOCs, with mitigations, with mailboxes, with escalated
 * e-mails, with scanback incidents, with deepfake events, all seven) on the same data, so each
 * extra request is the added stream's. The day also brings scanback incidents and deepfake events
 * (more-streams.ts).
 */
import type { Simulator } from '../simulator/index.js';
import { DEEPFAKE, EMAILS, INCIDENT_STREAMS, IOCS, MAILBOXES, MITIGATIONS, SCANBACK, STREAM } from './files.js';
import {
  caseResult, fmt, measure, noProblemsCheck, simOptions, withSimulator, type CaseResult, type Check, type Measured, type Scenario,
} from './harness.js';
import { MORE_DAY, moreStreamsChecks, setUpMoreStreams, type MoreStreamsDay } from './more-streams.js';
import { DAY, DAY_SETTINGS, setUpSteadyDay, type SteadyDaySetup } from './steady-day.js';

/** Mailboxes the simulator serves here: enough for the list to take more than one page. */
const MAILBOX_COUNT = 250;
const MAILBOX_PAGE = 100;
/** The connector's packing limits for `POST /mitigation/{cid}/details/` (src/streams/incidents/mitigations.ts). */
const MITIGATION_ROWS_PER_PAGE = 100;
const MITIGATION_IDS_PER_CALL = 100;

const CATALOGS: ReadonlyArray<{ key: string; label: string; streams: string[] }> = [
  { key: 'incidents', label: 'incidents only', streams: [STREAM] },
  { key: 'iocs', label: 'incidents + IOCs', streams: [STREAM, IOCS] },
  { key: 'mitigations', label: 'incidents + mitigations', streams: [STREAM, MITIGATIONS] },
  { key: 'mailboxes', label: 'incidents + mailboxes', streams: [STREAM, MAILBOXES] },
  { key: 'emails', label: 'incidents + escalated e-mails', streams: [STREAM, EMAILS] },
  { key: 'scanback', label: 'incidents + scanback incidents', streams: [STREAM, SCANBACK] },
  { key: 'deepfake', label: 'incidents + deepfake events', streams: [STREAM, DEEPFAKE] },
  { key: 'all', label: 'all seven streams', streams: [STREAM, IOCS, MITIGATIONS, MAILBOXES, EMAILS, SCANBACK, DEEPFAKE] },
];

/**
 * The batches the packing makes: per pass (the updates pass emits the reclassified incidents, the
 * created pass the new ones, each pass one slice here), incidents in id order, a batch closed when
 * the next incident's affected mailboxes would overflow one page or it holds 100 ids.
 */
function expectedBatches(sim: Simulator, day: SteadyDaySetup): number {
  let batches = 0;
  for (const pass of [day.reclassifiedIds, day.freshIds]) {
    let ids = 0;
    let rows = 0;
    for (const id of [...pass].sort((a, b) => a - b)) {
      const expected = Math.max(1, Number(sim.details(id)?.affected_mailbox_count) || 1);
      if (ids > 0 && (rows + expected > MITIGATION_ROWS_PER_PAGE || ids >= MITIGATION_IDS_PER_CALL)) {
        batches += 1;
        ids = 0;
        rows = 0;
      }
      ids += 1;
      rows += expected;
    }
    if (ids > 0) batches += 1;
  }
  return batches;
}

export const streamCosts: Scenario = {
  id: 'streams',
  number: 7,
  title: 'Stream costs (steady day, by catalog)',
  async run(ctx) {
    const changed = DAY.fresh + DAY.reclassified;
    const runs = new Map<string, Measured[]>(CATALOGS.map((c) => [c.key, []]));
    const days: MoreStreamsDay[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      ctx.log(`  run ${i + 1}/${ctx.repeats}`);
      await withSimulator(simOptions({ latencyMs: DAY.latencyMs, mailboxes: MAILBOX_COUNT }), async (sim) => {
        const day = setUpSteadyDay(sim);
        const batches = expectedBatches(sim, day);
        const more = await setUpMoreStreams(ctx, sim, day);
        days.push(more);
        // Reads do not change the simulator, so every catalog sees the same day.
        for (const catalog of CATALOGS) {
          ctx.log(`   ${catalog.label}`);
          const state = [...day.state(catalog.streams.filter((s) => INCIDENT_STREAMS.includes(s))), ...more.state(catalog.streams)];
          const m = await measure(ctx, sim, { settings: DAY_SETTINGS, streams: catalog.streams, state, incidents: changed, expectedRecords: changed });
          m.metrics.mitigationBatches = batches;
          m.metrics.emailsWindow = more.emailsWindow;
          runs.get(catalog.key)?.push(m);
        }
      });
    }
    const cases = new Map<string, CaseResult>();
    for (const catalog of CATALOGS) {
      cases.set(catalog.key, caseResult(`7. Steady day, ${catalog.label}`, { ...DAY, streams: catalog.streams, mailboxes: MAILBOX_COUNT }, runs.get(catalog.key) ?? [],
        (m) => `${fmt(m.requests, 0)} requests; records: ${fmt(m.incidentRecords, 0)} incidents` +
          (catalog.streams.includes(IOCS) ? `, ${fmt(m.iocRecords, 0)} IOCs` : '') +
          (catalog.streams.includes(MITIGATIONS) ? `, ${fmt(m.mitigationRecords, 0)} mitigations (${fmt(m.mitigations, 0)} calls, ${fmt(m.mitigationBatches, 0)} batches)` : '') +
          (catalog.streams.includes(MAILBOXES) ? `, ${fmt(m.mailboxRecords, 0)} mailboxes (${fmt(m.mailboxes, 0)} calls)` : '') +
          (catalog.streams.includes(EMAILS) ? `, ${fmt(m.emailRecords, 0)} escalated e-mails (${fmt(m.emails, 0)} calls for ${fmt(m.emailsWindow, 0)} rows re-read and new)` : '') +
          (catalog.streams.includes(SCANBACK) ? `, ${fmt(m.scanbackRecords, 0)} scanback incidents (${fmt(m.scanback, 0)} calls)` : '') +
          (catalog.streams.includes(DEEPFAKE) ? `, ${fmt(m.deepfakeRecords, 0)} deepfake events (${fmt(m.deepfake, 0)} calls)` : '')));
    }
    const get = (key: string): CaseResult => cases.get(key) as CaseResult;
    const base = get('incidents');
    const extra = (key: string): number => (get(key).medians.requests as number) - (base.medians.requests as number);
    // Each run against the incidents-only run of the same simulator (same data).
    type Run = Required<Record<'requests' | 'iocRecords' | 'mitigations' | 'mitigationBatches' | 'mitigationRecords' | 'mailboxes' | 'mailboxRecords' | 'emails' | 'scanback' | 'deepfake', number>>;
    const everyRun = (key: string, ok: (run: Run, baseRequests: number) => boolean): boolean =>
      get(key).runs.every((r, i) => ok(r as Run, (base.runs[i] as Run | undefined)?.requests ?? Number.NaN));
    const expectedMailboxCalls = Math.ceil(MAILBOX_COUNT / MAILBOX_PAGE);
    const checks: Check[] = [
      {
        target: 'IOC rows cost 0 requests beside the incidents',
        measured: `${extra('iocs')} extra (${get('iocs').medians.requests} vs ${base.medians.requests}), ${get('iocs').medians.iocRecords} IOC rows`,
        met: everyRun('iocs', (r, b) => r.requests === b && r.iocRecords > 0),
      },
      {
        target: 'Mitigations: at most 1 call per batch of incidents',
        measured: `${get('mitigations').medians.mitigations} calls for ${get('mitigations').medians.mitigationBatches} batches of ${changed} incidents ` +
          `(${get('mitigations').medians.mitigationRecords} rows); ${extra('mitigations')} extra requests in all`,
        met: everyRun('mitigations', (r, b) => r.mitigations <= r.mitigationBatches && r.requests - b === r.mitigations && r.mitigationRecords > 0),
      },
      {
        target: `Mailboxes: 1 call per ${MAILBOX_PAGE} mailboxes (${MAILBOX_COUNT} → ${expectedMailboxCalls})`,
        measured: `${get('mailboxes').medians.mailboxes} calls, ${get('mailboxes').medians.mailboxRecords} rows; ${extra('mailboxes')} extra requests in all`,
        met: everyRun('mailboxes', (r, b) => r.mailboxes === expectedMailboxCalls && r.mailboxRecords === MAILBOX_COUNT && r.requests - b === expectedMailboxCalls),
      },
      ...moreStreamsChecks(get, base, days, MORE_DAY),
      {
        target: 'All seven streams: the incidents-only requests + the mitigations, mailboxes, e-mails, scanback and deepfake calls',
        measured: `${get('all').medians.requests} = ${base.medians.requests} + ${get('all').medians.mitigations} + ${get('all').medians.mailboxes} + ` +
          `${get('all').medians.emails} + ${get('all').medians.scanback} + ${get('all').medians.deepfake}`,
        met: everyRun('all', (r, b) => r.requests === b + r.mitigations + r.mailboxes + r.emails + r.scanback + r.deepfake),
      },
      ...noProblemsCheck([...cases.values()]),
    ];
    return { cases: [...cases.values()], checks };
  },
};
