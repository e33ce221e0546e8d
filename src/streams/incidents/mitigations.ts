/**
 * `ironscales_mitigations`: one row per mailbox an incident reached and what was done there
 * (remediated time, resolution, sender IP, SPF). Fetched with `POST /mitigation/{cid}/details/`
 * for the incidents the passes emit, in batches packed to fit one response page by the list's
 * affectedMailboxesCount, so a batch normally costs one call. Every row carries its incident's
 * first_reported_date, the cursor it shares with the incidents.
 */
import type { IronscalesClient } from '../../ironscales/client.js';
import type { SliceItem } from './list-slices.js';
import type { IncidentTable } from './table.js';

/** Rows per response page (an assumption: IRONSCALES does not document it) and ids per request. */
export const MITIGATIONS_PER_PAGE = 100;
export const INCIDENTS_PER_MITIGATION_CALL = 100;

const nullable = (type: string) => ({ type: [type, 'null'] });

export const mitigations: IncidentTable = {
  definition: {
    name: 'ironscales_mitigations',
    jsonSchema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: true,
      required: ['mitigationID', 'incidentID', 'first_reported_date'],
      properties: {
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
      },
    },
    primaryKey: [['mitigationID']],
    cursorField: ['first_reported_date'],
    resumable: true,
    typicalRecordBytes: 350,
  },
  needsDetails: false,
  typicalRowsPerIncident: 4,
  rowsFor: mitigationRows,
};

async function* mitigationRows(incidents: SliceItem[], client: IronscalesClient): AsyncGenerator<Record<string, unknown>> {
  const firstReported = new Map(incidents.map(({ item }) => [item.incidentID, item.created]));
  for (const ids of batches(incidents)) {
    for (let page = 1; ; page++) {
      const answer = await client.listMitigations(ids, page);
      for (const row of answer?.mitigations ?? []) {
        yield { ...row, first_reported_date: firstReported.get(row.incidentID as number) ?? null };
      }
      if (!answer || page >= answer.total_pages) break;
    }
  }
}

/** Incident ids packed so each batch's expected rows (affectedMailboxesCount) fit one page. */
function batches(incidents: SliceItem[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let rows = 0;
  for (const { item } of incidents) {
    const expected = Math.max(1, Number(item.affectedMailboxesCount) || 1);
    if (current.length > 0 && (rows + expected > MITIGATIONS_PER_PAGE || current.length >= INCIDENTS_PER_MITIGATION_CALL)) {
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
