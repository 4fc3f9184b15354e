/**
 * A command line that does not parse or asks for something impossible: every command
 * (`elava …`, `wal-dump`) answers it with one line on stderr, a pointer to --help, and
 * exit 2. The one class for it, so each entry point catches the same thing.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}
