/**
 * Every endpoint the connector calls, answering once what real gateways and IRONSCALES' own
 * throttle send: an HTML 404, a 404 with an empty body, and a 429 asking for 60 s (IRONSCALES'
 * "Expected available in 60 seconds", with its Retry-After). Each is retried or waited out, the
 * sync succeeds, and every stream reading that endpoint delivers exactly what a clean read does.
 * Built connector, separate processes, one simulator per endpoint over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startSimulator, type Endpoint, type Fault, type Simulator } from '../../simulator/index.js';
import { runChecked } from '../helpers/acceptance-protocol.js';
import { catalogFor, configFor, errorTraces, type RunResult } from '../helpers/connector.js';

const KEYS: Record<string, string[]> = {
  ironscales_incidents: ['incident_id'],
  ironscales_incident_iocs: ['incident_id', 'ioc_type', 'value'],
  ironscales_mitigations: ['mitigationID'],
  ironscales_mailboxes: ['id'],
  ironscales_escalated_emails: ['mitigation_id'],
  ironscales_scanback_incidents: ['incidentID'],
  ironscales_deepfake_events: ['event_uuid'],
};

/** Each endpoint, and the streams that read it. */
const ENDPOINTS: ReadonlyArray<[Endpoint, string[]]> = [
  ['token', ['ironscales_incidents']],
  ['list', ['ironscales_incidents', 'ironscales_incident_iocs']],
  ['details', ['ironscales_incidents', 'ironscales_incident_iocs']],
  ['ato', ['ironscales_incidents', 'ironscales_incident_iocs']],
  ['mitigations', ['ironscales_mitigations']],
  ['mailboxes', ['ironscales_mailboxes']],
  ['emails', ['ironscales_escalated_emails']],
  ['scanback', ['ironscales_scanback_incidents']],
  ['deepfake', ['ironscales_deepfake_events']],
];

const sims = new Map<Endpoint, Simulator>();
/** Per endpoint, the primary keys of each of its streams in a clean read. */
const reference = new Map<Endpoint, Record<string, string[]>>();

// A retry budget above the 60 s throttle: IRONSCALES' wait is waited out, never a reason to fail.
const config = (sim: Simulator) => configFor(sim, { start_date: '2025-01-01T00:00:00Z', max_retry_seconds: 120 });

function keysOf(result: RunResult, streams: string[]): Record<string, string[]> {
  return Object.fromEntries(
    streams.map((stream) => [
      stream,
      result.records.filter((r) => r.record.stream === stream).map((r) => JSON.stringify(KEYS[stream]!.map((k) => r.record.data[k]))).sort(),
    ]),
  );
}

async function read(endpoint: Endpoint, streams: string[]): Promise<RunResult> {
  return runChecked('read', { config: config(sims.get(endpoint)!), catalog: catalogFor('incremental', streams), timeoutMs: 150_000 });
}

beforeAll(async () => {
  await Promise.all(
    ENDPOINTS.map(async ([endpoint, streams]) => {
      const sim = await startSimulator({
        seed: 1500, incidents: 15, scanbackIncidents: 12, deepfakeEvents: 20, mailboxes: 120, rateLimit: null, goneRatio: 0, extraFieldRatio: 0,
        from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z',
      });
      sim.addIncidents([{ first_reported_date: '2025-02-02T02:02:02.020202Z', reportType: 'ato' }]);
      sims.set(endpoint, sim);
      const clean = await read(endpoint, streams);
      expect(clean.code).toBe(0);
      reference.set(endpoint, keysOf(clean, streams));
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([...sims.values()].map((sim) => sim.close()));
});

async function expectNothingLost(endpoint: Endpoint, streams: string[], fault: Fault): Promise<void> {
  const sim = sims.get(endpoint)!;
  sim.resetStats();
  sim.inject(fault);
  const result = await read(endpoint, streams);
  expect({ endpoint, taken: sim.stats().injectedFaults }).toEqual({ endpoint, taken: 1 });
  expect({ endpoint, errors: errorTraces(result).map((e) => e.trace.error.message) }).toEqual({ endpoint, errors: [] });
  expect({ endpoint, code: result.code }).toEqual({ endpoint, code: 0 });
  const got = keysOf(result, streams);
  for (const stream of streams) {
    expect({ endpoint, stream, count: got[stream]!.length }).toEqual({ endpoint, stream, count: reference.get(endpoint)![stream]!.length });
    expect(got[stream]).toEqual(reference.get(endpoint)![stream]);
  }
}

describe('a gateway\'s 404 on any endpoint is retried, never read as "nothing there"', () => {
  test.each(ENDPOINTS.flatMap(([endpoint, streams]) => (['html', 'empty'] as const).map((body) => [endpoint, body, streams] as const)))(
    '%s answering a 404 with an %s body once',
    async (endpoint, body, streams) => {
      await expectNothingLost(endpoint, streams, { kind: 'error_page', status: 404, body, endpoint, count: 1 });
    },
  );
});

test('a 429 asking for 60 s on each endpoint (at once, one simulator each) is waited out, and nothing is lost', async () => {
  const started = Date.now();
  await Promise.all(ENDPOINTS.map(([endpoint, streams]) => expectNothingLost(endpoint, streams, { kind: 'throttle', retryAfterSeconds: 60, endpoint, count: 1 })));
  expect(Date.now() - started).toBeGreaterThanOrEqual(59_000);
}, 180_000);
