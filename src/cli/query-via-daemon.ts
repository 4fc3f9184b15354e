/**
 * The query commands' side of the daemon's socket (src/query/socket-protocol.ts): ask the
 * daemon running on the data directory, and print its answer as it streams in. The
 * answer is the daemon's live state through the same query code, so the bytes and the
 * exit code are those the read-only open would give, without replaying the log.
 *
 * Fallback: the result is null, and the caller opens the directory read-only as without
 * a daemon, when
 *   - --help or a command line that does not parse (answered locally, as always), or
 *     --no-daemon, or ELAVA_NO_DAEMON set (not "" or "0");
 *   - the socket path is too long for a Unix socket (querySocketPath), or nothing is
 *     there (ENOENT), or what is there is not a socket (a symlink is never followed);
 *   - connecting fails: ECONNREFUSED (the stale socket of a daemon that died), EACCES
 *     (another user's daemon), EAGAIN (its backlog is full), ...;
 *   - the daemon refuses (another elava version), or does not accept within
 *     QUERY_ACCEPT_WAIT_MS, or hangs up (busy, stopping) before any output.
 * Nothing has been printed in any of these, so the read-only answer is the only one.
 * Once output has been printed, a broken answer is not retried, which would print it
 * twice: one line on stderr says the output is incomplete, and the exit code is 1.
 */
import fs from 'node:fs';
import net from 'node:net';
import { QUERY_ACCEPT_WAIT_MS, QUERY_FRAME_BYTES_MAX } from '../limits.js';
import { parseCommandArgs } from '../query/command-args.js';
import type { QueryCommandName } from '../query/command-help.js';
import type { QueryIo } from '../query/commands.js';
import { querySocketPath } from '../query/socket-path.js';
import { encodeRequest, parseFrame, QUERY_SOCKET_PROTOCOL, type Frame } from '../query/socket-protocol.js';
import { elavaVersion } from '../version.js';
import { EXIT_FAILURE } from './io.js';

export interface AskOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Sent as the client's version (default this build's); tests pass others. */
  version?: string;
  acceptWaitMs?: number;
}

/** The exit code of the daemon's answer, printed to `io`; null: no daemon answered, nothing printed. */
export async function queryViaDaemon(name: QueryCommandName, argv: readonly string[], io: QueryIo, options: AskOptions): Promise<number | null> {
  const noDaemon = options.env['ELAVA_NO_DAEMON'];
  if (noDaemon !== undefined && noDaemon !== '' && noDaemon !== '0') return null;
  let dataDir: string;
  try {
    const args = parseCommandArgs(name, argv);
    if (args.help || args.noDaemon) return null;
    dataDir = args.dataDir;
  } catch {
    return null; // the usage error is the read-only path's to print
  }
  const socketPath = querySocketPath(dataDir);
  if (socketPath === null || !isSocket(socketPath)) return null;
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    return null; // the working directory was removed: relative names mean nothing to send
  }
  const request = encodeRequest({ v: QUERY_SOCKET_PROTOCOL, version: options.version ?? elavaVersion(), command: name, argv: [...argv], cwd });
  return ask(socketPath, request, name, io, options.acceptWaitMs ?? QUERY_ACCEPT_WAIT_MS);
}

function isSocket(socketPath: string): boolean {
  try {
    return fs.lstatSync(socketPath).isSocket();
  } catch {
    return false;
  }
}

/** One request, its answer streamed to `io`. Never rejects. */
function ask(socketPath: string, request: string, name: QueryCommandName, io: QueryIo, acceptWaitMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    let accepted = false;
    let printed = false;
    let settled = false;
    let pending = '';
    const socket = net.createConnection(socketPath);
    const settle = (result: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const broken = (why: string): void => {
      if (settled) return;
      if (!printed) return settle(null);
      io.stderr(`elava ${name}: the daemon's answer broke off (${why}); the output above is incomplete (run again, or with --no-daemon)\n`);
      settle(EXIT_FAILURE);
    };
    const timer = setTimeout(() => settle(null), acceptWaitMs);
    const onFrame = (frame: Frame | null): void => {
      if (frame === null) return broken('a malformed frame');
      if ('refused' in frame) return accepted ? broken('a refusal after accepting') : settle(null);
      if ('accepted' in frame) {
        accepted = true;
        clearTimeout(timer);
        return;
      }
      if (!accepted) return broken('an answer before accepting');
      if ('exit' in frame) return settle(frame.exit);
      printed = true;
      if ('out' in frame) io.stdout(frame.out);
      else io.stderr(frame.err);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: string) => {
      let start = pending.length;
      pending += chunk;
      let newline = pending.indexOf('\n', start);
      start = 0;
      while (newline >= 0 && !settled) {
        onFrame(parseFrame(pending.slice(start, newline)));
        start = newline + 1;
        newline = pending.indexOf('\n', start);
      }
      pending = pending.slice(start);
      if (!settled && pending.length > QUERY_FRAME_BYTES_MAX) broken(`a frame over ${QUERY_FRAME_BYTES_MAX} bytes`);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => broken(err.code ?? err.message));
    socket.on('close', () => broken('the daemon closed the connection'));
  });
}
