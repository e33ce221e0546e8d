/**
 * Tells a broken incident from an outage. When one incident's own calls keep failing, the probe
 * repeats a call that worked: the details of an incident IRONSCALES served earlier in this sync
 * (or, before any, of an incident emitted at the saved cursor by an earlier sync; before that, a
 * one-item list call). If the probe works, the failure belongs to that incident alone, and the
 * sync goes on without its details; if the probe fails too, IRONSCALES is down (or the key lost a
 * right) and the sync stops before checkpointing past anything. A ratio of failures proves
 * nothing: three broken incidents among five new ones are three broken incidents.
 */
import { transientError } from '../../airbyte/errors.js';
import type { IronscalesClient } from '../../ironscales/client.js';
import { IronscalesApiError } from '../../ironscales/errors.js';
import type { Micros } from '../../ironscales/timestamps.js';

export class OutageProbe {
  private lastServed: number | undefined;
  /**
   * When the latest request that IRONSCALES went on to answer was sent (a details answer, or a
   * probe): performance.now() time. Only a request sent after a failing one began shows that
   * IRONSCALES was up while it failed; one sent before may have been answered just before an outage.
   */
  private confirmedAt = -Infinity;
  private running: Promise<void> | undefined;

  constructor(
    private readonly api: IronscalesClient,
    /** Incidents emitted with details by an earlier sync (the saved ids at the cursor): candidates before any success in this sync. */
    private readonly earlierServed: readonly number[],
    private readonly retryBudgetMs: number,
    /** IRONSCALES' "now" for the list probe's one-microsecond window. */
    private readonly serverNow: () => Micros,
  ) {}

  /** An incident whose details IRONSCALES served, for a request sent at `sentAt` (performance.now()). */
  served(incidentId: number, sentAt: number): void {
    this.lastServed = incidentId;
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
  }

  /**
   * Resolves when IRONSCALES answers the probe; throws (transient, or the probe's own config error)
   * when it does not. `failingSince`: when the failed incident's call began (performance.now());
   * an answer IRONSCALES gave after that already shows it was up while this incident failed.
   */
  confirmNotAnOutage(failedIncident: number, failingSince: number): Promise<void> {
    if (this.confirmedAt > failingSince) return Promise.resolve();
    this.running ??= this.probe(failedIncident).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async probe(failedIncident: number): Promise<void> {
    const sentAt = performance.now();
    const candidate = this.lastServed ?? this.earlierServed.find((id) => id !== failedIncident);
    try {
      if (candidate === undefined) {
        const now = this.serverNow();
        await this.api.listIncidents({ page: 1, itemsPerPage: 1, created: { start: now, end: now } });
      } else {
        const answer = await this.api.getIncidentDetails(candidate, { retryBudgetMs: this.retryBudgetMs });
        // An incident that has no details (any more) proves the endpoint answers, not that it serves.
        if (answer.found) this.lastServed = candidate;
      }
    } catch (err) {
      if (err instanceof IronscalesApiError && err.failure !== 'unavailable') throw err;
      const what = candidate === undefined ? 'the incident list fails too' : `the details of incident ${candidate}, served before, fail too`;
      throw transientError(`IRONSCALES API unavailable: the details of incident ${failedIncident} kept failing and ${what}.`, (err as Error).message, err);
    }
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
  }
}
