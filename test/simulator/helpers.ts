/** Small HTTP helpers shared by the simulator contract tests (real HTTP via global fetch). */
import type { Simulator } from '../../simulator/index.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: any;
}

export async function http(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export function postToken(sim: Simulator, payload: unknown, contentType = 'application/json'): Promise<HttpResult> {
  return http(`${sim.url}/appapi/get-token/`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

export async function getToken(sim: Simulator, scopes: string[] = ['company.all']): Promise<string> {
  const res = await postToken(sim, { key: sim.apiKey, scopes });
  if (res.status !== 200 || typeof res.body?.jwt !== 'string') throw new Error(`get-token failed: ${res.status} ${res.text}`);
  return res.body.jwt as string;
}

export function api(sim: Simulator, jwt: string | null, path: string, scheme = 'Bearer'): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (jwt !== null) headers['Authorization'] = `${scheme} ${jwt}`;
  return http(`${sim.url}/appapi${path}`, { headers });
}

export function listPath(sim: Simulator, params: Record<string, string | number | string[]> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.append(key, String(value));
  }
  const qs = search.toString();
  return `/incident/${sim.companyId}/list/${qs ? `?${qs}` : ''}`;
}

/** Every list item over all pages. */
export async function listAll(sim: Simulator, jwt: string, params: Record<string, string | number | string[]> = {}): Promise<any[]> {
  const items: unknown[] = [];
  for (let page = 1; ; page++) {
    const res = await api(sim, jwt, listPath(sim, { ...params, page }));
    if (res.status !== 200) throw new Error(`list page ${page}: ${res.status} ${res.text}`);
    items.push(...(res.body.incidents as unknown[]));
    if (page >= res.body.total_pages) return items as any[];
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `2025-10-27T07:16:07.368189Z` (or without fraction) → epoch microseconds. */
export function toUs(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`not a UTC timestamp: ${iso}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}
