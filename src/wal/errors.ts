/**
 * Operating errors of the log. Callers switch on `code`, never on the message.
 * Every error that concerns bytes on disk names the segment file and byte offset.
 */

export type WalErrorCode =
  | 'WAL_NOT_FOUND' // the directory does not exist (and creation was not asked for)
  | 'WAL_LOCKED' // another live process holds the directory's writer lock
  | 'WAL_BAD_NAME' // a file that looks like a segment has a malformed name
  | 'WAL_BAD_HEADER' // wrong magic, unknown version or header CRC mismatch
  | 'WAL_SEQUENCE_GAP' // segment sequence numbers are not contiguous (a missing segment)
  | 'WAL_CHAIN_BROKEN' // a segment's carried CRC does not match the end of the previous one
  | 'WAL_CRC_MISMATCH' // a record's CRC does not match its bytes
  | 'WAL_BAD_RECORD' // a length below the minimum, an unknown type, or a malformed commit
  | 'WAL_RECORD_TOO_LARGE' // a length word over RECORD_SIZE_BYTES_MAX
  | 'WAL_RECORD_PAST_END' // a length word pointing past the end of the file
  | 'WAL_BAD_PAYLOAD' // a record whose payload does not decode
  | 'WAL_COMMIT_TOO_LARGE' // an append over COMMIT_SIZE_BYTES_MAX or COMMIT_EVENTS_MAX
  | 'WAL_KEY_TOO_LARGE' // an append whose event key is over EVENT_KEY_BYTES_MAX bytes
  | 'WAL_QUEUE_FULL' // too many appends waiting
  | 'WAL_NO_SPACE' // ENOSPC while writing or preparing a segment
  | 'WAL_IO' // any other failing system call
  | 'WAL_NOT_REGULAR_FILE' // a FIFO, device or directory where a file of the log (or config) must be
  | 'WAL_FILE_TOO_LARGE' // a file over the size its reader accepts
  | 'WAL_FENCED' // an earlier write or fdatasync failed: this writer acknowledges nothing more
  | 'WAL_CLOSED'; // append after close

export class WalError extends Error {
  readonly code: WalErrorCode;
  readonly segment: string | null;
  readonly offsetBytes: number | null;

  constructor(
    code: WalErrorCode,
    message: string,
    where: { segment?: string | null; offsetBytes?: number | null; cause?: unknown } = {},
  ) {
    const at = where.segment
      ? ` (${where.segment}${where.offsetBytes != null ? ` at byte ${where.offsetBytes}` : ''})`
      : '';
    super(`${message}${at}`, where.cause !== undefined ? { cause: where.cause } : undefined);
    this.name = 'WalError';
    this.code = code;
    this.segment = where.segment ?? null;
    this.offsetBytes = where.offsetBytes ?? null;
  }
}

/** Codes that mean the bytes on disk are damaged (exit 3); every other code is operating. */
const DAMAGE_CODES: ReadonlySet<WalErrorCode> = new Set<WalErrorCode>([
  'WAL_BAD_NAME', 'WAL_BAD_HEADER', 'WAL_SEQUENCE_GAP', 'WAL_CHAIN_BROKEN', 'WAL_CRC_MISMATCH',
  'WAL_BAD_RECORD', 'WAL_RECORD_TOO_LARGE', 'WAL_RECORD_PAST_END', 'WAL_BAD_PAYLOAD',
]);

export function isDamageCode(code: WalErrorCode): boolean {
  return DAMAGE_CODES.has(code);
}

export function isWalError(err: unknown, code?: WalErrorCode): err is WalError {
  return err instanceof WalError && (code === undefined || err.code === code);
}

/** The errno code of a failed system call, if any (ENOSPC, EIO, ...). */
export function errnoCode(err: unknown): string | null {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return null;
}
