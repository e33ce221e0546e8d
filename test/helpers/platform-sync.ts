/**
 * What the orchestrator does with each message a source sends during a read, after the stream
 * factory has bound and validated it: SourceReader (worker/ReplicationTask.kt) tracks COMPLETE
 * statuses and full-refresh states, then MessageProcessor → ReplicationWorkerHelper
 * .processMessageFromSource runs StateEnricher.enrich, AirbyteMessageTracker.acceptFromSource
 * (estimates, error traces, record and state stats) and StreamStatusTracker.track.
 * The per-stream counters mirror StreamStatsTracker: records since the stream's last STATE.
 */
import type { Bound } from './platform-deserialize.js';
import { violation, type RuleId, type Violation } from './platform-rules.js';
import type { ConfiguredCatalog } from './platform-validate.js';

export interface SyncFailure {
  failureType: string;
  message: string;
  /** FailureReason.timestamp: emitted_at.toLong(), what AirbyteMessageTracker sorts by. */
  timestamp?: number;
}

interface Counters {
  /** emittedStats: records since this stream's last STATE. */
  current: number;
  /** previousEmittedStats: the bucket the last STATE closed (getTrackedEmittedRecordsSinceLastStateMessage). */
  previous: number;
}

export class SyncModel {
  readonly violations: Violation[] = [];
  readonly failures: SyncFailure[] = [];
  private readonly trackers = new Map<string, Counters>();
  private expectedEstimateType: string | null = null;
  private hasEstimatesErrors = false;
  private line = 0;

  constructor(
    private readonly catalog: ConfiguredCatalog | undefined,
    /** StreamStatusCompletionTracker.startTracking only tracks when the destination supports refreshes. */
    private readonly destinationSupportsRefreshes: boolean,
  ) {}

  accept(m: Bound, line: number): void {
    this.line = line;
    if (m.type === 'RECORD') this.tracker(m.record.stream, m.record.namespace).current += 1;
    else if (m.type === 'STATE') this.state(m.state);
    else if (m.type === 'TRACE') this.trace(m.trace);
  }

  private flag(rule: RuleId, detail: string): void {
    this.violations.push(violation(rule, detail, this.line));
  }

  private key(name: unknown, namespace: unknown): string {
    return JSON.stringify([name ?? null, namespace ?? null]);
  }

  /** ParallelStreamStatsTracker.getOrCreateStreamStatsTracker. */
  private tracker(name: unknown, namespace: unknown): Counters {
    const key = this.key(name, namespace);
    let t = this.trackers.get(key);
    if (!t) this.trackers.set(key, (t = { current: 0, previous: 0 }));
    return t;
  }

  private trace(t: Bound): void {
    if (t.type === 'ERROR') {
      if (t.error == null) return this.flag('TRACE_PAYLOAD_MISSING', 'ERROR trace without error');
      // FailureHelper.genericFailure: failure_type defaults to system_error.
      this.failures.push({ failureType: t.error.failure_type ?? 'system_error', message: t.error.message ?? '', timestamp: Math.trunc(Number(t.emitted_at)) });
    } else if (t.type === 'ESTIMATE') {
      if (t.estimate == null) return this.flag('TRACE_PAYLOAD_MISSING', 'ESTIMATE trace without estimate');
      this.estimate(t.estimate);
    } else if (t.type === 'STREAM_STATUS') {
      if (t.stream_status == null) return this.flag('TRACE_PAYLOAD_MISSING', 'STREAM_STATUS trace without stream_status');
      this.streamStatus(t.stream_status);
    } else if (t.type === 'ANALYTICS' && t.analytics == null) {
      this.flag('TRACE_PAYLOAD_MISSING', 'ANALYTICS trace without analytics');
    }
  }

  /** ParallelStreamStatsTracker.updateEstimates and StreamStatsTracker.trackEstimates. */
  private estimate(e: Bound): void {
    if (this.hasEstimatesErrors) return;
    if (this.expectedEstimateType === null) this.expectedEstimateType = e.type ?? null;
    else if (this.expectedEstimateType !== e.type) {
      this.hasEstimatesErrors = true;
      return this.flag('ESTIMATE_MIXED', `a ${e.type} estimate after ${this.expectedEstimateType} estimates: every estimate of the sync is discarded`);
    }
    if (e.type !== 'STREAM' && e.type !== 'SYNC') return this.flag('ESTIMATE_INCOMPLETE', 'ESTIMATE without type: ignored');
    if (e.type === 'STREAM') {
      this.tracker(e.name, e.namespace);
      if (e.name == null) this.flag('ESTIMATE_INCOMPLETE', 'STREAM estimate without name: never reported');
    }
    const missing = ['byte_estimate', 'row_estimate'].filter((k) => e[k] == null);
    if (missing.length > 0) this.flag('ESTIMATE_INCOMPLETE', `${e.type} estimate without ${missing.join(' and ')}: AtomicLong.set(null)`);
  }

  private streamStatus(s: Bound): void {
    const d = s.stream_descriptor;
    // SourceReader first: StreamStatusCompletionTracker.track.
    if (this.destinationSupportsRefreshes && s.status === 'COMPLETE') {
      if (d == null) return this.flag('STREAM_STATUS_INCOMPLETE', 'COMPLETE without stream_descriptor');
      if (this.catalog && !this.inCatalog(d.name, d.namespace)) {
        return this.flag('COMPLETE_FOR_UNKNOWN_STREAM', `COMPLETE for ${JSON.stringify(d.name)} (namespace ${JSON.stringify(d.namespace ?? null)}), not in the catalog`);
      }
    }
    // Then StreamStatusTracker.track: no descriptor → trackGlobal ignores it; a status is required.
    if (d == null) return this.flag('STREAM_STATUS_INCOMPLETE', `${s.status} without stream_descriptor: ignored`);
    if (s.status == null) this.flag('STREAM_STATUS_INCOMPLETE', 'stream status without status');
  }

  /** StreamStatusMap.containsStream: a null namespace also matches a catalog namespace of "". */
  private inCatalog(name: unknown, namespace: unknown): boolean {
    const streams = this.catalog?.streams ?? [];
    return streams.some(
      (c) => c.stream.name === name && ((c.stream.namespace ?? null) === (namespace ?? null) || (namespace == null && c.stream.namespace === '')),
    );
  }

  private state(s: Bound): void {
    if (s.type !== 'STREAM' && s.type !== 'GLOBAL') {
      return this.flag('STATE_NOT_STREAM_OR_GLOBAL', `STATE of type ${JSON.stringify(s.type ?? null)}: "LEGACY states are deprecated."`);
    }
    const streams: Bound[] | undefined = s.type === 'STREAM' ? (s.stream?.stream_descriptor == null ? undefined : [s.stream.stream_descriptor]) : s.global?.stream_states?.map((x: Bound) => x?.stream_descriptor);
    if (streams === undefined || streams.some((d) => d == null)) {
      return this.flag('STATE_INCOMPLETE', s.type === 'STREAM' ? 'STREAM state without stream.stream_descriptor' : 'GLOBAL state without global.stream_states[].stream_descriptor');
    }
    // StateEnricher.enrich: a missing sourceStats is filled by the platform; a present one needs recordCount.
    const stats = s.sourceStats;
    const known = s.type === 'GLOBAL' || this.trackers.has(this.key(streams[0]!.name, streams[0]!.namespace));
    if (stats != null && stats.recordCount == null && known) return this.flag('SOURCE_STATS_INCOMPLETE', 'sourceStats without recordCount');
    const recordCount: number | undefined = stats?.recordCount ?? undefined;
    // updateSourceStatesStats: roll each stream's bucket over, then hold the count against it.
    for (const d of streams) {
      const t = this.tracker(d.name, d.namespace);
      t.previous = t.current;
      t.current = 0;
    }
    if (recordCount === undefined) return;
    const platformCount =
      s.type === 'STREAM' ? this.tracker(streams[0]!.name, streams[0]!.namespace).previous : [...this.trackers.values()].reduce((n, t) => n + t.previous, 0);
    if (recordCount !== platformCount) {
      this.flag('SOURCE_STATS_MISMATCH', `sourceStats.recordCount ${recordCount}, but the platform counted ${platformCount} records since the previous STATE`);
    }
  }
}
