/**
 * `ironscales_scanback_incidents`: the incidents IRONSCALES' retroactive scans (scanbacks) found,
 * from `GET /incident/{cid}/scanback-list/`, one row per incident as the list serves it (the
 * incident list's item minus incidentType, the comment counts, releaseRequestCount and
 * latestEmailDate; S1 `ScanBackList`).
 *
 * Primary key `incidentID`, the incident's own id. Cursor `created` (inclusive, microseconds): the
 * only time the endpoint filters on (`created_start_time`/`created_end_time`) and a field of every
 * item. It is read like the incident list's created pass (windowed-stream.ts, paged-windows.ts):
 * pages of 500 in incidentID order, complete slices, IRONSCALES' time, ids at the cursor skipped.
 * The endpoint has no last-update filter, so a scanback incident reclassified later is not sent
 * again by an incremental sync; a full refresh has it as it is now.
 */
import type { ReadSession } from '../airbyte/stream.js';
import { LIST_PAGE_SIZE, type IronscalesClient, type ScanbackItem } from '../ironscales/client.js';
import { formatTimestamp, parseTimestamp, type Micros } from '../ironscales/timestamps.js';
import { formatTimeCursor, readTimeCursor, stateReader, type TimeCursor } from './time-cursor.js';
import { windowedStream, type WindowedStreamSettings } from './windowed-stream.js';
import { TIMESTAMP, nullable, recordSchema } from './json-schema.js';

const STREAM = 'ironscales_scanback_incidents';
const CURSOR = 'created';
const KEYS = [CURSOR, 'ids_at_cursor', 'full_refresh_complete'];

interface Read {
  data: ScanbackItem;
  time: Micros;
}

export function scanbackIncidents(client: (session: ReadSession) => IronscalesClient, settings: WindowedStreamSettings) {
  return windowedStream<Read, TimeCursor>(
    {
      definition: {
        name: STREAM,
        jsonSchema: recordSchema(['incidentID', CURSOR], {
          incidentID: { type: 'integer', description: 'IRONSCALES incident ID (primary key).' },
          emailSubject: nullable('string'),
          linksCount: nullable('integer'),
          attachmentsCount: nullable('integer'),
          recipientEmail: nullable('string'),
          recipientName: nullable('string'),
          classification: nullable('string', { description: 'As the incident list shows it: Phishing, Spam, Safe, Open report…' }),
          assignee: nullable('string'),
          senderName: nullable('string'),
          senderEmail: nullable('string'),
          affectedMailboxesCount: nullable('integer'),
          created: { type: 'string', ...TIMESTAMP, description: 'When the scan reported the incident, UTC with microseconds (the cursor).' },
          reportedBy: nullable('string'),
          resolvedBy: nullable('string'),
          challengedType: nullable('string'),
          firstChallengedDate: nullable('string', TIMESTAMP),
        }),
        primaryKey: [['incidentID']],
        cursorField: [CURSOR],
        resumable: true,
        // Measured on the simulator's data (median item).
        typicalRecordBytes: 510,
      },
      parseState: (raw) => readTimeCursor(STREAM, raw, CURSOR, stateReader(STREAM, raw, KEYS)),
      formatState: (position) => formatTimeCursor(position, CURSOR),
      initial: () => ({ idsAtCursor: [], fullRefreshComplete: false }),
      list: (api) => ({
        fetch: async (window, page) => {
          const answer = await api.listScanbackIncidents({ page, created: { start: window.start, end: window.end } });
          return answer && { total_count: answer.total_count, total_pages: answer.total_pages, items: answer.incidents.map((data) => ({ data, time: parseTimestamp(data.created) })) };
        },
        idOf: (read) => read.data.incidentID,
        timeOf: (read) => read.time,
        describe: (window) => `scanback incidents created ${formatTimestamp(window.start)}..${formatTimestamp(window.end)}`,
      }),
      record: (read) => read.data,
      maxPerSlice: (s) => s.recordsPerCheckpoint,
      holdInHand: 4 * LIST_PAGE_SIZE,
    },
    client,
    settings,
  );
}
