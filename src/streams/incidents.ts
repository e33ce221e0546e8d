/**
 * The `ironscales_incidents` stream: one record per incident, its details object as IRONSCALES
 * returned it. Cursor `first_reported_date` (inclusive, microseconds), primary key `incident_id`.
 *
 * A sync has two passes, each a sequence of list slices checkpointed when complete:
 *  1. updates (incremental syncs with a cursor): incidents whose last update falls after the
 *     previous sync, but which were first reported before this sync's created window, are
 *     re-emitted, so reclassifications reach the destination (which deduplicates on incident_id);
 *  2. created: incidents first reported from the cursor (minus the lookback) up to the sync start.
 * State: {first_reported_date: latest first report processed, updated_until: end of the last
 * updates window processed}. A sync killed at any point resumes from its last STATE and re-reads
 * at most one slice.
 */
import { configError } from '../airbyte/errors.js';
import type { MessageWriter } from '../airbyte/output.js';
import type { AirbyteStream, StreamDescriptor, SyncMode } from '../airbyte/protocol.js';
import type { StreamCheckpointer, StreamState } from '../airbyte/state.js';
import type { IncidentListItem, IronscalesClient } from '../ironscales/client.js';
import { listSlices, type ListSlice } from '../ironscales/list-slices.js';
import { formatTimestamp, nowMicros, parseTimestamp, type Micros } from '../ironscales/timestamps.js';
import { mapUnordered } from '../util/concurrency.js';
import { incidentSchema } from './incident-schema.js';

export const INCIDENTS_STREAM = 'ironscales_incidents';
export const CURSOR_FIELD = 'first_reported_date';
export const PRIMARY_KEY = 'incident_id';

/** Details calls in flight; the rate limiter, not this number, sets the pace against the real API. */
const DETAILS_CONCURRENCY = 24;

export function incidentsStream(): AirbyteStream {
  return {
    name: INCIDENTS_STREAM,
    json_schema: incidentSchema,
    supported_sync_modes: ['full_refresh', 'incremental'],
    source_defined_cursor: true,
    default_cursor_field: [CURSOR_FIELD],
    source_defined_primary_key: [[PRIMARY_KEY]],
    is_resumable: true,
  };
}

export interface IncidentsStreamSettings {
  companyId: number;
  startDate: Micros;
  lookbackMinutes: number;
  recordsPerCheckpoint: number;
}

export interface IncidentsState {
  first_reported_date?: string;
  updated_until?: string;
}

/** Where the previous sync stopped, in microseconds. */
export interface SavedPosition {
  cursor?: Micros;
  updatedUntil?: Micros;
}

/** Reads the stream's saved state, refusing values that would silently skip or re-read everything. */
export function parseIncidentsState(raw: StreamState | undefined): SavedPosition {
  if (!raw) return {};
  const read = (key: keyof IncidentsState): Micros | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw configError(`The state of ${INCIDENTS_STREAM} is not valid: ${key} must be a timestamp string, got ${JSON.stringify(value)}. Reset the stream's state in Airbyte and sync again.`);
    try {
      return parseTimestamp(value);
    } catch {
      throw configError(`The state of ${INCIDENTS_STREAM} is not valid: ${key} is ${JSON.stringify(value)}, not an ISO timestamp. Reset the stream's state in Airbyte and sync again.`);
    }
  };
  return { cursor: read('first_reported_date'), updatedUntil: read('updated_until') };
}

export class IncidentsStream {
  readonly descriptor: StreamDescriptor = { name: INCIDENTS_STREAM };
  /** Latest first report of a completed slice: where the next sync starts (inclusive). */
  private cursor: Micros | undefined;
  /** End of the last completed updates window. */
  private updatedUntil: Micros | undefined;
  private estimate = 0;
  recordsEmitted = 0;
  detailsUnavailable = 0;

  constructor(
    private readonly client: IronscalesClient,
    private readonly settings: IncidentsStreamSettings,
    private readonly out: MessageWriter,
    private readonly checkpointer: StreamCheckpointer,
  ) {}

  /** Reads the stream; `savedPosition` (from parseIncidentsState) is ignored by a full refresh. */
  async read(syncMode: SyncMode, savedPosition: SavedPosition): Promise<void> {
    const syncStart = nowMicros();
    const saved = syncMode === 'incremental' ? savedPosition : {};
    const lookback = this.settings.lookbackMinutes * 60_000_000;
    this.cursor = saved.cursor;
    this.updatedUntil = saved.updatedUntil;

    // Never earlier than start_date; a far-future cursor stays in the future (and reads nothing).
    const createdFrom = saved.cursor === undefined ? this.settings.startDate : Math.max(this.settings.startDate, saved.cursor - lookback);

    if (saved.cursor !== undefined) {
      const updatedFrom = (saved.updatedUntil ?? saved.cursor) - lookback;
      await this.out.info(
        `Re-reading incidents updated from ${formatTimestamp(updatedFrom)} and first reported before ${formatTimestamp(createdFrom)}, then new incidents from ${formatTimestamp(createdFrom)}.`,
      );
      for await (const slice of this.slices('last_update', updatedFrom, syncStart)) {
        // Incidents first reported inside this sync's created window are read by the created pass.
        await this.emitSlice(slice, (created) => created < createdFrom);
        this.updatedUntil = Math.max(slice.end, this.updatedUntil ?? 0);
        await this.checkpointer.checkpoint(this.snapshot());
      }
    } else {
      await this.out.info(`Reading incidents first reported from ${formatTimestamp(createdFrom)} to ${formatTimestamp(syncStart)}.`);
    }
    // Everything updated before this sync started is now reflected, or will be by the created pass.
    this.updatedUntil = Math.max(syncStart, this.updatedUntil ?? 0);

    for await (const slice of this.slices('created', createdFrom, syncStart)) {
      const latest = await this.emitSlice(slice, () => true);
      if (latest !== undefined && (this.cursor === undefined || latest > this.cursor)) this.cursor = latest;
      await this.checkpointer.checkpoint(this.snapshot());
    }
    await this.checkpointer.checkpoint(this.snapshot());
  }

  private slices(filter: 'created' | 'last_update', start: Micros, end: Micros): AsyncGenerator<ListSlice> {
    return listSlices(this.client, {
      filter,
      start,
      end,
      maxPerSlice: this.settings.recordsPerCheckpoint,
      onWindowTotal: (total) => this.addEstimate(total),
      onWarning: (message) => this.out.warn(message),
    });
  }

  /** Fetches details for the slice's incidents and emits them; returns the latest first report among them. */
  private async emitSlice(slice: ListSlice, wanted: (created: Micros) => boolean): Promise<Micros | undefined> {
    const selected = slice.items.filter(({ created }) => wanted(created));
    let latest: Micros | undefined;
    const records = mapUnordered(selected, DETAILS_CONCURRENCY, async ({ item, created }) => ({ created, data: await this.recordFor(item) }));
    for await (const { created, data } of records) {
      await this.out.record(INCIDENTS_STREAM, data);
      this.checkpointer.recordEmitted();
      this.recordsEmitted += 1;
      if (latest === undefined || created > latest) latest = created;
    }
    return latest;
  }

  private async recordFor(item: IncidentListItem): Promise<Record<string, unknown>> {
    const result = await this.client.getIncidentDetails(item.incidentID);
    if (result.found) return result.details;
    this.detailsUnavailable += 1;
    await this.out.warn(
      `Incident ${item.incidentID} has no details in IRONSCALES (HTTP ${result.status}: ${result.message}; account-takeover and Teams incidents are like this). ` +
        'It is emitted from its list entry instead.',
    );
    return recordFromListEntry(item, this.settings.companyId, `HTTP ${result.status}: ${result.message}`);
  }

  private async addEstimate(total: number): Promise<void> {
    this.estimate += total;
    await this.out.estimate(this.descriptor, this.estimate);
  }

  private snapshot(): StreamState {
    const state: IncidentsState = {};
    if (this.cursor !== undefined) state.first_reported_date = formatTimestamp(this.cursor);
    if (this.updatedUntil !== undefined) state.updated_until = formatTimestamp(this.updatedUntil);
    return { ...state };
  }
}

/** The list's display classification, in the details vocabulary where the mapping is known. */
const LIST_TO_DETAILS_CLASSIFICATION: Record<string, string> = {
  Phishing: 'Attack',
  'Open report': 'Report',
  Spam: 'Spam',
  Safe: 'False Positive',
};

/** A record for an incident without details: the fields the list entry can fill, plus the entry itself. */
export function recordFromListEntry(item: IncidentListItem, companyId: number, reason: string): Record<string, unknown> {
  const listClassification = typeof item.classification === 'string' ? item.classification : null;
  return {
    incident_id: item.incidentID,
    company_id: companyId,
    classification: listClassification === null ? null : (LIST_TO_DETAILS_CLASSIFICATION[listClassification] ?? listClassification),
    first_reported_date: item.created,
    first_reported_by: item.reportedBy ?? null,
    sender_email: item.senderEmail ?? null,
    affected_mailbox_count: item.affectedMailboxesCount ?? null,
    resolved_by: item.resolvedBy ?? null,
    first_challenged_date: item.firstChallengedDate ?? null,
    details_unavailable: reason,
    list_entry: item,
  };
}
