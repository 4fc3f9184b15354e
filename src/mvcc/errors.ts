/**
 * Operating errors of the key index. Callers switch on `code`, never on the message.
 * Programmer errors (a put that does not move the revision forward, a malformed revision)
 * are assertions instead and crash.
 */

export type MvccErrorCode =
  /** A read or compaction below the compacted revision: that history is gone. */
  | 'MVCC_COMPACTED'
  /** A read or compaction above the newest revision the index has seen. */
  | 'MVCC_FUTURE_REV'
  /** The key has never been indexed (or its whole history was compacted away). */
  | 'MVCC_KEY_NOT_FOUND'
  /** A tombstone for a key that has no live generation (never put, or already deleted). */
  | 'MVCC_TOMBSTONE_ON_EMPTY'
  /** A restored snapshot of the index is not well-formed. */
  | 'MVCC_BAD_SNAPSHOT';

export interface MvccErrorDetails {
  key?: string;
  /** The revision main the failed operation asked for. */
  main?: number;
  /** The compacted revision main at the time of the error. */
  compactedMain?: number;
  /** The newest revision main at the time of the error. */
  currentMain?: number;
}

export class MvccError extends Error {
  override readonly name = 'MvccError';
  readonly code: MvccErrorCode;
  readonly key: string | undefined;
  readonly main: number | undefined;
  readonly compactedMain: number | undefined;
  readonly currentMain: number | undefined;

  constructor(code: MvccErrorCode, message: string, details: MvccErrorDetails = {}) {
    super(message);
    this.code = code;
    this.key = details.key;
    this.main = details.main;
    this.compactedMain = details.compactedMain;
    this.currentMain = details.currentMain;
  }
}

export function isMvccError(err: unknown, code?: MvccErrorCode): err is MvccError {
  return err instanceof MvccError && (code === undefined || err.code === code);
}
