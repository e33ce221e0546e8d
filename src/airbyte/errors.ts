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

/**
 * What the platform does after a sync fails with this type: ConnectionManagerWorkflowImpl.reportFailure
 * retries anything but CONFIG_ERROR, within its retry limits. Said once, by the error that decides.
 */
export const WHAT_AIRBYTE_DOES: Record<FailureType, string> = {
  transient_error: 'Airbyte retries the sync (up to its retry limit); incremental streams continue from their last saved state.',
  system_error: 'Airbyte retries the sync (up to its retry limit); if it keeps failing, please report it with the connector logs.',
  config_error: 'Airbyte does not retry it: fix what is named above, then sync again.',
};
