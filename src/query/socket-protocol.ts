/**
 * How `elava list|get|...` asks a running daemon, and how the daemon answers: one request
 * per connection, over a Unix socket in the data directory (`daemon-query.sock`, mode 0600;
 * etcdctl's and consul's local-API pattern). Both sides are in this repository: the
 * client is src/cli/query-via-daemon.ts, the server src/daemon/query-socket.ts; where the
 * socket is, socket-path.ts.
 *
 *   client → daemon   one JSON line, at most QUERY_REQUEST_BYTES_MAX:
 *                       {"v":1,"version":"0.1.0","command":"get","argv":["aws/…/i-1","--data-dir","d"],"cwd":"/home/me"}
 *   daemon → client   NDJSON frames, each one JSON object on one line:
 *                       {"accepted":true}   first, before any work: the daemon will answer
 *                       {"out":"…\n"}       stdout text, whole lines
 *                       {"err":"…\n"}       stderr text, whole lines (a write longer than
 *                                           QUERY_FRAME_TEXT_CHARS_MAX is cut at line ends)
 *                       {"exit":N}          the exit code; the last frame
 *                     or only               {"refused":"why"}   the daemon will not answer
 *
 * `argv` is the command line after the data directory is resolved (ELAVA_DATA_DIR added as
 * --data-dir); the daemon answers from its own state whatever directory it names (the
 * socket is that directory's). `version` is the client's elava version: a daemon of another
 * version refuses, so that an answer is always what the client's own code would print.
 * `cwd` is where relative file names in argv (--prices FILE) are read from.
 *
 * Example: `elava get nope` with a daemon running sends
 *   {"v":1,"version":"0.1.0","command":"get","argv":["nope","--data-dir","data"],"cwd":"/home/me"}
 * and gets
 *   {"accepted":true}
 *   {"err":"elava get: no resource with key nope\n"}
 *   {"exit":4}
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { QUERY_FRAME_TEXT_CHARS_MAX, QUERY_REQUEST_ARGS_MAX, QUERY_REQUEST_BYTES_MAX } from '../limits.js';
import { isQueryCommandName, type QueryCommandName } from './command-help.js';

/** Bumped when a request or frame changes shape. */
export const QUERY_SOCKET_PROTOCOL = 1;

export interface QueryRequest {
  v: number;
  version: string;
  command: QueryCommandName;
  argv: string[];
  cwd: string;
}

export type Frame =
  | { accepted: true }
  | { out: string }
  | { err: string }
  | { exit: number }
  | { refused: string };

export function encodeRequest(request: QueryRequest): string {
  const line = `${JSON.stringify(request)}\n`;
  assert.ok(!line.slice(0, -1).includes('\n'), 'JSON has no raw newline');
  return line;
}

/**
 * The request in `line` (without its newline), or why it is refused: the daemon checks
 * everything a client sends, since any process of the socket's owner may connect.
 */
export function parseRequest(line: string, version: string): { request: QueryRequest } | { refused: string } {
  if (Buffer.byteLength(line) > QUERY_REQUEST_BYTES_MAX) return { refused: `request over ${QUERY_REQUEST_BYTES_MAX} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { refused: 'request is not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { refused: 'request is not a JSON object' };
  const r = raw as Record<string, unknown>;
  if (r['v'] !== QUERY_SOCKET_PROTOCOL) return { refused: `protocol ${String(r['v'])}, this daemon speaks ${QUERY_SOCKET_PROTOCOL}` };
  if (r['version'] !== version) return { refused: `elava ${String(r['version'])} asks, this daemon is elava ${version}` };
  const command = r['command'];
  if (typeof command !== 'string' || !isQueryCommandName(command)) return { refused: 'command is not a query command' };
  const argv = r['argv'];
  if (!Array.isArray(argv) || argv.length > QUERY_REQUEST_ARGS_MAX || !argv.every((a) => typeof a === 'string')) {
    return { refused: `argv is not a list of at most ${QUERY_REQUEST_ARGS_MAX} strings` };
  }
  const cwd = r['cwd'];
  if (typeof cwd !== 'string' || !path.isAbsolute(cwd) || cwd.includes('\0')) return { refused: 'cwd is not an absolute path' };
  return { request: { v: QUERY_SOCKET_PROTOCOL, version, command, argv: argv as string[], cwd } };
}

export function encodeFrame(frame: Frame): string {
  return `${JSON.stringify(frame)}\n`;
}

/** The frame in `line` (without its newline), or null when it is not one. */
export function parseFrame(line: string): Frame | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const keys = Object.keys(raw);
  if (keys.length !== 1) return null;
  const r = raw as Record<string, unknown>;
  if (r['accepted'] === true) return { accepted: true };
  if (typeof r['out'] === 'string') return { out: r['out'] };
  if (typeof r['err'] === 'string') return { err: r['err'] };
  if (typeof r['refused'] === 'string') return { refused: r['refused'] };
  const exit = r['exit'];
  if (typeof exit === 'number' && Number.isInteger(exit) && exit >= 0 && exit <= 255) return { exit };
  return null;
}

/**
 * `text` (whole lines) cut at line ends into pieces of at most `maxChars`, so that one frame
 * stays small; a single line longer than that is one piece. Joined, the pieces are `text`.
 */
export function splitAtLines(text: string, maxChars: number = QUERY_FRAME_TEXT_CHARS_MAX): string[] {
  assert.ok(maxChars >= 1);
  if (text.length <= maxChars) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    if (text.length - start <= maxChars) {
      pieces.push(text.slice(start));
      break;
    }
    let cut = text.lastIndexOf('\n', start + maxChars - 1);
    if (cut < start) cut = text.indexOf('\n', start + maxChars); // one line longer than maxChars
    const end = cut < 0 ? text.length : cut + 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
