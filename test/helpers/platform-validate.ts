/**
 * The per-message gate every line passes after binding:
 * commons-worker/internal/BasicAirbyteMessageValidator.kt `validate`. It drops messages missing
 * their required fields and throws SourceException (the sync fails) for a RECORD of a stream the
 * configured catalog lacks, or without a primary key in a deduplicated incremental stream.
 */
import type { Bound } from './platform-deserialize.js';
import { violation, type Violation } from './platform-rules.js';

export interface CatalogStream {
  stream: { name?: string | null; namespace?: string | null };
  sync_mode?: string;
  destination_sync_mode?: string;
  primary_key?: string[][] | null;
}

export interface ConfiguredCatalog {
  streams: CatalogStream[];
}

/** Returns whether the message goes on, and the violation when it does not (or when it fails the sync). */
export function validateMessage(m: Bound, catalog: ConfiguredCatalog | undefined, line: number): { keep: boolean; violation?: Violation } {
  const drop = (rule: Parameters<typeof violation>[0], detail: string) => ({ keep: false, violation: violation(rule, detail, line) });
  switch (m.type) {
    case undefined:
    case null:
      return drop('TYPE_MISSING', 'AirbyteMessage without type');
    case 'STATE':
      return m.state == null ? drop('STATE_MISSING', 'STATE without a state object') : { keep: true };
    case 'RECORD':
      return validateRecord(m, catalog, line);
    case 'LOG':
      if (m.log == null || m.log.level == null || m.log.message == null) return drop('LOG_INCOMPLETE', 'LOG without level or message');
      return { keep: true };
    case 'TRACE':
      if (m.trace == null || m.trace.type == null || m.trace.emitted_at == null) return drop('TRACE_INCOMPLETE', 'TRACE without type or emitted_at');
      return { keep: true };
    case 'CONTROL':
      if (m.control == null || m.control.type == null || m.control.emitted_at == null) return drop('CONTROL_INCOMPLETE', 'CONTROL without type or emitted_at');
      return { keep: true };
    case 'SPEC':
      return m.spec?.connectionSpecification == null ? drop('RESULT_INCOMPLETE', 'SPEC without connectionSpecification') : { keep: true };
    case 'CATALOG':
      return m.catalog?.streams == null ? drop('RESULT_INCOMPLETE', 'CATALOG without streams') : { keep: true };
    case 'CONNECTION_STATUS':
      return m.connectionStatus?.status == null ? drop('RESULT_INCOMPLETE', 'CONNECTION_STATUS without status') : { keep: true };
    case 'DESTINATION_CATALOG':
      return m.destination_catalog?.operations == null ? drop('RESULT_INCOMPLETE', 'DESTINATION_CATALOG without operations') : { keep: true };
    default:
      return { keep: false };
  }
}

function validateRecord(m: Bound, catalog: ConfiguredCatalog | undefined, line: number): { keep: boolean; violation?: Violation } {
  const r = m.record;
  // JsonNode.isEmpty is size() == 0: true for {} and [], and for every scalar (a scalar has no members).
  const emptyData = r?.data == null || typeof r.data !== 'object' || Object.keys(r.data).length === 0;
  if (r == null || r.stream == null || emptyData) {
    return { keep: false, violation: violation('RECORD_INCOMPLETE', `RECORD ${r?.stream == null ? 'without stream' : 'with null or empty data'}`, line) };
  }
  if (!catalog) return { keep: true };
  const configured = catalogStreamOf(catalog, r.stream, r.namespace);
  if (!configured) {
    return { keep: false, violation: violation('RECORD_STREAM_NOT_IN_CATALOG', `RECORD of stream ${JSON.stringify(r.stream)} (namespace ${JSON.stringify(r.namespace ?? null)}), not in the configured catalog`, line) };
  }
  if (configured.sync_mode === 'incremental' && isDedup(configured.destination_sync_mode)) {
    const pks = configured.primary_key ?? [];
    if (pks.length === 0) return { keep: false, violation: violation('RECORD_PRIMARY_KEY_MISSING', `no primary_key in the catalog for ${r.stream}`, line) };
    // Jsons.navigateTo returns Java null only for an ABSENT key: an explicit JSON null is a NullNode and passes.
    if (!pks.some((path) => navigateTo(r.data, path) !== undefined)) {
      return { keep: false, violation: violation('RECORD_PRIMARY_KEY_MISSING', `all primary keys absent: ${pks.map((p) => p.join('.')).join(', ')}`, line) };
    }
  }
  return { keep: true };
}

/** AirbyteMessageExtractor.getCatalogStreamFromMessage: StringUtils.equals on namespace and name (null equals only null). */
export function catalogStreamOf(catalog: ConfiguredCatalog, name: unknown, namespace: unknown): CatalogStream | undefined {
  return catalog.streams.find((s) => (s.stream.namespace ?? null) === (namespace ?? null) && (s.stream.name ?? null) === (name ?? null));
}

/** CatalogDiffHelpers.isDedup over the platform's internal modes (overwrite_dedup reaches sources as append_dedup or overwrite). */
function isDedup(mode: string | undefined): boolean {
  return mode === 'append_dedup' || mode === 'overwrite_dedup';
}

function navigateTo(data: unknown, path: string[]): unknown {
  let node: unknown = data;
  for (const key of path) {
    if (node === undefined || node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
