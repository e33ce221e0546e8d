/** Response values and the small helpers every route shares (DRF-style bodies, request bodies). */
import http from 'node:http';

export interface SimResponse {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json';
export const HTML_TYPE = 'text/html; charset=utf-8';
const MAX_BODY_BYTES = 1_000_000;

export function json(status: number, value: unknown, headers?: Record<string, string>): SimResponse {
  return { status, body: JSON.stringify(value), contentType: JSON_TYPE, ...(headers ? { headers } : {}) };
}

export function html(status: number, title: string): SimResponse {
  return { status, body: `<html><body><h1>${title}</h1></body></html>`, contentType: HTML_TYPE };
}

/** An HTML error page titled like nginx/Django ones: `502 Bad Gateway`. */
export function htmlStatus(status: number): SimResponse {
  return html(status, `${status} ${http.STATUS_CODES[status] ?? 'Server Error'}`);
}

export function badRequest(message: string): SimResponse {
  return json(400, { error_message: message });
}

export function methodNotAllowed(method: string): SimResponse {
  return json(405, { detail: `Method "${method}" not allowed.` });
}

/** DRF's paginator answer for a page that does not exist. */
export function invalidPage(): SimResponse {
  return json(404, { detail: 'Invalid page.' });
}

/** DRF's Throttled text (singular for 1 second, as DRF's ngettext does), with or without its Retry-After header. */
export function throttledResponse(seconds: number, retryAfterHeader = true): SimResponse {
  const unit = seconds === 1 ? 'second' : 'seconds';
  return json(429, { detail: `Request was throttled. Expected available in ${seconds} ${unit}.` }, retryAfterHeader ? { 'Retry-After': String(seconds) } : undefined);
}

/** What a gateway in front of the API answers: an HTML page, an empty body, or a DRF-style JSON body. */
export function errorPage(status: number, body: 'html' | 'empty' | 'json'): SimResponse {
  if (body === 'html') return htmlStatus(status);
  if (body === 'json') return json(status, { detail: status === 404 ? 'Not found.' : (http.STATUS_CODES[status] ?? 'Error') });
  return { status, body: '', contentType: HTML_TYPE };
}

/** The whole request body as text; null when it is too large or the client went away. */
export function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: string | null): void => {
      if (!done) {
        done = true;
        resolve(value);
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) finish(null);
      else if (!done) chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => finish(null));
    req.on('close', () => finish(null));
  });
}

/**
 * A DRF JSON parser: the body as an object, or the 400/415 DRF would answer. An empty content type
 * is read as JSON (requests without one are common and DRF's default parser accepts them).
 */
export function parseJsonObject(req: http.IncomingMessage, body: string): { data: Record<string, unknown> } | { error: SimResponse } {
  const contentType = contentTypeOf(req);
  if (!(contentType === '' || contentType === JSON_TYPE || contentType.endsWith('+json'))) {
    return { error: json(415, { detail: `Unsupported media type "${contentType}" in request.` }) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { error: json(400, { detail: 'JSON parse error - Expecting value: line 1 column 1 (char 0)' }) };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const got = Array.isArray(parsed) ? 'list' : typeof parsed;
    return { error: json(400, { non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] }) };
  }
  return { data: parsed as Record<string, unknown> };
}

export function contentTypeOf(req: http.IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A query parameter as an integer in [min, max]; `fallback` when absent; a 400 otherwise. */
export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number | SimResponse {
  const raw = params.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) return badRequest(`Invalid value for ${name}`);
  const value = Number(raw);
  if (value < min || value > max) return badRequest(`Invalid value for ${name}`);
  return value;
}
