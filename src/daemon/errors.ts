/**
 * Operating errors of the daemon and its configuration. Callers switch on `code`, never on
 * the message; the message is one line a person can act on, and names the config key (or
 * file, or address) concerned. `exitCode` is what the `elava` command exits with.
 */

export type DaemonErrorCode =
  /** A config value is missing, of the wrong type, out of range or inconsistent (exit 2). */
  | 'CONFIG_INVALID'
  /** The config file cannot be read or parsed (exit 2). */
  | 'CONFIG_UNREADABLE'
  /** The data directory does not exist, is not a directory, or cannot be used (exit 1). */
  | 'DATA_DIR'
  /** Another process holds the data directory's writer lock (exit 1). */
  | 'DATA_DIR_LOCKED'
  /** The HTTP address is in use or cannot be bound (exit 1). */
  | 'HTTP_LISTEN'
  /** The log refused an append (fenced after a failed fdatasync, or out of space): fail-stop (exit 1). */
  | 'LOG_APPEND_FAILED'
  /** The log or a checkpoint could not be read back at start (exit 1). */
  | 'RECOVERY_FAILED'
  /** The log's bytes are damaged (not a torn tail): nothing was changed; `elava repair` (exit 3). */
  | 'LOG_DAMAGED';

const EXIT_CODES: Readonly<Record<DaemonErrorCode, number>> = {
  CONFIG_INVALID: 2,
  CONFIG_UNREADABLE: 2,
  DATA_DIR: 1,
  DATA_DIR_LOCKED: 1,
  HTTP_LISTEN: 1,
  LOG_APPEND_FAILED: 1,
  RECOVERY_FAILED: 1,
  LOG_DAMAGED: 3,
};

export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  readonly code: DaemonErrorCode;
  /** The config key concerned (dotted, e.g. `http.listen`), when there is one. */
  readonly key: string | null;

  constructor(code: DaemonErrorCode, message: string, options: { key?: string; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.key = options.key ?? null;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isDaemonError(err: unknown, code?: DaemonErrorCode): err is DaemonError {
  return err instanceof DaemonError && (code === undefined || err.code === code);
}
