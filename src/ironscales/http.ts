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
  /** The server's Date header (whole seconds): what IRONSCALES' clock said when it answered. */
  date: string | undefined;
  text: string;
}

/** What went wrong below HTTP, in terms a user can act on. */
export type TransportFailure = 'dns' | 'refused' | 'timeout' | 'cut_short' | 'network';

/** The exchange did not produce a complete response: refused, reset, cut short or timed out. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly failure: TransportFailure,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

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
      const timer = setTimeout(() => req.destroy(new TransportError(`network error: no answer within ${formatSeconds(timeoutMs)}`, 'timeout')), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err instanceof TransportError ? err : describeSocketError(err));
      };
      const cutShort = () => fail(new TransportError('network error: connection closed before the response was complete', 'cut_short'));
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('aborted', cutShort);
        res.on('end', () => {
          clearTimeout(timer);
          if (!res.complete) return cutShort();
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? '',
            retryAfter: firstOf(res.headers['retry-after']),
            date: res.headers.date,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(body);
    });
  }

  /** Closes idle keep-alive sockets, so a finished process is not held open by them. */
  close(): void {
    this.agent.destroy();
  }
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** Socket errors by what the user should check: the host name, the port, or the network. */
export function describeSocketError(err: Error): TransportError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return new TransportError(`network error: DNS name not found (${code})`, 'dns');
  if (code === 'ECONNREFUSED') return new TransportError('network error: connection refused (ECONNREFUSED)', 'refused');
  if (code === 'ETIMEDOUT' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH') return new TransportError(`network error: no answer (${code})`, 'timeout');
  if (code === 'ECONNRESET' || code === 'EPIPE') return new TransportError(`network error: connection reset (${code})`, 'cut_short');
  return new TransportError(`network error: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`, 'network');
}
