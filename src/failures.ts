/**
 * The one place where an IRONSCALES failure becomes an Airbyte failure type. Its message says what
 * happened and, for a bug, what to do; what Airbyte does next (retry or not) is said once, by the
 * read's deciding error (src/airbyte/read-loop.ts), because only that error decides it. The API
 * client speaks only of IRONSCALES.
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

/** Advice that stays true whatever the job does next: never a promise of a retry. */
const ADVICE: Partial<Record<FailureKind, string>> = {
  unexpected: 'Please report it with the connector logs.',
};

/** Any thrown value as an AirbyteTracedError; one that already is passes through unchanged. */
export function toAirbyteError(err: unknown): AirbyteTracedError {
  if (err instanceof AirbyteTracedError) return err;
  if (err instanceof IronscalesApiError) {
    const advice = ADVICE[err.failure];
    const message = advice ? `${err.message} ${advice}` : err.message;
    return new AirbyteTracedError(message, FAILURE_TYPES[err.failure], err.detail, { cause: err });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new AirbyteTracedError(`The connector failed unexpectedly: ${text}`, 'system_error', err instanceof Error ? err.stack : undefined, { cause: err });
}
