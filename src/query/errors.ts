/**
 * Operating errors of the query layer, and the one table of exit codes the query commands
 * return for them. Callers switch on `code`, never on the message. The table is printed by
 * every query command's --help (commands.ts), so scripts can rely on it.
 */

export type QueryErrorCode =
  /** The key has never been seen (or all its history was compacted away). */
  | 'unknown-key'
  /** A revision (or a time resolving to one) below the compaction point: that history is gone. */
  | 'compacted'
  /** A revision after the newest one in the log. */
  | 'future'
  /** A time before the first revision the log holds. */
  | 'before-first'
  /** A revision or time that does not parse. */
  | 'bad-point'
  /** A filter, field or option value that is not valid. */
  | 'bad-filter'
  /** The data directory holds no log yet (or a log without a single commit). */
  | 'no-data'
  /** The data directory is missing, not a directory, or cannot be read. */
  | 'bad-data-dir'
  /** The log or a checkpoint is damaged (the message names the file and offset). */
  | 'damaged-log';

export class QueryError extends Error {
  override readonly name = 'QueryError';
  readonly code: QueryErrorCode;

  constructor(code: QueryErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export function isQueryError(err: unknown, code?: QueryErrorCode): err is QueryError {
  return err instanceof QueryError && (code === undefined || err.code === code);
}

/** Exit status of a successful query. */
export const QUERY_EXIT_OK = 0;
/** Exit status of a command line that does not parse (unknown option, missing argument). */
export const QUERY_EXIT_USAGE = 2;

/** One distinct exit status per kind of failure; 2 is usage, as for most Unix tools. */
export const QUERY_EXIT_CODES: Readonly<Record<QueryErrorCode, number>> = {
  'bad-data-dir': 1,
  'bad-point': QUERY_EXIT_USAGE,
  'bad-filter': QUERY_EXIT_USAGE,
  'damaged-log': 3,
  'unknown-key': 4,
  compacted: 5,
  future: 6,
  'before-first': 7,
  'no-data': 8,
};

/** The exit code table as --help prints it. */
export function exitCodeHelp(): string {
  const lines = [
    '  0  success',
    '  1  data directory missing or unreadable; unexpected error',
    '  2  usage: unknown option, missing argument, bad revision/time, bad filter',
    '  3  damaged log or checkpoint',
    '  4  unknown resource key',
    '  5  revision or time below the compaction point (history compacted away)',
    '  6  revision after the newest one in the log',
    '  7  time before the first revision in the log',
    '  8  the data directory holds no log yet',
  ];
  return lines.join('\n');
}
