/**
 * Incidents emitted from their list entry because their own calls kept failing (state
 * `details_pending`) are tried again at the start of each sync, oldest first, until IRONSCALES
 * serves them: then the full record (and the rows other tables derive from it) is emitted again,
 * and dedup on the primary key replaces the thin one. A retry costs the details call; only an
 * incident that answers costs one more, the list call for its entry (the record carries it).
 * At most PER_SYNC are tried per sync, so a long list of broken incidents cannot crowd out new
 * ones; those still failing go to the back of the list.
 */
import type { ReadEvent } from '../../airbyte/stream.js';
import type { IronscalesClient } from '../../ironscales/client.js';
import { parseTimestamp } from '../../ironscales/timestamps.js';
import type { Member } from './members.js';
import { fetchDetails, recordOf } from './records.js';
import type { ReadIncident } from './table.js';

const PER_SYNC = 200;

export interface PendingContext {
  api: IronscalesClient;
  members: Member[];
  companyId: number;
  retryBudgetMs: number;
  warn(message: string): Promise<void>;
  info(message: string): Promise<void>;
  rowsOf(member: Member, incident: ReadIncident): Iterable<ReadEvent>;
}

export async function* retryPendingDetails(ctx: PendingContext): AsyncGenerator<ReadEvent> {
  const all = [...new Set(ctx.members.flatMap((m) => m.position.detailsPending))];
  if (all.length === 0) return;
  const now = all.slice(0, PER_SYNC);
  await ctx.info(`Trying again the details of ${now.length} of ${all.length} incident(s) whose details failed in an earlier sync.`);
  const settle = (id: number, still: boolean) => {
    for (const m of ctx.members) {
      if (!m.position.detailsPending.includes(id)) continue;
      m.position.detailsPending = m.position.detailsPending.filter((p) => p !== id);
      if (still) m.position.detailsPending.push(id);
    }
  };
  for (const id of now) {
    const details = await fetchDetails(ctx.api, id, ctx.retryBudgetMs);
    if (details instanceof Error) {
      await ctx.warn(`Incident ${id}: details still unavailable (${details.message}); trying again next sync.`);
      settle(id, true);
      continue;
    }
    const item = await listEntry(ctx.api, id);
    if (!item) {
      await ctx.warn(`Incident ${id} no longer exists in IRONSCALES (deleted or merged); its details are no longer tried.`);
      settle(id, false);
      continue;
    }
    const result = await recordOf(ctx.api, item, ctx.companyId, details);
    const owners = ctx.members.filter((m) => m.position.detailsPending.includes(id));
    if (result.kind === 'pending') {
      await ctx.warn(`Incident ${id}: ${result.reason}; trying again next sync.`);
      settle(id, true);
      continue;
    }
    settle(id, false);
    const incident: ReadIncident = { item, created: parseTimestamp(item.created), record: result.record };
    for (const m of owners) yield* ctx.rowsOf(m, incident);
  }
}

/** The incident's list entry, or undefined when the list no longer has it. */
async function listEntry(api: IronscalesClient, id: number) {
  const page = await api.listIncidents({ page: 1, itemsPerPage: 1, incidentId: id });
  return page?.incidents.find((item) => item.incidentID === id);
}
