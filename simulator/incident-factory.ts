/**
 * Turns requests for incidents (explicit specs, a generated batch, the seed example) into the
 * compact metadata the store keeps. Ids only ever grow, like IRONSCALES' (research §5).
 */
import {
  CLS_REPORT, REPORT_TYPES, RT_ATO, RT_EMAIL, classificationIndex, generateTimestamps, rollAttributes,
  type IncidentMeta,
} from './generator.js';
import { EXAMPLE_INCIDENT_ID } from './example-incident.js';
import { Rng, hashInts } from './prng.js';
import { parseIsoUs } from './time.js';
import type { IncidentSpec } from './types.js';

export interface FactorySettings {
  seed: number;
  bodyBytes: number;
  largeBodyRatio: number;
  goneRatio: number;
  extraFieldRatio: number;
}

export function parseIsoOption(name: string, value: string): number {
  const us = parseIsoUs(value);
  if (us === null) throw new RangeError(`${name} is not an ISO-8601 date-time with offset: ${value}`);
  return us;
}

/** Metadata for explicit specs; `nowUs` (the simulator's clock) stamps specs without a date. */
export function metasFromSpecs(
  specs: readonly IncidentSpec[], firstId: number, nowUs: number, settings: FactorySettings, exists: (id: number) => boolean,
): { metas: IncidentMeta[]; nextId: number } {
  const metas: IncidentMeta[] = [];
  const batchIds = new Set<number>();
  let nextId = firstId;
  for (const spec of specs) {
    const id = spec.incident_id ?? nextId;
    if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`incident_id must be a positive integer: ${id}`);
    if (exists(id) || batchIds.has(id)) throw new Error(`Incident ${id} already exists`);
    batchIds.add(id);
    nextId = Math.max(nextId, id + 1);
    const createdUs = spec.first_reported_date === undefined ? nowUs : parseIsoOption('first_reported_date', spec.first_reported_date);
    let reportType = spec.gone === true ? RT_ATO : RT_EMAIL;
    if (spec.reportType !== undefined) {
      reportType = (REPORT_TYPES as readonly string[]).indexOf(spec.reportType);
      if (reportType < 0) throw new RangeError(`Unknown reportType ${spec.reportType}`);
    }
    // Only email incidents have details (ATO/Teams/quarantine answer 410), unless told otherwise.
    const gone = spec.gone ?? reportType !== RT_EMAIL;
    const rolled = rollAttributes(settings.seed, id, gone);
    const cls = spec.classification === undefined ? rolled.cls : classificationIndex(spec.classification);
    const bodyBytes = spec.bodyBytes === undefined ? 0 : Math.max(1, Math.trunc(spec.bodyBytes));
    metas.push({
      id, createdUs, lastUpdateUs: createdUs, cls, reportType,
      gone: gone ? 410 : 0,
      bodyBytes, extraFields: false, extra: spec.extra ?? null,
      challenged: cls === CLS_REPORT ? 0 : rolled.challenged,
      isReclassified: false, reclassifiedOnUs: 0,
      shuffleKey: hashInts(settings.seed, id, 99), example: false,
    });
  }
  return { metas, nextId };
}

/** `count` generated incidents first reported in [fromUs, toUs], ids from `firstId`. */
export function generatedMetas(
  count: number, fromUs: number, toUs: number, firstId: number, settings: FactorySettings,
): { metas: IncidentMeta[]; nextId: number } {
  const { seed } = settings;
  const rng = new Rng(hashInts(seed, firstId, count, 11));
  const timestamps = generateTimestamps(rng, count, fromUs, toUs);
  const pick = (stream: number, ratio: number): Set<number> =>
    new Set(new Rng(hashInts(seed, firstId, count, stream)).sampleIndices(count, Math.round(ratio * count)));
  const gone = pick(12, settings.goneRatio);
  const large = pick(13, settings.largeBodyRatio);
  const extra = pick(14, settings.extraFieldRatio);
  const metas: IncidentMeta[] = new Array<IncidentMeta>(count);
  let id = firstId;
  for (let i = 0; i < count; i++) {
    const createdUs = timestamps[i] as number;
    const rolled = rollAttributes(seed, id, gone.has(i));
    metas[i] = {
      id, createdUs, lastUpdateUs: createdUs, cls: rolled.cls, reportType: rolled.reportType, gone: rolled.goneStatus,
      bodyBytes: large.has(i) ? Math.max(1, settings.bodyBytes) : 0,
      extraFields: extra.has(i), extra: null, challenged: rolled.challenged,
      isReclassified: false, reclassifiedOnUs: 0,
      shuffleKey: hashInts(seed, id, 99), example: false,
    };
    id += 1 + (rng.chance(0.15) ? rng.int(1, 3) : 0);
  }
  return { metas, nextId: id };
}

/** The seed's example incident 123456, as first loaded. */
export function exampleMeta(seed: number): IncidentMeta {
  const createdUs = parseIsoOption('example', '2023-07-04T09:29:29.317504Z');
  return {
    id: EXAMPLE_INCIDENT_ID, createdUs, lastUpdateUs: createdUs, cls: 0, reportType: 0, gone: 0,
    bodyBytes: 0, extraFields: false, extra: null, challenged: 0, isReclassified: false, reclassifiedOnUs: 0,
    shuffleKey: hashInts(seed, EXAMPLE_INCIDENT_ID, 99), example: true,
  };
}
