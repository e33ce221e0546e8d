/**
 * `ironscales_deepfake_events`: the lifecycle events of deepfakes detected in Teams meetings
 * (suspicious, mfa_started, mfa_succeeded, mfa_aborted, confirmed), from the cursor-paged feed
 * `GET /deepfake/{cid}/events/` (S1 `DeepfakeEventsPage`): `since_id` in (exclusive), `next_cursor`
 * out, `limit` at most 500.
 *
 * Primary key `event_uuid`. The state keeps the feed's integer position (`since_id`), saved after
 * every page. The events carry no integer id, and `occurred_at` may be null (S1), so neither can be
 * the catalog's cursor: each record gets `feed_cursor`, the `next_cursor` of the page it came in
 * (the position the feed goes on from after it; it grows from page to page, and every event of a
 * page shares it). A stream without state finds its first position with `created_after` (the
 * start date, else IRONSCALES' now − 90 days), as S1 suggests, then reads by position alone.
 * The feed announces no total, so no estimate is given. A sync reads until a page comes back
 * empty: an idle sync costs one call, and a cap below 500 that IRONSCALES does not document
 * cannot end a sync early.
 */
import type { StreamState } from '../airbyte/state.js';
import { singleStream, startingPosition, type ReadEvent, type ReadSession, type StreamRequest } from '../airbyte/stream.js';
import type { IronscalesClient } from '../ironscales/client.js';
import { IronscalesApiError } from '../ironscales/errors.js';
import { stateReader } from './time-cursor.js';
import type { WindowedStreamSettings } from './windowed-stream.js';
import { nullable, recordSchema, TIMESTAMP } from './json-schema.js';

const STREAM = 'ironscales_deepfake_events';
const CURSOR = 'feed_cursor';
const KEYS = ['since_id', 'full_refresh_complete'];
/** S1: "default 100, hard cap 500 on the service". */
export const DEEPFAKE_LIMIT = 500;
const DAY_US = 86_400_000_000;

interface FeedPosition {
  sinceId?: number;
  fullRefreshComplete: boolean;
}

export function deepfakeEvents(client: (session: ReadSession) => IronscalesClient, settings: WindowedStreamSettings) {
  return singleStream<FeedPosition>({
    definition: {
      name: STREAM,
      jsonSchema: recordSchema(['event_uuid', CURSOR], {
        event_uuid: { type: 'string', description: 'Primary key.' },
        event_type: nullable('string', { description: 'suspicious, mfa_started, mfa_succeeded, mfa_aborted or confirmed.' }),
        occurred_at: nullable('string', TIMESTAMP),
        name: nullable('string'),
        severity: nullable('integer'),
        deepfake_target_full_name: nullable('string'),
        deepfake_attacker_full_name: nullable('string'),
        deepfake_attacker_email: nullable('string'),
        ms_meeting_name: nullable('string'),
        ms_meeting_id: nullable('string'),
        ms_meeting_url: nullable('string'),
        host_name: nullable('string'),
        participants_count: { type: ['object', 'null'], additionalProperties: true, description: 'Participant counts by kind, as strings (as IRONSCALES sends them).' },
        deepfake_type: nullable('string'),
        video_confidence: nullable('number'),
        audio_confidence: nullable('number'),
        feed_cursor: {
          type: 'integer',
          description: "Added by the connector (the cursor): the feed's next_cursor of the page this event came in, the position the feed goes on from after it.",
        },
      }),
      primaryKey: [['event_uuid']],
      cursorField: [CURSOR],
      resumable: true,
      // Measured on the simulator's data (median event).
      typicalRecordBytes: 750,
    },
    parseState: (raw) => {
      const read = stateReader(STREAM, raw, KEYS);
      return { sinceId: read.position('since_id'), fullRefreshComplete: read.flag('full_refresh_complete') };
    },
    read: (request, session) => readFeed(client(session), settings, request),
  });
}

async function* readFeed(api: IronscalesClient, settings: WindowedStreamSettings, request: StreamRequest<FeedPosition>): AsyncGenerator<ReadEvent> {
  const full = request.syncMode === 'full_refresh';
  const position = startingPosition<FeedPosition>(request, () => ({ fullRefreshComplete: false }));
  if (position.sinceId === undefined) {
    position.sinceId = await firstPosition(api, settings);
    if (position.sinceId === undefined) {
      yield { type: 'checkpoint', stream: STREAM, state: format({ fullRefreshComplete: full }) };
      return;
    }
  }
  for (;;) {
    const page = await api.deepfakeEvents({ sinceId: position.sinceId, limit: DEEPFAKE_LIMIT });
    if (page.events.length === 0 || page.next_cursor === null) break;
    if (position.sinceId !== undefined && page.next_cursor <= position.sinceId) {
      throw new IronscalesApiError('unexpected', `IRONSCALES answered the deepfake feed's since_id=${position.sinceId} with next_cursor ${page.next_cursor}, which would read the same events again.`);
    }
    for (const event of page.events) yield { type: 'record', stream: STREAM, data: { ...event, [CURSOR]: page.next_cursor } };
    position.sinceId = page.next_cursor;
    yield { type: 'checkpoint', stream: STREAM, state: format(position) };
  }
  if (full) position.fullRefreshComplete = true;
  yield { type: 'checkpoint', stream: STREAM, state: format(position) };
}

/**
 * Where a stream without state starts: just before the first event from the start date on. The
 * feed is then read by position alone, so an event without `occurred_at`, which a `created_after`
 * bound may not pass, is not left out. Undefined: no event from the start date on yet.
 */
async function firstPosition(api: IronscalesClient, settings: WindowedStreamSettings): Promise<number | undefined> {
  await api.serverNowAtLeastConfirmed();
  const createdAfter = settings.startDate ?? api.serverNow() - settings.defaultStartDays * DAY_US;
  const first = await api.deepfakeEvents({ createdAfter, limit: 1 });
  // Positions are event ids (S1: "events with id strictly greater than this cursor"): one less reads that event too.
  return first.next_cursor === null ? undefined : Math.max(0, first.next_cursor - 1);
}

function format(position: FeedPosition): StreamState {
  return { ...(position.sinceId === undefined ? {} : { since_id: position.sinceId }), ...(position.fullRefreshComplete ? { full_refresh_complete: true } : {}) };
}
