/**
 * The incident passes: one reading of IRONSCALES' incident list that feeds every selected incident
 * table (incidents, IOCs, mitigations), each with its own saved position.
 *
 * A sync, all in IRONSCALES' own time (its Date header), up to `syncEnd`: the earliest time its
 * clock can show now (a slow answer cannot push it into IRONSCALES' future), minus a margin:
 *  0. details that kept failing in earlier syncs are tried again (state `details_pending`);
 *  1. updates (incremental tables with a cursor): incidents updated since the table's
 *     `updated_until` and first reported before its created window (or exactly at its cursor,
 *     whose ids the created pass skips) are emitted again, so reclassifications reach the
 *     destination. Each table takes only the updates of its own window: a table that fell behind
 *     (its endpoint down) re-reads its gap alone, the others receive nothing twice;
 *  2. created: incidents first reported from the cursor (inclusive; minus the lookback) to syncEnd,
 *     except those already emitted at exactly the cursor instant (`ids_at_cursor`).
 * Both passes are cut into slices (list-slices.ts) and every table is checkpointed after each
 * complete slice, so a sync killed anywhere resumes from its last STATE without loss.
 * A full refresh reads everything from the start date; given the state of an unfinished attempt
 * (the platform passes it back), it resumes from that attempt's cursor.
 */
import type { ReadEvent, ReadSession, StreamReader } from '../../airbyte/stream.js';
import type { IronscalesClient } from '../../ironscales/client.js';
import { formatTimestamp, type Micros } from '../../ironscales/timestamps.js';
import { mapUnordered } from '../../util/concurrency.js';
import { listSlices, type SliceItem, type SliceOptions } from './list-slices.js';
import { planMember, type IncidentReaderSettings, type Member } from './members.js';
import { OutageProbe } from './outage-probe.js';
import { retryPendingDetails } from './pending.js';
import { addPending, advanceCursor, formatIncidentPosition, parseIncidentPosition, type IncidentPosition } from './position.js';
import { fetchIncidentRecord, type IncidentRecord } from './records.js';
import type { IncidentTable, ReadIncident } from './table.js';

export type { IncidentReaderSettings };

/**
 * Windows end this far behind the earliest time IRONSCALES' clock can show (its Date headers have
 * whole seconds, which that estimate already allows for): writes land a moment after their stamp.
 */
const SERVER_TIME_MARGIN_US = 1_000_000;
/** Past this, a saved updated_until in IRONSCALES' future was written on a fast clock: repaired, not trusted (below it, clock-estimate noise). */
const FUTURE_TOLERANCE_US = 5_000_000;
/** A clock offset larger than this is worth a line in the logs. */
const CLOCK_OFFSET_WARN_MS = 5_000;
/** Details calls in flight; the rate limiter, not this number, sets the pace against the real API. */
const DETAILS_CONCURRENCY = 24;
/**
 * Details answers held at once (in flight and waiting for a slow destination), by the largest
 * size seen lately: 24 bodies of 30 KB, but 3 of 5 MB. Sized so a 5 MB-body backfill stays
 * within 256 MB of memory (bench scenario 8).
 */
const DETAILS_BYTES_IN_FLIGHT = 16_000_000;
/** One incident's own failures are given up (for this sync) sooner than a whole outage; throttle waits do not count. */
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
  private readonly probe: OutageProbe;

  constructor(
    private readonly api: IronscalesClient,
    private readonly session: ReadSession,
    private readonly settings: IncidentReaderSettings,
    private readonly members: Member[],
  ) {
    // Ids emitted at a saved cursor had their details served by an earlier sync (unless pending): probe candidates.
    const earlier = members.flatMap((m) => m.position.idsAtCursor.filter((id) => !m.position.detailsPending.includes(id)));
    this.probe = new OutageProbe(api, [...new Set(earlier)], this.detailsBudgetMs, () => this.syncEnd);
  }

  private get out() {
    return this.session.out;
  }

  private get detailsBudgetMs(): number {
    return Math.min(DETAILS_RETRY_BUDGET_MS, this.settings.maxRetryMs);
  }

  async *run(): AsyncGenerator<ReadEvent> {
    await this.api.authenticate();
    await this.placeWindows();
    yield* retryPendingDetails({
      api: this.api,
      members: this.members,
      companyId: this.settings.companyId,
      retryBudgetMs: this.detailsBudgetMs,
      warn: (message) => this.out.warn(message),
      info: (message) => this.out.info(message),
      rowsOf: (m, incident) => this.rowsOf(m, incident),
    });
    for (const m of this.members) yield this.checkpoint(m);
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
    this.syncEnd = this.api.serverNowAtLeast() - SERVER_TIME_MARGIN_US;
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

  /**
   * The updates windows, one segment per distinct table start: a segment is read for the tables
   * whose own window covers it, so a table that fell behind does not make the others receive
   * the same incidents again (nor pay their details calls).
   */
  private async *updatesPass(): AsyncGenerator<ReadEvent> {
    const updating = this.members.filter((m) => m.updatesFrom !== undefined);
    const starts = [...new Set(updating.map((m) => m.updatesFrom as Micros))].sort((a, b) => a - b);
    for (const [i, from] of starts.entries()) {
      const next = starts[i + 1];
      const to = next === undefined ? this.syncEnd : next - 1;
      const takers = updating.filter((m) => (m.updatesFrom as Micros) <= from && this.members.includes(m));
      if (takers.length === 0 || from > to) continue;
      // Incidents first reported before a table's created window, or exactly at its cursor (the created pass skips those ids).
      const createdUntil = Math.max(...takers.map((m) => Math.max(m.createdFrom, m.skipAt ?? -Infinity)));
      const wants = (m: Member, { item, created }: SliceItem) =>
        takers.includes(m) && (created < m.createdFrom || (created === m.skipAt && m.skip.has(item.incidentID)));
      for await (const slice of this.slices({ filter: 'lastUpdate', start: from, end: to, created: { start: this.settings.startDate, end: createdUntil } })) {
        if ('type' in slice) {
          yield slice;
          continue;
        }
        yield* this.emit(slice.items, wants);
        for (const m of takers.filter((t) => this.members.includes(t))) {
          m.position.updatedUntil = Math.max(m.position.updatedUntil ?? 0, slice.end);
          yield this.checkpoint(m);
        }
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
    const fetched = mapUnordered(
      needDetails,
      DETAILS_CONCURRENCY,
      async (t) => ({ ...t, started: performance.now(), result: await fetchIncidentRecord(this.api, t.item.item, this.settings.companyId, this.detailsBudgetMs) }),
      { bytes: DETAILS_BYTES_IN_FLIGHT, sizeOf: ({ result }) => sizeOf(result) },
    );
    for await (const { item, members, started, result } of fetched) {
      const id = item.item.incidentID;
      if (result.kind === 'details') this.probe.served(id, started);
      if (result.kind === 'list_entry') {
        await this.out.warn(`Incident ${id} has no details (${result.reason}). It is emitted from its list entry (account-takeover, Teams and similar incidents have no email details).`);
      }
      if (result.kind === 'pending') {
        // Before anything of it is emitted: is this incident broken, or IRONSCALES down?
        await this.probe.confirmNotAnOutage(id, started);
        await this.out.warn(`Incident ${id} has no details (${result.reason}). It is emitted from its list entry; its details are tried again next sync.`);
        for (const m of members.filter((mm) => mm.table.needsDetails)) {
          const dropped = addPending(m.position, id);
          if (dropped !== undefined) {
            await this.out.warn(`${m.table.definition.name}: more incidents wait for their details than the state keeps; incident ${dropped} is no longer tried again (it stays as emitted from its list entry).`);
          }
        }
      }
      for (const m of members) yield* this.rowsOf(m, { ...item, record: result.record });
    }
    for (const m of [...this.members]) {
      if (!m.table.rowsFor) continue;
      const mine = takers.filter((t) => t.members.includes(m)).map((t) => t.item);
      if (mine.length === 0) continue;
      m.incidentsSeen += mine.length;
      try {
        for await (const data of m.table.rowsFor(mine, this.api, (message) => this.out.info(message))) {
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

/** What a fetched record weighs while held: its details body's size (a list entry is small). */
function sizeOf(result: IncidentRecord): number {
  return Math.max(result.kind === 'details' ? result.bytes : 0, 2_000);
}
