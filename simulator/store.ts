/**
 * In-memory incident store: compact metadata, kept sorted by (created, id) so the created_* filters
 * are binary searches, plus a small cache of query results so paging through a large result does
 * not redo the filter and sort for every page.
 */
import {
  CLS_ATTACK, CLS_CLOSE_PHISHING, CLS_FALSE_POSITIVE, CLS_REPORT, CLS_SPAM, RT_ATO,
  buildCore, buildListItem,
  type Core, type GenContext, type IncidentMeta,
} from './generator.js';
import { US_PER_SECOND } from './time.js';

export const SORT_FIELDS = [
  'created', 'latestEmailDate', 'incidentID', 'emailSubject', 'senderName', 'senderEmail', 'recipientName',
  'recipientEmail', 'classification', 'firstChallengedDate', 'noSorting',
] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export const SEARCH_PARAMS = {
  search_email_subject: 'emailSubject',
  search_sender_name: 'senderName',
  search_sender_email: 'senderEmail',
  search_recipient_name: 'recipientName',
  search_recipient_email: 'recipientEmail',
} as const;

export interface ListQuery {
  createdFromUs?: number;
  createdToUs?: number;
  updatedFromUs?: number;
  updatedToUs?: number;
  challengedFromUs?: number;
  challengedToUs?: number;
  /** null = all */
  states: string[] | null;
  reportType: number | null;
  classifications: string[] | null;
  incidentId?: number;
  challengedType?: number;
  search: [field: string, needle: string][];
  sort: SortField;
  order: 'asc' | 'desc';
}

const CACHE_SIZE = 16;

function compareCreated(a: IncidentMeta, b: IncidentMeta): number {
  return a.createdUs - b.createdUs || a.id - b.id;
}

export class IncidentStore {
  private readonly byId = new Map<number, IncidentMeta>();
  private byCreated: IncidentMeta[] = [];
  private version = 0;
  private readonly cache = new Map<string, IncidentMeta[]>();
  private cacheVersion = 0;
  private sortedIds: number[] | null = null;

  constructor(private readonly ctx: GenContext) {}

  get size(): number {
    return this.byId.size;
  }

  /** Changes with every add, remove or in-place change (for callers that cache what they derive). */
  get revision(): number {
    return this.version;
  }

  get(id: number): IncidentMeta | undefined {
    return this.byId.get(id);
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  add(metas: readonly IncidentMeta[]): void {
    for (const meta of metas) {
      if (this.byId.has(meta.id)) throw new Error(`Incident ${meta.id} already exists`);
      this.byId.set(meta.id, meta);
    }
    if (metas.length > 32) {
      for (const meta of metas) this.byCreated.push(meta);
      this.byCreated.sort(compareCreated);
    } else {
      for (const meta of metas) {
        let lo = 0;
        let hi = this.byCreated.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (compareCreated(this.byCreated[mid] as IncidentMeta, meta) < 0) lo = mid + 1;
          else hi = mid;
        }
        this.byCreated.splice(lo, 0, meta);
      }
    }
    this.changed();
  }

  remove(id: number): void {
    const meta = this.byId.get(id);
    if (!meta) return;
    this.byId.delete(id);
    this.byCreated = this.byCreated.filter((m) => m !== meta);
    this.changed();
  }

  clear(): void {
    this.byId.clear();
    this.byCreated = [];
    this.changed();
  }

  /** Call after mutating a meta in place (reclassify). */
  changed(): void {
    this.version++;
    this.sortedIds = null;
  }

  ids(): number[] {
    if (!this.sortedIds) this.sortedIds = [...this.byId.keys()].sort((a, b) => a - b);
    return [...this.sortedIds];
  }

  openIds(): number[] {
    const out: number[] = [];
    for (const meta of this.byId.values()) if (meta.cls === CLS_REPORT) out.push(meta.id);
    return out.sort((a, b) => a - b);
  }

  maxId(): number {
    let max = 0;
    for (const id of this.byId.keys()) if (id > max) max = id;
    return max;
  }

  /** All matching incidents in response order. */
  query(q: ListQuery): IncidentMeta[] {
    if (this.cacheVersion !== this.version) {
      this.cache.clear();
      this.cacheVersion = this.version;
    }
    const key = JSON.stringify(q);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const result = this.order(this.filter(q), q);
    if (this.cache.size >= CACHE_SIZE) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, result);
    return result;
  }

  private lowerBound(us: number): number {
    let lo = 0;
    let hi = this.byCreated.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.byCreated[mid] as IncidentMeta).createdUs < us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(us: number): number {
    let lo = 0;
    let hi = this.byCreated.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.byCreated[mid] as IncidentMeta).createdUs <= us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private filter(q: ListQuery): IncidentMeta[] {
    let candidates: IncidentMeta[];
    if (q.incidentId !== undefined) {
      const one = this.byId.get(q.incidentId);
      candidates = one ? [one] : [];
      if (one && ((q.createdFromUs !== undefined && one.createdUs < q.createdFromUs) || (q.createdToUs !== undefined && one.createdUs > q.createdToUs))) candidates = [];
    } else {
      const lo = q.createdFromUs === undefined ? 0 : this.lowerBound(q.createdFromUs);
      const hi = q.createdToUs === undefined ? this.byCreated.length : this.upperBound(q.createdToUs);
      candidates = lo === 0 && hi === this.byCreated.length ? this.byCreated : this.byCreated.slice(lo, Math.max(lo, hi));
    }
    const needsCore = q.search.length > 0 || q.challengedFromUs !== undefined || q.challengedToUs !== undefined;
    const plain = q.updatedFromUs === undefined && q.updatedToUs === undefined && q.states === null &&
      q.reportType === null && q.classifications === null && q.challengedType === undefined && !needsCore;
    if (plain) return candidates === this.byCreated ? [...candidates] : candidates;
    const out: IncidentMeta[] = [];
    for (const meta of candidates) {
      if (q.updatedFromUs !== undefined && meta.lastUpdateUs < q.updatedFromUs) continue;
      if (q.updatedToUs !== undefined && meta.lastUpdateUs > q.updatedToUs) continue;
      if (q.reportType !== null && meta.reportType !== q.reportType) continue;
      if (q.challengedType !== undefined && meta.challenged !== q.challengedType) continue;
      if (q.states !== null && !q.states.some((s) => matchesState(meta, s))) continue;
      if (q.classifications !== null && !q.classifications.some((c) => matchesClassification(meta, c))) continue;
      if (needsCore && !this.matchesCoreFilters(meta, q)) continue;
      out.push(meta);
    }
    return out;
  }

  private matchesCoreFilters(meta: IncidentMeta, q: ListQuery): boolean {
    const item = buildListItem(this.ctx, meta);
    for (const [field, needle] of q.search) {
      const value = item[field];
      if (typeof value !== 'string' || !value.toLowerCase().includes(needle.toLowerCase())) return false;
    }
    if (q.challengedFromUs !== undefined || q.challengedToUs !== undefined) {
      if (meta.challenged === 0 || meta.example) return false;
      const core = buildCore(this.ctx, meta);
      const at = meta.createdUs + core.challengedOffsetUs;
      if (q.challengedFromUs !== undefined && at < q.challengedFromUs) return false;
      if (q.challengedToUs !== undefined && at > q.challengedToUs) return false;
    }
    return true;
  }

  private order(items: IncidentMeta[], q: ListQuery): IncidentMeta[] {
    const desc = q.order === 'desc';
    switch (q.sort) {
      case 'created':
        // `items` is already in (created, id) order
        return desc ? items.reverse() : items;
      case 'incidentID':
        return items.sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
      case 'noSorting':
        // arbitrary but stable: a per-id hash, so adding incidents never reshuffles the others
        return items.sort((a, b) => a.shuffleKey - b.shuffleKey || a.id - b.id);
      case 'latestEmailDate':
      case 'firstChallengedDate': {
        const dateField = q.sort;
        const keyed = items.map((meta) => ({ meta, key: this.dateKey(meta, dateField) }));
        keyed.sort((a, b) => compareNullable(a.key, b.key, desc) || (desc ? b.meta.id - a.meta.id : a.meta.id - b.meta.id));
        return keyed.map((k) => k.meta);
      }
      default: {
        const field = q.sort;
        const keyed = items.map((meta) => {
          const value = buildListItem(this.ctx, meta)[field];
          return { meta, key: typeof value === 'string' ? value.toLowerCase() : null };
        });
        keyed.sort((a, b) => compareNullable(a.key, b.key, desc) || (desc ? b.meta.id - a.meta.id : a.meta.id - b.meta.id));
        return keyed.map((k) => k.meta);
      }
    }
  }

  private dateKey(meta: IncidentMeta, field: 'latestEmailDate' | 'firstChallengedDate'): number | null {
    if (meta.example) return field === 'latestEmailDate' ? meta.createdUs : null;
    const core: Core = buildCore(this.ctx, meta);
    if (field === 'latestEmailDate') {
      if (meta.reportType === RT_ATO) return null;
      return Math.floor((meta.createdUs + core.latestEmailOffsetUs) / US_PER_SECOND);
    }
    return meta.challenged === 0 ? null : meta.createdUs + core.challengedOffsetUs;
  }
}

/** Postgres-like: NULLs sort last ascending and first descending. */
function compareNullable<T extends string | number>(a: T | null, b: T | null, desc: boolean): number {
  if (a === b) return 0;
  if (a === null) return desc ? -1 : 1;
  if (b === null) return desc ? 1 : -1;
  const cmp = a < b ? -1 : 1;
  return desc ? -cmp : cmp;
}

export function matchesState(meta: IncidentMeta, state: string): boolean {
  switch (state) {
    case 'all': return true;
    case 'classified': return meta.cls !== CLS_REPORT;
    case 'unclassified': return meta.cls === CLS_REPORT;
    case 'challenged': return meta.challenged !== 0;
    default: return false;
  }
}

export function matchesClassification(meta: IncidentMeta, value: string): boolean {
  switch (value) {
    case 'all': return true;
    case 'phishing': return meta.cls === CLS_ATTACK || meta.cls === CLS_CLOSE_PHISHING;
    case 'spam': return meta.cls === CLS_SPAM;
    case 'safe': return meta.cls === CLS_FALSE_POSITIVE;
    case 'open': return meta.cls === CLS_REPORT;
    case 'compromised': return meta.reportType === RT_ATO && meta.cls === CLS_ATTACK;
    case 'silent': return false;
    default: return false;
  }
}
