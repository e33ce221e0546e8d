/**
 * Tokens: `get-token` request validation, JWT-looking tokens stamped with the simulator's clock,
 * and the authentication of every other endpoint (scheme, validity, expiry, company, scope).
 * How an expired token is answered is configurable, because IRONSCALES' exact wording is unknown.
 */
import type http from 'node:http';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { SimClock } from './clock.js';
import { badRequest, contentTypeOf, json, parseJsonObject, type SimResponse } from './responses.js';
import type { TokenRejection } from './types.js';

export const JWT_EXPIRED: TokenRejection = { status: 403, body: { detail: 'JWT expired' } };

const READ_SCOPES = new Set(['company.all', 'company.view', 'partner.all', 'partner.company.view']);
const KNOWN_SCOPES = new Set([
  'company.all', 'company.view', 'company.classify', 'company.edit',
  'partner.all', 'partner.company.view', 'partner.company.classify', 'partner.company.edit', 'partner.company.create',
]);

interface TokenInfo {
  companyId: number;
  scopes: string[];
  expiresAtMs: number;
  /** Set by expireAllTokens: the answer this token now gets. */
  revokedWith: TokenRejection | null;
}

export function checkRejection(answer: TokenRejection): TokenRejection {
  if (answer.status !== 401 && answer.status !== 403) throw new RangeError('an expired-token answer must have status 401 or 403');
  if (answer.body === null || typeof answer.body !== 'object') throw new RangeError('an expired-token answer needs a JSON object body');
  return { status: answer.status, body: structuredClone(answer.body) };
}

function rejection(answer: TokenRejection): SimResponse {
  // DRF only sends 401 with a WWW-Authenticate challenge (otherwise it turns it into a 403).
  return json(answer.status, answer.body, answer.status === 401 ? { 'WWW-Authenticate': 'JWT realm="api"' } : undefined);
}

export class TokenAuthority {
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly clock: SimClock,
    private readonly ttlMs: number,
    private readonly expiredAnswer: TokenRejection,
  ) {}

  /** The scopes a valid get-token body asks for, or the error IRONSCALES/DRF would answer. */
  readRequest(req: http.IncomingMessage, body: string, apiKey: string): { scopes: string[] } | { error: SimResponse } {
    let data: Record<string, unknown>;
    if (contentTypeOf(req) === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(body);
      data = { key: form.get('key') ?? undefined, scopes: form.has('scopes') ? form.getAll('scopes') : undefined };
    } else {
      const parsed = parseJsonObject(req, body);
      if ('error' in parsed) return parsed;
      data = parsed.data;
    }
    const scopes = data['scopes'];
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string' && s !== '')) {
      return { error: badRequest('Missing scope list under "scopes"') };
    }
    const key = data['key'];
    if (typeof key !== 'string' || key === '') return { error: json(400, { key: ['This field is required.'] }) };
    if (key !== apiKey) return { error: json(403, { error_message: 'No company found for API key' }) };
    if (!scopes.every((s: string) => KNOWN_SCOPES.has(s))) {
      return { error: json(403, { error_message: 'Company does not have permission for requested scopes' }) };
    }
    return { scopes: scopes as string[] };
  }

  issue(companyId: number, scopes: string[]): string {
    const nowMs = this.clock.nowMs();
    const expiresAtMs = nowMs + this.ttlMs;
    const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
      token_type: 'access', company_id: companyId, scopes,
      iat: Math.floor(nowMs / 1000), exp: Math.floor(expiresAtMs / 1000), jti: randomUUID(),
    })}`;
    const token = `${unsigned}.${createHmac('sha256', this.secret).update(unsigned).digest('base64url')}`;
    this.tokens.set(token, { companyId, scopes, expiresAtMs, revokedWith: null });
    return token;
  }

  expireAll(answer: TokenRejection): void {
    const checked = checkRejection(answer);
    for (const info of this.tokens.values()) info.revokedWith = checked;
  }

  issued(): string[] {
    return [...this.tokens.keys()];
  }

  /** Auth, company permission and scope check (DRF order); the company id to throttle, or the answer. */
  authenticate(req: http.IncomingMessage, pathCompanyId: number): { companyId: number } | { error: SimResponse } {
    const header = req.headers.authorization;
    const m = header === undefined ? null : /^(?:Bearer|JWT)\s+(\S+)\s*$/i.exec(header);
    if (!m || m[1] === undefined) return { error: json(403, { detail: 'Missing JWT' }) };
    const info = this.tokens.get(m[1]);
    if (!info) return { error: json(403, { detail: 'Invalid JWT' }) };
    if (info.revokedWith) return { error: rejection(info.revokedWith) };
    if (this.clock.nowMs() >= info.expiresAtMs) return { error: rejection(this.expiredAnswer) };
    if (info.companyId !== pathCompanyId) {
      return { error: json(403, { message: `You do not have permission for company ${pathCompanyId}` }) };
    }
    if (!info.scopes.some((s) => READ_SCOPES.has(s))) {
      return { error: json(403, { detail: 'You do not have permission to perform this action.' }) };
    }
    return { companyId: info.companyId };
  }
}
