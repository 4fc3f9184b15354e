/**
 * The reasons a scope can fail, as stable codes (they label metrics and appear in
 * `scope-scanned` events). Classification looks at error names, codes and HTTP statuses
 * that the SDKs set, never at message text.
 */
import type { ScopeError } from '../model/events.js';

export type ScopeErrorCode =
  /** Rate limited, and the configured retries ran out. */
  | 'throttled'
  /** Credentials rejected or not allowed to list (also: region not enabled). */
  | 'access-denied'
  /** The provider answered with a 5xx (after retries). */
  | 'server-error'
  /** A response came back but could not be parsed. */
  | 'malformed-response'
  /** The endpoint (or a GCP zone) could not be reached. */
  | 'unreachable'
  /** The scan was cancelled through its AbortSignal. */
  | 'aborted'
  /** The credentials belong to another account than the one configured (STS GetCallerIdentity). */
  | 'wrong-account'
  | 'other';

export const SCOPE_ERROR_CODES: readonly ScopeErrorCode[] = [
  'throttled',
  'access-denied',
  'server-error',
  'malformed-response',
  'unreachable',
  'aborted',
  'wrong-account',
  'other',
];

/** An operating error of one scope's listing. */
export class ScanError extends Error {
  readonly code: ScopeErrorCode;

  constructor(code: ScopeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScanError';
    this.code = code;
  }

  toScopeError(): ScopeError {
    return { code: this.code, message: this.message };
  }
}

/**
 * What a listing ends with once its signal fired: the typed reason it was aborted with (a
 * listing deadline is `unreachable`), or `aborted` for a plain abort (shutdown).
 */
export function abortError(signal: AbortSignal): ScanError {
  const reason: unknown = signal.reason;
  if (reason instanceof ScanError) return reason;
  return new ScanError('aborted', 'scan aborted', { cause: reason });
}

/** Throws `abortError(signal)` once the signal fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal);
}

/** A one-line description of any thrown value, for the `message` of a ScopeError. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const firstLine = err.message.split('\n', 1)[0] ?? '';
    return `${err.name}: ${firstLine}`.slice(0, 500);
  }
  return String(err).slice(0, 500);
}

/** Node's network error codes that mean "could not talk to the endpoint". */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** True when `err` (or its cause chain, up to a few levels) carries a network error code. */
export function isNetworkError(err: unknown): boolean {
  let cursor: unknown = err;
  for (let depth = 0; depth < 4 && typeof cursor === 'object' && cursor !== null; depth++) {
    const code = (cursor as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
    cursor = (cursor as { cause?: unknown }).cause;
  }
  return false;
}
