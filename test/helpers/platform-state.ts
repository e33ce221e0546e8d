/**
 * The state the platform hands back to the next sync or attempt, and the other shapes a
 * connection can hold.
 *
 * What the platform persists and returns (airbyte-config/config-persistence StatePersistence.kt
 * buildStreamState / buildGlobalState / buildLegacyState, written to --state through
 * airbyte-config/config-models StateMessageHelper.kt getState):
 * - STREAM: a JSON array of {type: STREAM, stream: {stream_descriptor, stream_state}}, one per
 *   stream, the last committed state of each; sourceStats and anything else are not kept;
 * - GLOBAL: an array with ONE {type: GLOBAL, global: {shared_state, stream_states: [...]}};
 * - LEGACY: the raw `data` object, not wrapped. StateMessageHelper.getTypedState also reads a
 *   list holding one typed {type: LEGACY, data} entry as LEGACY.
 * A reset or clear writes a STREAM state whose stream_state is null for each reset stream
 * (orchestrator/worker/io/EmptyAirbyteSource.kt buildNullStreamStateMessage).
 */
import type { Bound } from './platform-deserialize.js';
import type { ConnectorOutput } from './platform-replica.js';
import { replayAsPlatform } from './platform-replica.js';

export interface StreamDescriptor {
  name: string;
  namespace?: string;
}

export interface StreamStateEntry {
  stream_descriptor: StreamDescriptor;
  stream_state: unknown;
}

export type StreamStateMessage = { type: 'STREAM'; stream: StreamStateEntry };
export type GlobalStateMessage = { type: 'GLOBAL'; global: { shared_state?: unknown; stream_states: StreamStateEntry[] } };

/**
 * The state list after a read, as the platform keeps it: the last STATE of each stream (STREAM),
 * or, once the source speaks GLOBAL, the last GLOBAL message; never sourceStats. Only the states
 * the platform accepted count (a dropped STATE line is never committed).
 */
export function stateForNextSync(output: ConnectorOutput, catalog: unknown): StreamStateMessage[] | GlobalStateMessage[] {
  const last = new Map<string, StreamStateEntry>();
  let global: GlobalStateMessage | undefined;
  for (const m of replayAsPlatform(output, { op: 'read', catalog }).delivered) {
    if (m.type !== 'STATE') continue;
    if (m.state.type === 'GLOBAL' && Array.isArray(m.state.global?.stream_states)) {
      const { shared_state, stream_states } = m.state.global as Bound;
      global = { type: 'GLOBAL', global: { ...(shared_state != null ? { shared_state } : {}), stream_states: (stream_states as Bound[]).map(entry) } };
    } else if (m.state.type === 'STREAM' && m.state.stream?.stream_descriptor != null) {
      const e = entry(m.state.stream);
      last.set(JSON.stringify([e.stream_descriptor.name, e.stream_descriptor.namespace ?? null]), e);
    }
  }
  if (global) return [global];
  return [...last.values()].map((stream) => ({ type: 'STREAM', stream }));
}

/** An AirbyteStreamState as StatePersistence.buildAirbyteStreamState rebuilds it: descriptor and state only. */
function entry(s: Bound): StreamStateEntry {
  const d = s.stream_descriptor as Bound;
  return { stream_descriptor: { name: d.name, ...(d.namespace != null ? { namespace: d.namespace } : {}) }, stream_state: s.stream_state ?? null };
}

/** The per-stream entries of a handed-back state, whichever of the two shapes it has. */
export function entriesOf(state: StreamStateMessage[] | GlobalStateMessage[]): StreamStateEntry[] {
  return state.flatMap((m) => (m.type === 'GLOBAL' ? m.global.stream_states : [m.stream]));
}

/** LEGACY as the platform passes it: the raw data blob, here {<stream name>: <stream_state>}. */
export function asLegacyObject(entries: StreamStateEntry[]): Record<string, unknown> {
  return Object.fromEntries(entries.map((e) => [e.stream_descriptor.name, e.stream_state]));
}

/** A list with one typed LEGACY entry carrying the same blob in `data`. */
export function asTypedLegacyList(entries: StreamStateEntry[]): unknown[] {
  return [{ type: 'LEGACY', data: asLegacyObject(entries) }];
}

/** One GLOBAL message whose stream_states carry the entries (shared_state omitted unless given). */
export function asGlobal(entries: StreamStateEntry[], sharedState?: unknown): unknown[] {
  return [{ type: 'GLOBAL', global: { ...(sharedState !== undefined ? { shared_state: sharedState } : {}), stream_states: entries } }];
}

/** What a reset or backfill leaves: each stream's STREAM state with stream_state null. */
export function asResetStreams(names: string[]): StreamStateMessage[] {
  return names.map((name) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: null } }));
}
