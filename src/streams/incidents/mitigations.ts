/**
 * `ironscales_mitigations`: one row per mailbox an incident reached and what was done there
 * (remediated time, resolution, sender IP, SPF). Fetched with `POST /mitigation/{cid}/details/`
 * for the incidents the passes emit, in batches packed to fit one response page by the list's
 * affectedMailboxesCount, so a batch normally costs one call. Every row carries its incident's
 * first_reported_date, the cursor it shares with the incidents.
 *
 * IRONSCALES documents neither limit. If it refuses a batch for naming too many incidents (a 400
 * that says so), the batch is cut to what it accepts, for the rest of the sync; if it serves fewer
 * rows per page, its own total_pages leads to every page. Each is said once in the log.
 */
import type { IronscalesClient } from '../../ironscales/client.js';
import { IronscalesApiError } from '../../ironscales/errors.js';
import type { SliceItem } from './list-slices.js';
import type { IncidentTable } from './table.js';
import { nullable, recordSchema } from '../json-schema.js';

/** Rows per response page (an assumption: IRONSCALES does not document it) and ids per request. */
export const MITIGATIONS_PER_PAGE = 100;
export const INCIDENTS_PER_MITIGATION_CALL = 100;

export const mitigations: IncidentTable = {
  definition: {
    name: 'ironscales_mitigations',
    jsonSchema: recordSchema(['mitigationID', 'incidentID', 'first_reported_date'], {
      mitigationID: { type: 'integer', description: 'Primary key: the mitigation of one incident in one mailbox.' },
      incidentID: { type: 'integer' },
      first_reported_date: { type: 'string', format: 'date-time', airbyte_type: 'timestamp_with_timezone', description: "The incident's first report (the cursor)." },
      incidentState: nullable('string'),
      remediatedTime: { ...nullable('string'), format: 'date-time', airbyte_type: 'timestamp_with_timezone' },
      mailboxId: nullable('integer'),
      mailboxEmail: nullable('string'),
      subject: nullable('string'),
      senderEmail: nullable('string'),
      senderIP: nullable('string'),
      reportedBy: nullable('string'),
      resolution: nullable('string'),
      spfResult: nullable('string'),
    }),
    primaryKey: [['mitigationID']],
    cursorField: ['first_reported_date'],
    resumable: true,
    typicalRecordBytes: 350,
  },
  needsDetails: false,
  typicalRowsPerIncident: 4,
  rowsFor: mitigationRows,
};

/** What this sync learned of IRONSCALES' mitigation limits, per client (one client per sync). */
const learned = new WeakMap<IronscalesClient, { idsPerCall: number; rowsPerPage?: number }>();

async function* mitigationRows(incidents: SliceItem[], client: IronscalesClient, log: (message: string) => Promise<void>): AsyncGenerator<Record<string, unknown>> {
  const limits = learned.get(client) ?? { idsPerCall: INCIDENTS_PER_MITIGATION_CALL };
  learned.set(client, limits);
  const firstReported = new Map(incidents.map(({ item }) => [item.incidentID, item.created]));
  const queue = batches(incidents, limits.idsPerCall);
  while (queue.length > 0) {
    const ids = queue.shift() as number[];
    if (ids.length > limits.idsPerCall) {
      // Packed before IRONSCALES said how many it accepts: cut to what it does.
      queue.unshift(...chunks(ids, limits.idsPerCall));
      continue;
    }
    for (let page = 1; ; page++) {
      let answer;
      try {
        answer = await client.listMitigations(ids, page);
      } catch (err) {
        const accepted = page === 1 && ids.length > 1 ? acceptedIdCount(err, ids.length) : undefined;
        if (accepted === undefined) throw err;
        limits.idsPerCall = accepted;
        await log(`IRONSCALES accepts at most ${accepted} incidents per mitigations request (${(err as Error).message}); batches are cut to ${accepted}.`);
        queue.unshift(ids);
        break;
      }
      for (const row of answer?.mitigations ?? []) {
        yield { ...row, first_reported_date: firstReported.get(row.incidentID as number) ?? null };
      }
      if (answer && page === 1 && answer.total_pages > 1 && limits.rowsPerPage === undefined && answer.mitigations.length < MITIGATIONS_PER_PAGE) {
        limits.rowsPerPage = answer.mitigations.length;
        await log(`IRONSCALES serves ${answer.mitigations.length} mitigation rows per page; every page is read.`);
      }
      if (!answer || page >= answer.total_pages) break;
    }
  }
}

/**
 * How many incident ids IRONSCALES accepts, when it refused a request for naming too many (a 400
 * about the incidents); its message's "at most N" when it says, else half. Undefined: another refusal.
 */
function acceptedIdCount(err: unknown, asked: number): number | undefined {
  if (!(err instanceof IronscalesApiError) || err.failure !== 'bad_request') return undefined;
  const text = `${err.message} ${err.detail ?? ''}`;
  if (!/incident/i.test(text)) return undefined;
  const said = /at most (\d+)/i.exec(text);
  const n = said ? Number(said[1]) : Math.floor(asked / 2);
  return n >= 1 && n < asked ? n : Math.max(1, Math.floor(asked / 2));
}

function chunks(ids: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

/** Incident ids packed so each batch's expected rows (affectedMailboxesCount) fit one page. */
function batches(incidents: SliceItem[], idsPerCall: number): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let rows = 0;
  for (const { item } of incidents) {
    const expected = Math.max(1, Number(item.affectedMailboxesCount) || 1);
    if (current.length > 0 && (rows + expected > MITIGATIONS_PER_PAGE || current.length >= idsPerCall)) {
      out.push(current);
      current = [];
      rows = 0;
    }
    current.push(item.incidentID);
    rows += expected;
  }
  if (current.length > 0) out.push(current);
  return out;
}
