/**
 * Operating errors of fan-in, typed by code (never matched by message text):
 *
 *   FANIN_CONFIG         bad options (exit 2 at the CLI)
 *   FANIN_CONNECT        the NATS server could not be reached or refused us
 *   FANIN_STREAM         the stream is missing, or not one Elava can use
 *   FANIN_BAD_MESSAGE    a message on the stream is not an Elava fan-in event
 *   FANIN_TOO_LARGE      an event or a source commit is over a limit (named in the message)
 *   FANIN_STATE          the cursor or source-id file in the data directory is unusable
 *   FANIN_LOG            the local log could not be read or appended to
 */
export type FaninErrorCode =
  | 'FANIN_CONFIG' | 'FANIN_CONNECT' | 'FANIN_STREAM' | 'FANIN_BAD_MESSAGE' | 'FANIN_TOO_LARGE'
  | 'FANIN_STATE' | 'FANIN_LOG';

export class FaninError extends Error {
  readonly code: FaninErrorCode;

  constructor(code: FaninErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'FaninError';
    this.code = code;
  }
}

export function isFaninError(err: unknown, code?: FaninErrorCode): err is FaninError {
  return err instanceof FaninError && (code === undefined || err.code === code);
}
