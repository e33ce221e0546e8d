/**
 * `ironscales_escalated_emails`: one row per escalated e-mail, i.e. per copy of a reported e-mail
 * in one mailbox (recipient, arrival, threat type, classification, what was done), from
 * `GET /emails/{cid}/` (S1 `EmailsDetailFromElastic`).
 *
 * Primary key `mitigation_id`: the rows carry no id of their own, and each is the copy one
 * mitigation acted on (S1 names it per row; it is the mitigations stream's `mitigationID`).
 * Cursor `arrival_date` (inclusive, microseconds): the rows' own time, the one the endpoint's
 * required `start_time`/`end_time` window can only be about (S1 says no more than "iso-8601").
 *
 * An e-mail is escalated when it is reported or found, after it arrived: its row shows up with
 * an `arrival_date` in the past. So each incremental sync also re-reads the day before its cursor
 * and emits from it only the rows of incidents newer than every incident it had read there
 * (`max_incident_id`; IRONSCALES' incident ids grow with time): new escalations, nothing twice.
 * A row escalated more than a day after it arrived (a report of an old e-mail, a scanback) comes
 * with a full refresh; its incident and mitigation rows carry it meanwhile.
 *
 * The endpoint allows 20 calls a minute of its own (ENDPOINT_LIMITS knows it) and pages of up to
 * 300,000 rows: pages of 5,000, a window of up to 4 pages read whole and checkpointed in slices
 * of 5 rows per incident of records_per_checkpoint, so its calls are its pages.
 */
import type { ReadSession } from '../airbyte/stream.js';
import type { EscalatedEmail, IronscalesClient } from '../ironscales/client.js';
import { formatTimestamp, parseTimestamp, type Micros } from '../ironscales/timestamps.js';
import { formatTimeCursor, readTimeCursor, stateReader, type TimeCursor } from './time-cursor.js';
import { windowedStream, type WindowedStreamSettings } from './windowed-stream.js';
import { TIMESTAMP, nullable, recordSchema } from './json-schema.js';

const STREAM = 'ironscales_escalated_emails';
const CURSOR = 'arrival_date';
const KEYS = [CURSOR, 'ids_at_cursor', 'max_incident_id', 'full_refresh_complete'];
/** Rows per call: far fewer calls than the 20 a minute allow, pages of a few MB. */
export const EMAILS_PAGE_SIZE = 5_000;
/** records_per_checkpoint counts incidents; an incident reaches about 4 mailboxes. */
const ROWS_PER_INCIDENT = 5;
/** How long before the cursor an incremental sync looks for rows escalated after their arrival. */
export const ESCALATION_LOOKBACK_US = 24 * 3_600_000_000;

interface EmailsPosition extends TimeCursor {
  /** The highest incident id among the rows of every window completely read. */
  maxIncidentId?: number;
  /** The highest incident id read in this sync so far (not saved). */
  seenMax?: number;
}

interface Read {
  data: EscalatedEmail;
  time: Micros;
}

export function escalatedEmails(client: (session: ReadSession) => IronscalesClient, settings: WindowedStreamSettings) {
  return windowedStream<Read, EmailsPosition>(
    {
      definition: {
        name: STREAM,
        jsonSchema: recordSchema(['mitigation_id', CURSOR], {
          arrival_date: { type: 'string', ...TIMESTAMP, description: 'When the e-mail arrived in the mailbox, UTC with microseconds (the cursor).' },
          incident_id: nullable('integer'),
          subject: nullable('string'),
          sender_email: nullable('string'),
          recipient_name: nullable('string'),
          recipient_email: nullable('string'),
          primary_threat_type: nullable('string'),
          is_scanback: nullable('boolean', { description: 'Found by a retroactive scan.' }),
          classification: nullable('string', { description: 'Phishing, Spam, Safe, Unclassified, Microsoft quarantine or Released from Microsoft.' }),
          incident_state: nullable('string'),
          resolution: nullable('string'),
          sender_ip: nullable('string'),
          reported_by: nullable('string'),
          mailbox_id: nullable('integer'),
          department: nullable('string'),
          remediated_time: nullable('string', TIMESTAMP),
          mitigation_id: { type: 'integer', description: 'Primary key: the mitigation of this copy (mitigationID in ironscales_mitigations).' },
          challenged_type: nullable('string'),
          challenged_date: nullable('string', TIMESTAMP),
          challenged_by: nullable('string'),
          challenged_reason: nullable('string'),
          challenged_comment: nullable('string'),
          opened_on: nullable('string', { ...TIMESTAMP, description: 'When the recipient opened it, before it was remediated.' }),
        }),
        primaryKey: [['mitigation_id']],
        cursorField: [CURSOR],
        resumable: true,
        // Measured on the simulator's data (median row).
        typicalRecordBytes: 710,
      },
      parseState: (raw) => {
        const read = stateReader(STREAM, raw, KEYS);
        return { ...readTimeCursor(STREAM, raw, CURSOR, read, 'mitigation ids'), maxIncidentId: read.position('max_incident_id') };
      },
      formatState: ({ maxIncidentId, ...position }) => ({ ...formatTimeCursor(position, CURSOR), ...(maxIncidentId === undefined ? {} : { max_incident_id: maxIncidentId }) }),
      initial: () => ({ idsAtCursor: [], fullRefreshComplete: false }),
      list: (api) => ({
        fetch: async (window, page) => {
          const answer = await api.listEscalatedEmails({ page, pageSize: EMAILS_PAGE_SIZE, arrival: { start: window.start, end: window.end } });
          return answer && { total_count: answer.total_count, total_pages: answer.total_pages, items: answer.emails.map((data) => ({ data, time: parseTimestamp(data.arrival_date) })) };
        },
        idOf: (read) => read.data.mitigation_id,
        timeOf: (read) => read.time,
        describe: (window) => `escalated e-mails that arrived ${formatTimestamp(window.start)}..${formatTimestamp(window.end)}`,
      }),
      record: (read) => read.data,
      maxPerSlice: (s) => s.recordsPerCheckpoint * ROWS_PER_INCIDENT,
      holdInHand: 4 * EMAILS_PAGE_SIZE,
      reread: {
        spanUs: ESCALATION_LOOKBACK_US,
        // A state without max_incident_id (written by hand) re-sends what it re-reads rather than skip it.
        isNew: (read, saved) => saved.maxIncidentId === undefined || read.data.incident_id > saved.maxIncidentId,
        seen: (position, items, complete) => {
          for (const { data } of items) position.seenMax = Math.max(position.seenMax ?? data.incident_id, data.incident_id);
          // Only once the re-read span is behind: a kill before that must not skip what it had not reached.
          if (complete && position.seenMax !== undefined) position.maxIncidentId = Math.max(position.maxIncidentId ?? position.seenMax, position.seenMax);
        },
      },
    },
    client,
    settings,
  );
}
