/**
 * Nothing lost, nothing repeated (issue 10), part 2: failures. A state the connector cannot read,
 * an unreachable host, a persistent outage, one incident whose details always fail, token expiry
 * worded in other ways, and warnings under stdout backpressure. Black-box, as part 1.
 */
import { expectedIncidentRecord } from '../helpers/records.js';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startSimulator, type Simulator, type TokenRejection } from '../../simulator/index.js';
import {
  CONNECTOR, catalogFor, configFor, errorTraces, runConnector, stateFrom, streamStatuses, tempFile, type RunResult,
} from '../helpers/connector.js';
import { createdUs, expectCheckpointsBehindEmitted, expectEachOnce, ids, lastState, stateArg, when } from '../helpers/no-loss.js';

let sim: Simulator | undefined;
const servers: net.Server[] = [];
const heldSockets: net.Socket[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const socket of heldSockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

describe('6. a state the connector does not understand', () => {
  test('an unknown key → config_error that says to reset, non-zero exit, no API call beyond a token', async () => {
    sim = await startSimulator({ seed: 1101, incidents: 10, rateLimit: null });
    const result = await runConnector('read', { config: configFor(sim), catalog: catalogFor(), state: stateArg({ cursor: '2026-01-01T00:00:00Z' }) });
    expect(result.code).not.toBe(0);
    const errors = errorTraces(result);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.trace.error.failure_type).toBe('config_error');
    expect(errors[0]?.trace.error.message).toMatch(/reset/i);
    expect(result.records).toEqual([]);
    const stats = sim.stats();
    expect(stats.total - stats.requests.token).toBe(0);
    expect(stats.requests.token).toBeLessThanOrEqual(1);
  });
});

describe('7. check against a host that does not answer', () => {
  /** A port on 127.0.0.1 that nothing listens on. */
  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  /** A server that accepts connections and never answers. */
  async function stalledPort(): Promise<number> {
    const server = net.createServer((socket) => heldSockets.push(socket));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  async function timedCheck(port: number): Promise<{ result: RunResult; elapsedMs: number }> {
    // The defaults of the spec (request timeout, retry budget): what a user's first check meets.
    const config = { host: `http://127.0.0.1:${port}`, company_id: 12345, api_key: 'sim-key-check' };
    const started = Date.now();
    const result = await runConnector('check', { config, timeoutMs: 31_000 });
    return { result, elapsedMs: Date.now() - started };
  }

  /** What the platform reads from a check that could not reach IRONSCALES: a transient TRACE, no status (see test/connector/check.test.ts). */
  function transientTrace(result: RunResult): { status?: unknown; code: number | null; types: string[]; message?: string } {
    const errors = errorTraces(result);
    return {
      status: result.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus,
      code: result.code,
      types: errors.map((e) => e.trace.error.failure_type),
      message: errors[0]?.trace.error.message,
    };
  }

  test('closed port and stalled server: a transient TRACE naming what failed, non-zero exit, no CONNECTION_STATUS, within 30 s', async () => {
    const [refused, stalled] = await Promise.all([closedPort().then(timedCheck), stalledPort().then(timedCheck)]);
    // A FAILED status would end the platform's retries as a configuration problem: an unreachable host is not one.
    expect(transientTrace(refused.result)).toEqual({ status: undefined, code: 1, types: ['transient_error'], message: expect.stringMatching(/refused|ECONNREFUSED|connect|reach/i) });
    expect(refused.elapsedMs).toBeLessThan(30_000);
    expect(transientTrace(stalled.result)).toEqual({ status: undefined, code: 1, types: ['transient_error'], message: expect.stringMatching(/time[ds]? ?out|did not (respond|answer)|no (response|answer)/i) });
    expect(stalled.elapsedMs).toBeLessThan(30_000);
  }, 45_000);
});

describe('8. a persistent outage', () => {
  test('every call 503 after the first slice: transient_error, INCOMPLETE, non-zero exit; the resume loses nothing', async () => {
    sim = await startSimulator({ seed: 1102, incidents: 200, from: '2025-05-01T00:00:00Z', to: '2025-05-10T00:00:00Z', rateLimit: null, goneRatio: 0, latencyMs: 2 });
    const local = sim;
    const all = local.incidentIds();
    const config = configFor(local, { records_per_checkpoint: 40, max_retry_seconds: 3, request_timeout_seconds: 2 });
    const stop = when(() => local.stats().requests.details >= 50, () => local.inject({ kind: 'server_error', count: 1_000_000, status: 503 }));
    const failed = await runConnector('read', { config, catalog: catalogFor() }).finally(stop);
    expect(failed.code).not.toBe(0);
    const errors = errorTraces(failed);
    // The stream's own error, and the deciding one (stamped first) naming it: both transient, so the platform retries.
    expect(errors.map((e) => e.trace.error.failure_type)).toEqual(['transient_error', 'transient_error']);
    const deciding = [...errors].sort((a, b) => a.trace.emitted_at - b.trace.emitted_at)[0]!.trace.error;
    expect(deciding.message).toMatch(/ironscales_incidents did not sync.*Airbyte retries the sync/);
    expect(streamStatuses(failed).at(-1)).toBe('INCOMPLETE');
    expectEachOnce(failed);
    expectCheckpointsBehindEmitted(failed, all, (id) => createdUs(local, id));

    local.clearFaults();
    const resumed = await runConnector('read', { config, catalog: catalogFor(), ...(failed.states.length > 0 ? { state: stateFrom(failed) } : {}) });
    expect(resumed.code).toBe(0);
    expect(new Set([...ids(failed), ...ids(resumed)])).toEqual(new Set(all));
  });

  test('the spec default of max_retry_seconds is 600', async () => {
    const spec = await runConnector('spec');
    expect(spec.code).toBe(0);
    expect(spec.messages[0]?.spec.connectionSpecification.properties.max_retry_seconds.default).toBe(600);
  });
});

describe('9. one incident whose details always fail', () => {
  test('emitted once from its list entry, named in a WARN, kept in details_pending; after healing, the next sync brings its details', async () => {
    sim = await startSimulator({ seed: 1103, incidents: 40, rateLimit: null, goneRatio: 0 });
    const local = sim;
    const target = local.incidentIds()[7] as number;
    local.failDetails(target);
    const config = configFor(local, { max_retry_seconds: 3, request_timeout_seconds: 2 });
    const first = await runConnector('read', { config, catalog: catalogFor() });
    expect(errorTraces(first)).toEqual([]);
    expect(first.code).toBe(0);
    expectEachOnce(first);
    expect(new Set(ids(first))).toEqual(new Set(local.incidentIds()));
    const partial = first.records.filter((r) => r.record.data.incident_id === target);
    expect(partial).toHaveLength(1);
    expect(partial[0]?.record.data.details_unavailable).toEqual(expect.stringMatching(/\S/));
    expect(first.logs.some((l) => l.log.level === 'WARN' && String(l.log.message).includes(String(target)))).toBe(true);
    expect(lastState(first)['details_pending']).toContain(target);

    local.healDetails(target);
    const second = await runConnector('read', { config, catalog: catalogFor(), state: stateFrom(first) });
    expect(second.code).toBe(0);
    expectEachOnce(second);
    const full = second.records.filter((r) => r.record.data.incident_id === target);
    expect(full).toHaveLength(1);
    expect(full[0]?.record.data).toEqual(expectedIncidentRecord(local, target));
    expect(lastState(second)['details_pending'] ?? []).not.toContain(target);
  });
});

describe('10. token expiry in other words', () => {
  const answers: [string, TokenRejection][] = [
    ['401 "Signature has expired."', { status: 401, body: { detail: 'Signature has expired.' } }],
    ['403 "JWT expired"', { status: 403, body: { detail: 'JWT expired' } }],
  ];
  test.each(answers)('%s mid-sync: one token refresh and the sync completes', async (_label, answer) => {
    sim = await startSimulator({ seed: 1104, incidents: 150, rateLimit: null, goneRatio: 0, latencyMs: 3 });
    const local = sim;
    const stop = when(() => local.stats().requests.details >= 30, () => local.expireAllTokens(answer));
    const result = await runConnector('read', { config: configFor(local), catalog: catalogFor() }).finally(stop);
    expect(errorTraces(result)).toEqual([]);
    expect(result.code).toBe(0);
    expectEachOnce(result);
    expect(new Set(ids(result))).toEqual(new Set(local.incidentIds()));
    expect(local.stats().requests.token).toBe(2);
  });
});

describe('11. warnings under backpressure', () => {
  /** Runs `read` with a consumer that does not read stdout at first, then reads it in small sips. */
  function readWithSlowStdout(config: unknown): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const args = [CONNECTOR, 'read', '--config', tempFile('config.json', config), '--catalog', tempFile('catalog.json', catalogFor())];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (stderr += chunk));
      child.stdout.pause();
      setTimeout(() => {
        child.stdout.on('data', (chunk: string) => {
          stdout += chunk;
          child.stdout.pause();
          setTimeout(() => child.stdout.resume(), 10);
        });
        child.stdout.resume();
      }, 1500);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  test('25 incidents with failing details while stdout is read slowly: stderr stays empty', async () => {
    sim = await startSimulator({ seed: 1105, rateLimit: null });
    // 8 large records first fill the pipe (about 240 KB); the 30 failing incidents then warn while it is full.
    const at = (i: number): string => new Date(Date.parse('2025-07-01T00:00:00Z') + i * 1000).toISOString();
    const all = sim.addIncidents(Array.from({ length: 60 }, (_, i) => ({ first_reported_date: at(i), bodyBytes: 30_000 })));
    // Fewer than half of the slice: broken incidents, not an outage (which would fail the sync).
    for (const id of all.slice(8, 33)) sim.failDetails(id);
    const run = await readWithSlowStdout(configFor(sim, { max_retry_seconds: 1, request_timeout_seconds: 2 }));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const messages = run.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    const warnings = messages.filter((m) => m.type === 'LOG' && m.log.level === 'WARN');
    expect(warnings.length).toBeGreaterThanOrEqual(25);
    const emitted = messages.filter((m) => m.type === 'RECORD').map((m) => m.record.data.incident_id as number);
    expect(emitted).toHaveLength(60);
    expect(new Set(emitted)).toEqual(new Set(all));
  });
});
