/**
 * What the connector's incident record for an incident with details must be, read from the
 * simulator: the details object as IRONSCALES serves it, plus the incident's list entry, with any
 * top-level field the incident schema does not declare under `additional_fields` (where the
 * platform's field selection keeps it).
 */
import type { Simulator } from '../../simulator/index.js';
import { incidentSchema } from '../../src/streams/incidents/incident-schema.js';

const DECLARED = new Set(Object.keys(incidentSchema.properties as Record<string, unknown>));

export function expectedIncidentRecord(sim: Simulator, id: number): Record<string, unknown> | undefined {
  const details = sim.details(id);
  if (details === undefined) return undefined;
  const record: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [name, value] of Object.entries({ ...details, list_entry: sim.listEntry(id) })) {
    if (DECLARED.has(name)) record[name] = value;
    else extra[name] = value;
  }
  if (Object.keys(extra).length > 0) record.additional_fields = extra;
  return record;
}
