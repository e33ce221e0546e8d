/**
 * A destination as the platform's generations make it behave, enough to tell whether a Refresh or
 * a Clear lost history:
 * - every record is written with its configured stream's generation_id; Append + Deduped keeps
 *   the latest record per primary key;
 * - at the SUCCESSFUL end of a sync, rows of a stream whose generation is below its
 *   minimum_generation_id are removed ("Only at the successful conclusion of a Refresh Sync will
 *   the newly refreshed data be swapped or merged into place", docs.airbyte.com/operator-guides/refreshes;
 *   minimum_generation_id is set by CatalogGenerationSetter.updateCatalogWithGenerationAndSyncInformation:
 *   the generation for a truncate refresh or a full refresh that overwrites, else 0);
 * - a Clear is a sync of no records with minimum_generation_id = the bumped generation
 *   (updateCatalogWithGenerationAndSyncInformationForClear), so it empties the stream.
 */
import type { Bound } from './platform-deserialize.js';
import type { PlatformReport } from './platform-replica.js';
import { violation, type Violation } from './platform-rules.js';

export interface GenerationalStream {
  stream: { name: string; namespace?: string };
  sync_mode: string;
  destination_sync_mode: string;
  primary_key?: string[][];
  generation_id?: number;
  minimum_generation_id?: number;
}

interface Row {
  data: Record<string, unknown>;
  generation: number;
}

export class Destination {
  private readonly tables = new Map<string, Row[]>();

  /** Writes what the platform delivered in one read (after field selection), then truncates older generations if the read succeeded. */
  write(report: PlatformReport, catalog: { streams: GenerationalStream[] }): void {
    for (const m of report.delivered) {
      if (m.type !== 'RECORD') continue;
      const configured = catalog.streams.find((s) => s.stream.name === m.record.stream);
      if (!configured) continue;
      const rows = this.table(configured.stream.name);
      const row = { data: m.record.data as Record<string, unknown>, generation: configured.generation_id ?? 0 };
      const dedup = configured.sync_mode === 'incremental' && configured.destination_sync_mode === 'append_dedup';
      const at = dedup ? rows.findIndex((r) => keyOf(r.data, configured.primary_key) === keyOf(row.data, configured.primary_key)) : -1;
      if (at >= 0) rows[at] = row;
      else rows.push(row);
    }
    if (report.failed) return;
    for (const s of catalog.streams) this.truncateBelow(s.stream.name, s.minimum_generation_id ?? 0);
  }

  /** A Clear job of `streams`, whose generation was bumped to `generation`: no records, then the truncation. */
  clear(streams: string[], generations: Map<string, number>): void {
    for (const name of streams) this.truncateBelow(name, generations.get(name) ?? 0);
  }

  /** The primary keys of every row a stream holds, as JSON. */
  keys(stream: string, primaryKey: string[][]): Set<string> {
    return new Set(this.table(stream).map((r) => keyOf(r.data, primaryKey)));
  }

  rows(stream: string): Array<Record<string, unknown>> {
    return this.table(stream).map((r) => r.data);
  }

  private truncateBelow(stream: string, minimumGeneration: number): void {
    if (minimumGeneration <= 0) return;
    this.tables.set(stream, this.table(stream).filter((r) => r.generation >= minimumGeneration));
  }

  private table(stream: string): Row[] {
    let rows = this.tables.get(stream);
    if (!rows) this.tables.set(stream, (rows = []));
    return rows;
  }
}

function keyOf(data: Bound, primaryKey: string[][] | undefined): string {
  return JSON.stringify((primaryKey ?? []).map((path) => path.reduce<unknown>((node, k) => (node as Bound | undefined)?.[k], data)));
}

/** HISTORY_NARROWED: every key a stream held before must still be there after. */
export function historyNarrowed(stream: string, before: Set<string>, after: Set<string>): Violation[] {
  const lost = [...before].filter((k) => !after.has(k));
  if (lost.length === 0) return [];
  return [violation('HISTORY_NARROWED', `${stream}: ${lost.length} of ${before.size} rows held before are gone (first: ${lost.slice(0, 3).join(', ')})`)];
}
