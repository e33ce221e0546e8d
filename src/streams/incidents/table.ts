/**
 * A table fed by the incident passes: incidents, their IOCs, their mitigations. The passes list
 * incidents once, fetch each one's details once (only if a selected table needs them) and hand
 * every table the incidents it is due; a table turns them into its rows. Adding such a table is
 * one file that exports an IncidentTable, plus one line in src/streams/index.ts.
 */
import type { StreamDefinition } from '../../airbyte/stream.js';
import type { IronscalesClient } from '../../ironscales/client.js';
import type { SliceItem } from './list-slices.js';

/** One incident as the passes read it: its list entry and, where fetched, its record. */
export interface ReadIncident extends SliceItem {
  /** The incident record (details, or built from the list entry); {} when no table needs details. */
  record: Record<string, unknown>;
}

export interface IncidentTable {
  /** Its cursor is always first_reported_date: every row carries its incident's first report. */
  definition: StreamDefinition & { cursorField: string[] };
  /** Whether its rows need each incident's details (one call per incident, shared by every table). */
  needsDetails: boolean;
  /** Rows per incident measured on the simulator's data, for estimates until 20 incidents give a rate of its own (1 when absent). */
  typicalRowsPerIncident?: number;
  /** Rows derived from one incident, without any API call. */
  rowsOf?(incident: ReadIncident): Array<Record<string, unknown>>;
  /** Rows fetched for a slice's incidents once the slice is read (the table's own API calls); `log` tells the user what it learned. */
  rowsFor?(incidents: SliceItem[], client: IronscalesClient, log: (message: string) => Promise<void>): AsyncGenerator<Record<string, unknown>>;
}
