/**
 * One HTTP exchange over node:http/https with keep-alive connections. Chosen over fetch because a
 * sync makes tens of thousands of small calls: plain streams and Buffers cost about half the
 * memory churn and CPU of fetch's web streams, which is most of what the connector does per record.
 * A response counts only if it arrived complete; everything else is a TransportError.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  contentType: string;
  retryAfter: string | undefined;
  text: string;
}

/** The exchange did not produce a complete response: refused, reset, cut short or timed out. */
export class TransportError extends Error {}

export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly module: typeof http | typeof https;

  constructor(baseUrl: string, maxSockets: number) {
    const secure = baseUrl.startsWith('https:');
    this.module = secure ? https : http;
    this.agent = new this.module.Agent({ keepAlive: true, maxSockets });
  }

  request(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const allHeaders = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
      const req = this.module.request(url, { method, headers: allHeaders, agent: this.agent });
      // One deadline for the whole exchange, body included: a server that stalls mid-body is as dead as a silent one.
      const timer = setTimeout(() => req.destroy(new TransportError(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err instanceof TransportError ? err : new TransportError(describe(err)));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('aborted', () => fail(new TransportError('connection closed before the response was complete')));
        res.on('end', () => {
          clearTimeout(timer);
          if (!res.complete) return fail(new TransportError('connection closed before the response was complete'));
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? '',
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(body);
    });
  }
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return `network error: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`;
}
