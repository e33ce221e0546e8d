/**
 * The incident passes: one reading of IRONSCALES' incident list that feeds every selected incident
 * table (incidents, IOCs, mitigations), each with its own saved position.
 *
 * A sync, all in IRONSCALES' own time (its Date header), up to `syncEnd` = its now minus a margin:
 *  0. details that kept failing in earlier syncs are tried again (state `details_pending`);
 *  1. updates (incremental tables with a cursor): incidents updated since the table's
 *     `updated_until` and first reported before its created window are emitted again, so
 *     reclassifications reach the destination;
 *  2. created: incidents first reported from the cursor (inclusive; minus the lookback) to syncEnd,
 *     except those already emitted at exactly the cursor instant (`ids_at_cursor`).
 * Both passes are cut into slices (incident-slices.ts) and every table is checkpointed after each
 * complete slice, so a sync killed anywhere resumes from its last STATE without loss.
 * A full refresh reads everything from the start date; given the state of an unfinished attempt
 * (the platform passes it back), it resumes from that attempt's cursor.
 */
import { transientError } from '../../airbyte/errors.js';
import type { ReadEvent, ReadSession, StreamReader } from '../../airbyte/stream.js';
import type { IronscalesClient } from '../../ironscales/client.js';
import { formatTimestamp, parseTimestamp, type Micros } from '../../ironscales/timestamps.js';
import { mapUnordered } from '../../util/concurrency.js';
import { listSlices, type SliceItem, type SliceOptions } from './list-slices.js';
import { planMember, type IncidentReaderSettings, type Member } from './members.js';
import { addPending, advanceCursor, formatIncidentPosition, parseIncidentPosition, type IncidentPosition } from './position.js';
import type { IncidentTable, ReadIncident } from './table.js';
import { fetchIncidentRecord } from './incidents.js';

export type { IncidentReaderSettings };

/** Windows end this far behind IRONSCALES' clock: its Date header has whole seconds, and writes land late. */
const SERVER_TIME_MARGIN_US = 2_000_000;
/** Past this, a saved updated_until in IRONSCALES' future was written on a fast clock: repaired, not trusted (below it, clock-estimate noise). */
const FUTURE_TOLERANCE_US = 5_000_000;
/** A clock offset larger than this is worth a line in the logs. */
const CLOCK_OFFSET_WARN_MS = 5_000;
/** Details calls in flight; the rate limiter, not this number, sets the pace against the real API. */
const DETAILS_CONCURRENCY = 24;
/** One incident's failing details are given up (for this sync) sooner than a whole outage. */
const DETAILS_RETRY_BUDGET_MS = 30_000;
const DAY_US = 86_400_000_000;

export function incidentReader(
  tables: readonly IncidentTable[],
  client: (session: ReadSession) => IronscalesClient,
  settings: IncidentReaderSettings,
): StreamReader<IncidentPosition> {
  const byName = new Map(tables.map((t) => [t.definition.name, t]));
  return {
    streams: tables.map((t) => t.definition),
    parseState: (stream, raw) => parseIncidentPosition(stream, raw),
    read: (requests, session) => new IncidentPasses(client(session), session, settings, requests.map((r) => planMember(r, byName.get(r.definition.name)!))).run(),
  };
}

class IncidentPasses {
  private syncEnd = 0;
  /** An incident whose details were served in this sync: the probe that tells an outage from a broken incident. */
  private lastGoodDetails: number | undefined;

  constructor(
    private readonly api: IronscalesClient,
    private readonly session: ReadSession,
    private readonly settings: IncidentReaderSettings,
    private readonly members: Member[],
  ) {}

  private get out() {
    return this.session.out;
  }

  async *run(): AsyncGenerator<ReadEvent> {
    await this.api.authenticate();
    await this.placeWindows();
    yield* this.retryPendingDetails();
    yield* this.updatesPass();
    for (const m of this.members) m.position.updatedUntil = Math.max(m.position.updatedUntil ?? 0, this.syncEnd);
    yield* this.createdPass();
    for (const m of this.members) {
      if (m.full) m.position.fullRefreshComplete = true;
      yield this.checkpoint(m);
    }
    const calls = Object.entries(this.api.calls).map(([kind, n]) => `${n} ${kind}`).join(', ');
    await this.out.info(`Incident passes done: ${calls} calls; IRONSCALES clock offset ${Math.round((this.api.clockOffsetMs ?? 0) / 1000)} s.`);
  }

  /** Every window is bounded by IRONSCALES' own clock, never this machine's. */
  private async placeWindows(): Promise<void> {
    const serverNow = this.api.serverNow();
    this.syncEnd = serverNow - SERVER_TIME_MARGIN_US;
    const offset = this.api.clockOffsetMs ?? 0;
    if (Math.abs(offset) > CLOCK_OFFSET_WARN_MS) {
      await this.out.warn(`This machine's clock is ${Math.round(-offset / 1000)} s off IRONSCALES' clock; windows follow IRONSCALES' time.`);
    }
    const { startDate, lookbackMinutes, defaultStartDays } = this.settings;
    const lookback = lookbackMinutes * 60_000_000;
    for (const m of this.members) {
      const cursor = m.position.cursor;
      // A saved cursor always wins over the default start; only an explicit start_date bounds it.
      m.createdFrom = cursor === undefined ? (startDate ?? serverNow - defaultStartDays * DAY_US) : Math.max(startDate ?? -Infinity, cursor - lookback);
      if (m.full || cursor === undefined) continue;
      let from = m.position.updatedUntil ?? cursor;
      // A little past syncEnd is two syncs within the clock estimate's second of uncertainty: nothing to read.
      if (from > this.syncEnd && from <= this.syncEnd + FUTURE_TOLERANCE_US) from = this.syncEnd;
      if (from > this.syncEnd) {
        await this.out.warn(
          `${m.table.definition.name}: the saved updated_until ${formatTimestamp(from)} lies in IRONSCALES' future (a fast clock in an earlier sync?); re-reading updates from the cursor.`,
        );
        from = Math.min(cursor, this.syncEnd);
        m.position.updatedUntil = from;
      }
      m.updatesFrom = from - lookback;
    }
  }

  private async *retryPendingDetails(): AsyncGenerator<ReadEvent> {
    const pending = [...new Set(this.members.flatMap((m) => m.position.detailsPending))];
    if (pending.length === 0) return;
    await this.out.info(`Trying again the details of ${pending.length} incident(s) that failed in an earlier sync.`);
    for (const id of pending) {
      let result;
      try {
        result = await this.api.getIncidentDetails(id, { retryBudgetMs: DETAILS_RETRY_BUDGET_MS });
      } catch (err) {
        await this.out.warn(`Incident ${id}: details still unavailable (${(err as Error).message}); trying again next sync.`);
        continue;
      }
      const owners = this.members.filter((m) => m.position.detailsPending.includes(id));
      for (const m of owners) m.position.detailsPending = m.position.detailsPending.filter((p) => p !== id);
      if (!result.found) continue; // emitted from its list entry already; nothing more to get
      const created = parseTimestamp(String(result.details.first_reported_date));
      const incident: ReadIncident = { item: { incidentID: id, created: String(result.details.first_reported_date) }, created, record: result.details };
      for (const m of owners) yield* this.rowsOf(m, incident);
    }
    for (const m of this.members) yield this.checkpoint(m);
  }

  private async *updatesPass(): AsyncGenerator<ReadEvent> {
    const updating = this.members.filter((m) => m.updatesFrom !== undefined);
    if (updating.length === 0) return;
    const from = Math.min(...updating.map((m) => m.updatesFrom as Micros));
    const createdBefore = Math.max(...updating.map((m) => m.createdFrom));
    const wants = (m: Member, { item, created }: SliceItem) =>
      m.updatesFrom !== undefined && (created < m.createdFrom || (created === m.skipAt && m.skip.has(item.incidentID)));
    const slices = this.slices({ filter: 'lastUpdate', start: from, end: this.syncEnd, created: { start: this.settings.startDate, end: createdBefore } });
    for await (const slice of slices) {
      if ('type' in slice) {
        yield slice;
        continue;
      }
      yield* this.emit(slice.items, wants);
      for (const m of updating.filter((u) => this.members.includes(u))) {
        m.position.updatedUntil = Math.max(m.position.updatedUntil ?? 0, slice.end);
        yield this.checkpoint(m);
      }
    }
  }

  private async *createdPass(): AsyncGenerator<ReadEvent> {
    const from = Math.min(...this.members.map((m) => m.createdFrom));
    const wants = (m: Member, { item, created }: SliceItem) =>
      created >= m.createdFrom && !(created === m.skipAt && m.skip.has(item.incidentID));
    for await (const slice of this.slices({ filter: 'created', start: from, end: this.syncEnd })) {
      if ('type' in slice) {
        yield slice;
        continue;
      }
      yield* this.emit(slice.items, wants);
      for (const m of this.members) {
        advanceCursor(m.position, slice.items);
        yield this.checkpoint(m);
      }
    }
  }

  private async *slices(options: Omit<SliceOptions, 'maxPerSlice'>): AsyncGenerator<{ items: SliceItem[]; end: Micros } | ReadEvent> {
    let total: number | undefined;
    const slices = listSlices(this.api, {
      ...options,
      maxPerSlice: this.settings.recordsPerCheckpoint,
      onWindowTotal: (n) => void (total = n),
      onWarning: (message) => this.out.warn(message),
    });
    for await (const slice of slices) {
      if (total !== undefined) {
        for (const m of this.members) yield this.estimate(m, total);
        total = undefined;
      }
      yield slice;
    }
  }

  /** Emits the rows every table is due for these incidents; details are fetched once, if any table needs them. */
  private async *emit(items: SliceItem[], wants: (m: Member, item: SliceItem) => boolean): AsyncGenerator<ReadEvent> {
    const takers = items.map((item) => ({ item, members: this.members.filter((m) => wants(m, item)) })).filter((t) => t.members.length > 0);
    const needDetails = takers.filter((t) => t.members.some((m) => m.table.needsDetails));
    const fetched = mapUnordered(needDetails, DETAILS_CONCURRENCY, async (t) => ({
      ...t,
      result: await fetchIncidentRecord(this.api, t.item.item, this.settings.companyId, Math.min(DETAILS_RETRY_BUDGET_MS, this.settings.maxRetryMs)),
    }));
    // Incidents whose details failed wait for the end of the slice: only then is it clear whether
    // they are a few broken incidents (emit them from their list entry) or the start of an outage.
    const failed: Array<{ item: SliceItem; members: Member[]; record: Record<string, unknown>; reason: string }> = [];
    for await (const { item, members, result } of fetched) {
      if (result.kind === 'pending') {
        failed.push({ item, members, record: result.record, reason: result.reason });
        continue;
      }
      if (result.kind === 'details') this.lastGoodDetails = item.item.incidentID;
      if (result.kind === 'list_entry') {
        await this.out.warn(
          `Incident ${item.item.incidentID} has no details (${result.reason}). It is emitted from its list entry (account-takeover, Teams and similar incidents have no email details).`,
        );
      }
      for (const m of members) yield* this.rowsOf(m, { ...item, record: result.record });
    }
    if (failed.length > 0) await this.confirmNotAnOutage(failed.length, needDetails.length);
    for (const { item, members, record, reason } of failed) {
      await this.out.warn(`Incident ${item.item.incidentID} has no details (${reason}). It is emitted from its list entry; its details are tried again next sync.`);
      for (const m of members) {
        if (m.table.needsDetails) addPending(m.position, item.item.incidentID);
        yield* this.rowsOf(m, { ...item, record });
      }
    }
    for (const m of [...this.members]) {
      if (!m.table.rowsFor) continue;
      const mine = takers.filter((t) => t.members.includes(m)).map((t) => t.item);
      if (mine.length === 0) continue;
      m.incidentsSeen += mine.length;
      try {
        for await (const data of m.table.rowsFor(mine, this.api)) {
          m.rowsEmitted += 1;
          yield { type: 'record', stream: m.table.definition.name, data };
        }
      } catch (err) {
        // Its own endpoint failed: this table stops here (its last STATE stands), the others go on.
        this.members.splice(this.members.indexOf(m), 1);
        yield { type: 'failed', stream: m.table.definition.name, error: err };
      }
    }
  }

  /**
   * Details that kept failing are a few broken incidents only if IRONSCALES otherwise answers: most
   * of a slice failing, or a cheap list call that fails too, is an outage, and the sync fails
   * (transient) before anything of the slice is checkpointed.
   */
  private async confirmNotAnOutage(failed: number, fetched: number): Promise<void> {
    if (failed >= 3 && failed * 2 >= fetched) {
      throw transientError(`IRONSCALES API unavailable: the details of ${failed} of ${fetched} incidents in one slice kept failing.`);
    }
    const probe = this.lastGoodDetails;
    if (probe === undefined) {
      await this.api.listIncidents({ page: 1, itemsPerPage: 1, created: { start: this.syncEnd, end: this.syncEnd } });
      return;
    }
    // The details of an incident IRONSCALES served a moment ago: if they fail now, the endpoint is down.
    try {
      await this.api.getIncidentDetails(probe, { retryBudgetMs: Math.min(DETAILS_RETRY_BUDGET_MS, this.settings.maxRetryMs) });
    } catch (err) {
      throw transientError(`IRONSCALES API unavailable: incident details fail, even those of incident ${probe} that were served earlier in this sync.`, (err as Error).message, err);
    }
  }

  private *rowsOf(m: Member, incident: ReadIncident): Generator<ReadEvent> {
    if (!m.table.rowsOf) return;
    m.incidentsSeen += 1;
    for (const data of m.table.rowsOf(incident)) {
      m.rowsEmitted += 1;
      yield { type: 'record', stream: m.table.definition.name, data };
    }
  }

  private checkpoint(m: Member): ReadEvent {
    return { type: 'checkpoint', stream: m.table.definition.name, state: formatIncidentPosition(m.position) };
  }

  /** Rows this table expects from `incidents` more listed incidents, at its rate so far. */
  private estimate(m: Member, incidents: number): ReadEvent {
    // A rate from a handful of incidents says little: the table's measured typical rate until there are enough.
    const perIncident = m.incidentsSeen >= 20 ? m.rowsEmitted / m.incidentsSeen : (m.table.typicalRowsPerIncident ?? 1);
    m.listed += incidents;
    return { type: 'estimate', stream: m.table.definition.name, rows: m.listed * perIncident };
  }
}
