/**
 * What a command needs from the process: lines out and err, the environment. Commands
 * return their exit code; only elava.ts calls process.exit.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

export const EXIT_OK = 0;
/** An operating error: the data directory, the log, the network. */
export const EXIT_FAILURE = 1;
/** Bad usage or configuration. */
export const EXIT_USAGE = 2;
/** `elava daemon --once`: the cycle committed, but some of its scopes failed. */
export const EXIT_SOME_SCOPES_FAILED = 10;
/** `elava daemon --once`: the cycle committed, and every one of its scopes failed. */
export const EXIT_ALL_SCOPES_FAILED = 11;

/**
 * A reader that stops early (`elava list | head`) closes the pipe: that ends the output,
 * quietly and successfully, instead of an unhandled EPIPE with a stack trace.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_OK);
    throw err;
  });
}

export function processIo(): CliIo {
  endQuietlyOnClosedPipe(process.stdout);
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
  };
}
