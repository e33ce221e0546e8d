/**
 * Field selection (orchestrator/worker/filter/FieldSelector.kt): the platform keeps only the
 * top-level fields each configured stream's json_schema declares. IRONSCALES grows its objects by
 * adding fields; the simulator serves some incidents with fields no schema knows
 * (`extraFieldRatio`). After the replica's field selection, every value IRONSCALES served must still
 * be in the delivered record: known fields top-level under their names, the others in
 * additional_fields. Real HTTP against the simulator, the catalog the platform builds.
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { configFor } from '../helpers/connector.js';
import { platformCatalog } from '../helpers/platform-catalog.js';
import { discoveredStreams, receivedRecords, runAsPlatform } from '../helpers/platform-run.js';

let sim: Simulator;
const JOB = { jobId: 61, attempt: 0, supportsRefreshes: true };

beforeAll(async () => {
  sim = await startSimulator({ seed: 1531, incidents: 80, extraFieldRatio: 0.4, goneRatio: 0, rateLimit: null });
});
afterAll(async () => {
  await sim?.close();
});

test('incidents with new top-level fields: after field selection every served value is in the record, no field dropped', async () => {
  const streams = await discoveredStreams(configFor(sim));
  const declared = new Set(Object.keys((streams[0]!.json_schema as { properties: object }).properties));
  const catalog = platformCatalog(streams, { syncMode: 'incremental', destinationSyncMode: 'append_dedup' }, JOB);
  const { report, violations } = await runAsPlatform('read', { config: configFor(sim), catalog, job: JOB });
  expect(violations).toEqual([]);
  expect(report.failed).toBe(false);

  const records = receivedRecords(report).all.map((r) => r.data as Record<string, unknown>);
  expect(records).toHaveLength(sim.incidentIds().length);
  let undeclared = 0;
  for (const data of records) {
    const served = sim.details(data.incident_id as number)!;
    const extras = (data.additional_fields ?? {}) as Record<string, unknown>;
    for (const [field, value] of Object.entries(served)) {
      if (declared.has(field)) {
        expect({ field, value: data[field] }).toEqual({ field, value });
      } else {
        undeclared += 1;
        expect({ field, value: extras[field] }).toEqual({ field, value });
      }
    }
  }
  // The case must really arise: the simulator served fields the schema does not know.
  expect(undeclared).toBeGreaterThan(10);
});

test('a mailbox with a field the schema does not know keeps it, in additional_fields', async () => {
  sim.inject({
    kind: 'canned',
    status: 200,
    endpoint: 'mailboxes',
    count: 1,
    body: { page: 1, total_pages: 1, total_count: 1, mailboxes: [{ id: 7, email: 'a@example.com', riskLevel: 'high', mfaEnrolled: true, licence: { sku: 'E5' } }] },
  });
  const streams = await discoveredStreams(configFor(sim), ['ironscales_mailboxes']);
  const catalog = platformCatalog(streams, { syncMode: 'full_refresh', destinationSyncMode: 'overwrite' }, JOB);
  const { report, violations } = await runAsPlatform('read', { config: configFor(sim), catalog, job: JOB });
  expect(violations).toEqual([]);
  expect(receivedRecords(report).all.map((r) => r.data)).toEqual([
    { id: 7, email: 'a@example.com', riskLevel: 'high', additional_fields: { mfaEnrolled: true, licence: { sku: 'E5' } } },
  ]);
});
