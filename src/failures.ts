/**
 * The one place where a failure becomes an Airbyte failure type, and where Airbyte's own advice
 * ("Airbyte will retry the sync") is added. The API client speaks only of IRONSCALES.
 */
import { AirbyteTracedError } from './airbyte/errors.js';
import type { FailureType } from './airbyte/protocol.js';
import { IronscalesApiError, type FailureKind } from './ironscales/errors.js';

const FAILURE_TYPES: Record<FailureKind, FailureType> = {
  credentials: 'config_error',
  host: 'config_error',
  permission: 'config_error',
  bad_request: 'config_error',
  unavailable: 'transient_error',
  throttled: 'transient_error',
  unexpected: 'system_error',
};

const ADVICE: Partial<Record<FailureKind, string>> = {
  unavailable: 'Airbyte will retry the sync; nothing is lost, it resumes from the last saved state.',
  throttled: 'Airbyte will retry the sync; nothing is lost, it resumes from the last saved state.',
  unexpected: 'Please report it with the connector logs.',
};

/**
 * Any thrown value as an AirbyteTracedError; one that already is passes through unchanged.
 * `advice: false` leaves out what Airbyte does next (a failed `check` is not retried by Airbyte).
 */
export function toAirbyteError(err: unknown, options: { advice?: boolean } = {}): AirbyteTracedError {
  if (err instanceof AirbyteTracedError) return err;
  if (err instanceof IronscalesApiError) {
    const advice = options.advice === false ? undefined : ADVICE[err.failure];
    const message = advice ? `${err.message} ${advice}` : err.message;
    return new AirbyteTracedError(message, FAILURE_TYPES[err.failure], err.detail, { cause: err });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new AirbyteTracedError(`The connector failed unexpectedly: ${text}`, 'system_error', err instanceof Error ? err.stack : undefined, { cause: err });
}
