/**
 * `check` must answer within 30 s whatever the host does. The fail-fast client gives up at once
 * on a host that cannot be reached (refused, DNS), waits a short time for one that hangs, keeps
 * all its calls within one short budget, and names the host and what failed.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { IronscalesClient } from '../../src/ironscales/client.js';
import { describeSocketError } from '../../src/ironscales/http.js';
import { runConnector } from '../helpers/connector.js';
import { clientOptions, failureOf, startLocalServer } from './local-server.js';

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('a refused connection fails at once, naming the host', async () => {
  const port = await closedPort();
  const retries: string[] = [];
  const client = new IronscalesClient(clientOptions(`http://127.0.0.1:${port}`, { failFast: true, maxRetryMs: 600_000 }), { onRetry: (r) => void retries.push(r) });
  const started = performance.now();
  const err = await failureOf(client.authenticate());
  expect(performance.now() - started).toBeLessThan(2000);
  expect(err.failure).toBe('unavailable');
  expect(err.message).toMatch(new RegExp(`IRONSCALES API unavailable at 127\\.0\\.0\\.1:${port} \\(network error: connection refused`));
  expect(err.message).not.toMatch(/after retrying/);
  expect(retries).toEqual([]);
});

test('without fail-fast the same refusal is retried until the budget runs out', async () => {
  const port = await closedPort();
  const retries: string[] = [];
  const client = new IronscalesClient(clientOptions(`http://127.0.0.1:${port}`, { maxRetryMs: 1500 }), { onRetry: (r) => void retries.push(r) });
  const err = await failureOf(client.authenticate());
  expect(err.message).toMatch(/still after retrying/);
  expect(retries.length).toBeGreaterThanOrEqual(2);
});

test('a host that does not answer fails after a short timeout, not the configured one', async () => {
  const silent = await silentServer();
  try {
    const client = new IronscalesClient(clientOptions(`http://127.0.0.1:${silent.port}`, { failFast: true, requestTimeoutMs: 600_000, maxRetryMs: 600_000 }));
    const started = performance.now();
    const err = await failureOf(client.authenticate());
    expect(performance.now() - started).toBeLessThan(12_000);
    expect(err.message).toMatch(/127\.0\.0\.1:\d+ \(network error: no answer within 8 s; POST get-token\)/);
  } finally {
    await silent.close();
  }
}, 20_000);

test('server errors are retried, but every call of a fail-fast client together stays within ~20 s', async () => {
  const server = await startLocalServer(() => ({ status: 503, json: { detail: 'Service unavailable' } }));
  try {
    const client = new IronscalesClient(clientOptions(server.url, { failFast: true, maxRetryMs: 600_000 }));
    const started = performance.now();
    const err = await failureOf(client.authenticate());
    expect(err.failure).toBe('unavailable');
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    // The budget is spent: the next call gives up after one attempt.
    const before = server.requests.length;
    await failureOf(client.listIncidents({ page: 1, itemsPerPage: 1 }));
    expect(server.requests.length - before).toBeLessThanOrEqual(1);
    expect(performance.now() - started).toBeLessThan(25_000);
  } finally {
    await server.close();
  }
}, 40_000);

test.each([
  ['ENOTFOUND', 'dns', /DNS name not found \(ENOTFOUND\)/],
  ['EAI_AGAIN', 'dns', /DNS name not found \(EAI_AGAIN\)/],
  ['ECONNREFUSED', 'refused', /connection refused/],
  ['EHOSTUNREACH', 'timeout', /no answer \(EHOSTUNREACH\)/],
  ['ECONNRESET', 'cut_short', /connection reset/],
  ['EPROTO', 'network', /network error: boom \(EPROTO\)/],
])('socket error %s reads as %s', (code, failure, message) => {
  const err = Object.assign(new Error(code === 'EPROTO' ? 'boom' : `getaddrinfo ${code} x`), { code });
  const described = describeSocketError(err);
  expect(described.failure).toBe(failure);
  expect(described.message).toMatch(message);
});

test('the connector answers check within 30 s against a host that never answers (a transient TRACE)', async () => {
  const silent = await silentServer();
  try {
    const started = performance.now();
    const result = await runConnector('check', {
      config: { host: `http://127.0.0.1:${silent.port}`, company_id: 1, api_key: 'fail-fast-secret-key', request_timeout_seconds: 600, max_retry_seconds: 10800 },
      timeoutMs: 40_000,
    });
    expect(performance.now() - started).toBeLessThan(30_000);
    // Not a configuration problem: a transient TRACE and a non-zero exit, no CONNECTION_STATUS (test/connector/check.test.ts).
    expect(result.code).toBe(1);
    expect(result.messages.find((m) => m.type === 'CONNECTION_STATUS')).toBeUndefined();
    const error = result.traces.find((t) => t.trace.type === 'ERROR')?.trace.error;
    expect(error?.failure_type).toBe('transient_error');
    expect(error?.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${silent.port}.*no answer`));
    expect(result.stdout).not.toContain('fail-fast-secret-key');
  } finally {
    await silent.close();
  }
}, 45_000);
