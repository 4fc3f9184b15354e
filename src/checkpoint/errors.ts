/**
 * Operating errors of checkpoints, recovery and compaction. Callers switch on `code`.
 * Errors about a file name it and, where it applies, the byte offset.
 */

export type SnapshotErrorCode =
  /** Wrong magic, unknown format version, or a header whose own CRC fails. */
  | 'SNAPSHOT_BAD_HEADER'
  /** The body's CRC does not match (a torn or rotted file). */
  | 'SNAPSHOT_CRC_MISMATCH'
  /** The file is shorter or longer than its header says. */
  | 'SNAPSHOT_BAD_LENGTH'
  /** The body decodes but is not a well-formed checkpoint. */
  | 'SNAPSHOT_BAD_BODY'
  /** The log's oldest segments were deleted by compaction and no usable base remains. */
  | 'SNAPSHOT_NO_BASE'
  /** A compaction asked for something the log cannot do (e.g. a revision not yet written). */
  | 'SNAPSHOT_BAD_COMPACTION'
  /** A failing system call. */
  | 'SNAPSHOT_IO';

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  readonly code: SnapshotErrorCode;
  readonly file: string | null;
  readonly offsetBytes: number | null;

  constructor(code: SnapshotErrorCode, message: string, where: { file?: string; offsetBytes?: number; cause?: unknown } = {}) {
    const at = where.file ? ` (${where.file}${where.offsetBytes != null ? ` at byte ${where.offsetBytes}` : ''})` : '';
    super(`${message}${at}`, where.cause !== undefined ? { cause: where.cause } : undefined);
    this.code = code;
    this.file = where.file ?? null;
    this.offsetBytes = where.offsetBytes ?? null;
  }
}

export function isSnapshotError(err: unknown, code?: SnapshotErrorCode): err is SnapshotError {
  return err instanceof SnapshotError && (code === undefined || err.code === code);
}
