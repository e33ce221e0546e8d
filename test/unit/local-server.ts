/**
 * A tiny scripted HTTP server on 127.0.0.1 for client unit tests: each request goes to a handler
 * that answers with a status, a JSON body and headers, or hangs, or drops the connection. Every
 * request is recorded (method, path with query, headers, body) so tests can assert what was sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from '@jest/globals';
import { IronscalesApiError } from '../../src/ironscales/errors.js';

export interface SeenRequest {
  method: string;
  /** Path including the query string. */
  path: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Answer =
  | { status: number; json?: unknown; text?: string; contentType?: string; headers?: Record<string, string> }
  | 'hang'
  | 'reset';

export interface LocalServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startLocalServer(handler: (req: SeenRequest, index: number) => Answer | Promise<Answer>): Promise<LocalServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const answer = await handler(seen, requests.length - 1);
      if (answer === 'hang') return;
      if (answer === 'reset') return void req.socket.destroy();
      const body = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
      res.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'application/json', ...answer.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An unsigned JWT with the given claims: the client only reads the payload. */
export function fakeJwt(claims: Record<string, unknown>, tag = ''): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, tag })}.c2ln`;
}

/** Default client options for a local server (fast: short budgets, no real rate limit). */
export function clientOptions(url: string, extra: Record<string, unknown> = {}) {
  return { baseUrl: url, companyId: 77, apiKey: 'unit-test-key', scopes: ['company.all'], requestsPerMinute: 600_000, requestTimeoutMs: 5_000, maxRetryMs: 3_000, ...extra };
}

/** The IronscalesApiError a call ends with (the test fails if it resolves or throws anything else). */
export async function failureOf(promise: Promise<unknown>): Promise<IronscalesApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IronscalesApiError);
  return err as IronscalesApiError;
}
