/**
 * The IRONSCALES JWT as its own object. IRONSCALES documents no token lifetime, so the token is
 * renewed (a) ahead of its `exp` claim when the JWT carries one, read without verifying the
 * signature (only IRONSCALES needs to trust it), and (b) when IRONSCALES refuses it (the send
 * loop asks: see responses.ts). Concurrent callers that hold the same stale token share one
 * renewal, so a burst of refusals costs one token call.
 */

/** Renew this long before `exp`, so a call never leaves with a token that expires on the way. */
const DEFAULT_MARGIN_MS = 60_000;

export class TokenHolder {
  private jwt: string | undefined;
  private renewAtMs: number | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    /** Asks IRONSCALES for a new token. */
    private readonly issue: () => Promise<string>,
    /** IRONSCALES' current time in ms (its clock is the one `exp` is written in). */
    private readonly serverNowMs: () => number,
    private readonly marginMs = DEFAULT_MARGIN_MS,
  ) {}

  /** The token to send now: renewed first when it is missing or about to expire. */
  async current(): Promise<string> {
    if (this.jwt === undefined) return this.refresh(undefined);
    if (this.renewAtMs !== undefined && this.serverNowMs() >= this.renewAtMs) return this.refresh(this.jwt);
    return this.jwt;
  }

  /** A new token unless someone already replaced `stale`; one request for all who saw it. */
  refresh(stale: string | undefined): Promise<string> {
    if (this.jwt !== undefined && this.jwt !== stale) return Promise.resolve(this.jwt);
    this.pending ??= this.issue()
      .then((jwt) => this.adopt(jwt))
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Whether `jwt` is past its `exp` (false when unknown): then a 403 probably means "expired". */
  isExpired(jwt: string): boolean {
    const exp = jwtExpiryMs(jwt);
    return exp !== undefined && this.serverNowMs() >= exp;
  }

  get value(): string | undefined {
    return this.jwt;
  }

  private adopt(jwt: string): string {
    this.jwt = jwt;
    const claims = jwtClaims(jwt);
    this.renewAtMs = undefined;
    if (claims.exp !== undefined) {
      const now = this.serverNowMs();
      // A short-lived token is renewed halfway through its life, not before it was even issued.
      const lifetime = claims.exp - (claims.iat ?? now);
      const renewAt = claims.exp - Math.min(this.marginMs, lifetime / 2);
      // A token that already looks due (clocks apart) is renewed on refusal only, never in a loop.
      if (renewAt > now) this.renewAtMs = renewAt;
    }
    return jwt;
  }
}

interface Claims {
  exp?: number;
  iat?: number;
}

/** `exp` and `iat` in ms, from the JWT's payload; nothing when it is not a readable JWT. */
function jwtClaims(jwt: string): Claims {
  const payload = jwt.split('.')[1];
  if (payload === undefined) return {};
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const seconds = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v * 1000 : undefined);
    return { exp: seconds(parsed.exp), iat: seconds(parsed.iat) };
  } catch {
    return {};
  }
}

export function jwtExpiryMs(jwt: string): number | undefined {
  return jwtClaims(jwt).exp;
}
