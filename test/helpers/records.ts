/**
 * What the connector's incident record for an incident with details must be, read from the
 * simulator: the details object as IRONSCALES serves it, plus the incident's list entry.
 */
import type { Simulator } from '../../simulator/index.js';

export function expectedIncidentRecord(sim: Simulator, id: number): Record<string, unknown> | undefined {
  const details = sim.details(id);
  return details === undefined ? undefined : { ...details, list_entry: sim.listEntry(id) };
}
