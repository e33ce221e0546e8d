/**
 * Errors that know how Airbyte should treat them. The failure type decides what the platform
 * does next: config_error stops retries (the user must act), transient_error is retried later,
 * system_error means a bug or an unexpected answer.
 */
import type { FailureType } from './protocol.js';

export class AirbyteTracedError extends Error {
  constructor(
    /** Shown to the user in the Airbyte UI: say what happened and what to do. */
    message: string,
    readonly failureType: FailureType,
    /** Technical detail for the logs (never a secret). */
    readonly internalMessage?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AirbyteTracedError';
  }

  /** Already emitted as a TRACE ERROR (with its stream): the runner must not repeat it. */
  reported = false;
}

export function configError(message: string, internalMessage?: string): AirbyteTracedError {
  return new AirbyteTracedError(message, 'config_error', internalMessage);
}

export function transientError(message: string, internalMessage?: string, cause?: unknown): AirbyteTracedError {
  return new AirbyteTracedError(message, 'transient_error', internalMessage, { cause });
}
