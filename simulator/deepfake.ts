/**
 * `GET /appapi/deepfake/{cid}/events/` ("Get list of Deepfake SIEM events", research §6): a
 * cursor-paged feed of the lifecycle events of deepfakes detected in Teams meetings
 * (suspicious → mfa_started → mfa_succeeded | mfa_aborted → confirmed). Events carry no id of
 * their own; the feed's position is an integer (`since_id` in, `next_cursor` out): the id of the
 * last event served, in insertion order. Everything is generated from (seed, detection number).
 */
import { Rng, hashInts } from './prng.js';
import { badRequest, json, type SimResponse } from './responses.js';
import { US_PER_SECOND, formatUs, parseIsoUs } from './time.js';
import { FIRST_NAMES, FREEMAIL, LAST_NAMES } from './vocabulary.js';
import type { GenContext } from './generator.js';

export const DEEPFAKE_MAX_LIMIT = 500;
const DEFAULT_LIMIT = 100;

interface FeedEvent {
  /** The feed position (never served as a field). */
  id: number;
  /** When it happened. */
  occurredUs: number;
  /** Served without a time, as a few events are (S1: occurred_at is nullable). */
  hidden: boolean;
  detection: number;
  step: number;
  type: string;
}

/** Lifecycles of one detection, with their weights. */
const LIFECYCLES: ReadonlyArray<readonly [readonly string[], number]> = [
  [['suspicious'], 4],
  [['suspicious', 'confirmed'], 2],
  [['suspicious', 'mfa_started', 'mfa_succeeded'], 3],
  [['suspicious', 'mfa_started', 'mfa_aborted'], 1],
  [['suspicious', 'mfa_started', 'mfa_aborted', 'confirmed'], 2],
];
const NAMES: Record<string, string> = {
  suspicious: 'Suspicious participant detected',
  mfa_started: 'Identity verification requested',
  mfa_succeeded: 'Identity verified',
  mfa_aborted: 'Identity verification abandoned',
  confirmed: 'Deepfake confirmed',
};
const SEVERITY: Record<string, number> = { suspicious: 2, mfa_started: 3, mfa_succeeded: 1, mfa_aborted: 4, confirmed: 5 };
const MEETINGS = ['Q3 budget review', 'Wire transfer approval', 'Weekly sync', 'Vendor onboarding', 'Board prep', 'Übergabe Buchhaltung', '年度計画ミーティング'];
const TYPES: ReadonlyArray<readonly [string, number]> = [['video', 3], ['audio', 2], ['audio_video', 4]];
const STEP_US = { min: 5 * US_PER_SECOND, max: 600 * US_PER_SECOND };

export class DeepfakeFeed {
  private events: FeedEvent[] = [];
  private nextId: number;
  private nextDetection = 1;
  enabled = true;

  constructor(private readonly ctx: GenContext) {
    // Ids of other companies' events interleave with ours: the feed's ids have gaps.
    this.nextId = 880_000 + (hashInts(ctx.seed, 60) % 10_000);
  }

  /** Detections starting in [fromUs, toUs] until `count` events exist; their uuids in feed order. */
  generate(count: number, fromUs: number, toUs: number): string[] {
    const made: FeedEvent[] = [];
    const rng = new Rng(hashInts(this.ctx.seed, this.nextDetection, count, 61));
    while (made.length < count) {
      const startUs = fromUs + Math.floor(rng.float() * (toUs - fromUs + 1));
      made.push(...this.detection(startUs).slice(0, count - made.length));
    }
    return this.append(made);
  }

  /** One detection per event count asked, each finished by the simulator's now (`nowUs`). */
  add(count: number, nowUs: number): string[] {
    const made: FeedEvent[] = [];
    while (made.length < count) {
      const steps = this.detection(0);
      const span = (steps.at(-1)?.occurredUs ?? 0) - (steps[0]?.occurredUs ?? 0);
      for (const e of steps) e.occurredUs += nowUs - span - US_PER_SECOND;
      made.push(...steps.slice(0, count - made.length));
    }
    return this.append(made);
  }

  /** Every event in feed order, as served. */
  all(): Record<string, unknown>[] {
    return this.events.map((e) => this.body(e));
  }

  response(params: URLSearchParams, companyId: number): SimResponse {
    if (!this.enabled) return json(404, { detail: `Deepfake protection is not enabled for company ${companyId}.` });
    const integer = (name: string, min: number, max: number): number | SimResponse | undefined => {
      const raw = params.get(name);
      if (raw === null || raw === '') return undefined;
      if (!/^-?\d+$/.test(raw)) return json(400, { [name]: ['A valid integer is required.'] });
      const value = Number(raw);
      if (value < min) return json(400, { [name]: [`Ensure this value is greater than or equal to ${min}.`] });
      if (value > max) return json(400, { [name]: [`Ensure this value is less than or equal to ${max}.`] });
      return value;
    };
    const since = integer('since_id', 0, Number.MAX_SAFE_INTEGER);
    if (typeof since === 'object') return since;
    const limit = integer('limit', 1, DEEPFAKE_MAX_LIMIT) ?? DEFAULT_LIMIT;
    if (typeof limit === 'object') return limit;
    const after = params.get('created_after');
    const afterUs = after === null || after === '' ? undefined : parseIsoUs(after);
    if (afterUs === null) return badRequest('Invalid date format for created_after');
    const served: FeedEvent[] = [];
    for (const e of this.events) {
      if (served.length >= limit) break;
      if (since !== undefined && e.id <= since) continue;
      // A lower bound on the event time: an event without one does not pass it (SQL NULL).
      if (afterUs !== undefined && (e.hidden || e.occurredUs < afterUs)) continue;
      served.push(e);
    }
    return json(200, { events: served.map((e) => this.body(e)), next_cursor: served.at(-1)?.id ?? null });
  }

  private append(made: FeedEvent[]): string[] {
    // Stored (and numbered) in the order they happened.
    made.sort((a, b) => a.occurredUs - b.occurredUs || a.detection - b.detection || a.step - b.step);
    const rng = new Rng(hashInts(this.ctx.seed, this.nextId, 62));
    for (const e of made) {
      e.id = this.nextId;
      this.nextId += 1 + (rng.chance(0.3) ? rng.int(1, 5) : 0);
      this.events.push(e);
    }
    return made.map((e) => this.body(e)['event_uuid'] as string);
  }

  /** The events of the next detection, from `startUs`; a later step's time is hidden in 3 % of them. */
  private detection(startUs: number): FeedEvent[] {
    const detection = this.nextDetection++;
    const rng = new Rng(hashInts(this.ctx.seed, detection, 63));
    const steps = rng.weighted(LIFECYCLES);
    let at = startUs + rng.int(0, 999_999);
    return steps.map((type, step) => {
      if (step > 0) at += rng.int(STEP_US.min, STEP_US.max);
      return { id: 0, occurredUs: at, hidden: step > 0 && rng.chance(0.03), detection, step, type };
    });
  }

  private body(e: FeedEvent): Record<string, unknown> {
    const d = new Rng(hashInts(this.ctx.seed, e.detection, 64));
    const person = () => {
      const first = d.pick(FIRST_NAMES);
      const last = d.pick(LAST_NAMES);
      return { name: `${first[0]} ${last[0]}`, email: `${first[1]}.${last[1]}` };
    };
    const target = person();
    const host = person();
    const kind = d.weighted(TYPES);
    const meeting = d.pick(MEETINGS);
    const thread = d.token(24);
    const tenant = d.hex(8);
    const internal = d.int(1, 9);
    const external = d.int(1, 3);
    const video = kind === 'audio' ? null : Math.round((0.55 + d.float() * 0.44) * 1000) / 1000;
    const audio = kind === 'video' ? null : Math.round((0.5 + d.float() * 0.49) * 1000) / 1000;
    const attackerEmail = d.chance(0.6) ? `${target.email}${d.int(1, 99)}@${d.pick(FREEMAIL)}` : null;
    const attackerName = d.chance(0.85) ? target.name : null;
    const uuid = new Rng(hashInts(this.ctx.seed, e.detection, e.step, 65));
    const hex = uuid.hex(32);
    return {
      event_uuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[uuid.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
      event_type: e.type,
      occurred_at: e.hidden ? null : formatUs(e.occurredUs),
      name: NAMES[e.type] ?? null,
      severity: e.step === 0 && d.chance(0.1) ? null : (SEVERITY[e.type] ?? null),
      deepfake_target_full_name: target.name,
      deepfake_attacker_full_name: attackerName,
      deepfake_attacker_email: attackerEmail,
      ms_meeting_name: meeting,
      ms_meeting_id: `19:meeting_${thread}@thread.v2`,
      ms_meeting_url: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${thread}%40thread.v2/0?context=%7b%22Tid%22%3a%22${tenant}%22%7d`,
      host_name: host.name,
      participants_count: { total: String(internal + external), internal: String(internal), external: external > 2 ? null : String(external) },
      deepfake_type: kind,
      video_confidence: video,
      audio_confidence: audio,
    };
  }
}
