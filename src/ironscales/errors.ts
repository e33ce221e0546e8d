/**
 * What the IRONSCALES client could not do, said in IRONSCALES' terms: what failed and what to
 * check in IRONSCALES. How a platform reacts to each kind (retry later, ask the user) is not
 * decided here; src/failures.ts maps kinds to Airbyte failure types and adds Airbyte's advice.
 */

/**
 * - credentials: the API key or the token it gives is refused;
 * - host: the API host name does not exist (said only by `check`, where a DNS answer is final);
 * - permission: the key works but may not see this company or endpoint;
 * - bad_request: IRONSCALES refused the request's content (scopes, filters);
 * - unavailable: IRONSCALES could not be reached or kept failing (5xx, network) past the budget;
 * - throttled: IRONSCALES' rate limit still refused calls when the budget ran out;
 * - unexpected: an answer the client does not understand.
 */
export type FailureKind = 'credentials' | 'host' | 'permission' | 'bad_request' | 'unavailable' | 'throttled' | 'unexpected';

export class IronscalesApiError extends Error {
  constructor(
    readonly failure: FailureKind,
    /** For the user: what failed and what to check in IRONSCALES. Never a secret. */
    message: string,
    /** For the logs: the raw status and body snippet (never a secret either). */
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IronscalesApiError';
  }
}
