/**
 * `ironscales_incidents`: one record per incident, its details object as IRONSCALES returns it
 * plus its list entry (`list_entry`). Cursor `first_reported_date` (inclusive, microseconds),
 * primary key `incident_id`. Read by the incident passes (reader.ts) together with the other
 * tables they feed; how each record is obtained (details, list entry, account takeover) is in
 * records.ts.
 */
import type { StreamDefinition } from '../../airbyte/stream.js';
import { incidentSchema } from './incident-schema.js';
import type { IncidentTable } from './table.js';

export const incidents: IncidentTable = {
  definition: {
    name: 'ironscales_incidents',
    jsonSchema: incidentSchema,
    primaryKey: [['incident_id']],
    cursorField: ['first_reported_date'],
    resumable: true,
    // Measured on the simulator's data (median details body); only used before the first record.
    typicalRecordBytes: 6_000,
  } satisfies StreamDefinition,
  needsDetails: true,
  rowsOf: (incident) => [incident.record],
};
