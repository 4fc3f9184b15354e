/**
 * The daemon's query socket: `DIR/daemon-query.sock`, mode 0600, where the query commands
 * (`elava list|get|...`) ask a running daemon instead of opening the data directory
 * themselves (src/query/socket-protocol.ts has the protocol). Same trust as reading the
 * directory: only the socket's owner (the daemon's user) can connect.
 *
 * Lifetime: listened on once the state is recovered and the daemon is ready (before that
 * there is no socket, or a dead one, and the CLI opens the directory read-only: it gets the
 * state of the log, which is what the recovering daemon is rebuilding); closed, and so
 * removed, at a clean stop. A stale socket of a daemon that died is replaced; a symlink or
 * any other file at that path is never followed nor removed (then there is no socket).
 *
 * Each connection: one request line (QUERY_REQUEST_BYTES_MAX, QUERY_REQUEST_WAIT_MS), then
 * `accepted`, the answer's frames and `exit`. Frames go out with backpressure: a full
 * socket makes the answer wait for 'drain', so a slow reader holds at most the answer it
 * asked for, never copies of it, and the event loop keeps serving cycles and /healthz in
 * between. A client that leaves mid-answer ends that answer (its remaining writes are
 * dropped); nothing else notices. One that takes no bytes for ANSWER_STALL_MS_MAX is
 * dropped (logged), so it cannot hold its answer's records for ever. At most
 * QUERY_CONNECTIONS_MAX connections at once: more are closed unanswered, and their CLIs
 * open the directory themselves.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { ANSWER_STALL_MS_MAX, QUERY_CLOSE_GRACE_MS, QUERY_CONNECTIONS_MAX, QUERY_REQUEST_BYTES_MAX, QUERY_REQUEST_WAIT_MS } from '../limits.js';
import type { QueryIo } from '../query/commands.js';
import { querySocketPath } from '../query/socket-path.js';
import { encodeFrame, parseRequest, splitAtLines, type Frame, type QueryRequest } from '../query/socket-protocol.js';
import { drainedOrClosed } from './drained.js';
import { clearSocketPath, listenOwnerOnly } from './socket-file.js';

export interface QuerySocketOptions {
  dir: string;
  /** This daemon's elava version: requests from another version are refused. */
  version: string;
  /** Runs one query command; its text goes to `io`, it resolves with the exit code. */
  answer(request: QueryRequest, io: QueryIo): Promise<number>;
  logger: Logger;
  /** How long a connected client has to send its request (default QUERY_REQUEST_WAIT_MS). */
  requestWaitMs?: number;
  /** How long a client may take no bytes of its answer before it is dropped (default ANSWER_STALL_MS_MAX). */
  answerStallMs?: number;
}

/** What the socket has done, for /metrics. */
export interface QuerySocketStats {
  /** Answers sent to their end, by command. */
  answered: Map<string, number>;
  /** Requests refused (another version, a malformed request). */
  refused: number;
  /** Answers whose client left before their end. */
  abandoned: number;
}

export interface QuerySocket {
  readonly path: string;
  readonly stats: QuerySocketStats;
  /** Connections open now. */
  readonly connections: number;
  /** Stops listening (the socket file goes), lets answers in flight finish for a while, cuts the rest. */
  close(): Promise<void>;
}

interface Connection {
  readonly answering: boolean;
  readonly closed: Promise<void>;
  destroy(): void;
}

/** Listens; null (with a warning logged) when the socket cannot be made, since queries still work without it. */
export async function startQuerySocket(options: QuerySocketOptions): Promise<QuerySocket | null> {
  const { dir, logger } = options;
  const socketPath = querySocketPath(dir);
  if (socketPath === null) {
    logger.warn({ dataDir: dir }, 'no query socket: the data directory\'s path is too long for a Unix socket; query commands open the directory read-only');
    return null;
  }
  const place = clearSocketPath(socketPath);
  if (!place.ok) {
    logger.warn({ socket: socketPath }, `no query socket: ${place.reason}; query commands open the directory read-only`);
    return null;
  }
  const stats: QuerySocketStats = { answered: new Map(), refused: 0, abandoned: 0 };
  const connections = new Set<Connection>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const c = serveConnection(socket, options, stats);
    connections.add(c);
    void c.closed.then(() => connections.delete(c));
  });
  server.maxConnections = QUERY_CONNECTIONS_MAX;
  try {
    await listenOwnerOnly(server, socketPath);
  } catch (err) {
    logger.warn({ socket: socketPath, err: { code: (err as NodeJS.ErrnoException).code, message: (err as Error).message } }, 'no query socket: listening failed; query commands open the directory read-only');
    return null;
  }
  logger.info({ socket: socketPath, replacedStale: place.removedStale }, 'query socket listening: query commands on this data directory ask this daemon');
  let closing: Promise<void> | null = null;
  return {
    path: socketPath,
    stats,
    get connections() {
      return connections.size;
    },
    close() {
      closing ??= closeServer(server, connections);
      return closing;
    },
  };
}

async function closeServer(server: net.Server, connections: Set<Connection>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve())); // stops accepting; removes the socket file
  for (const c of connections) if (!c.answering) c.destroy();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUERY_CLOSE_GRACE_MS)));
  await Promise.race([Promise.all([...connections].map((c) => c.closed)), grace]);
  clearTimeout(timer);
  for (const c of connections) c.destroy();
  await closed;
}

/** One connection: read the request, answer it, end. Never throws; errors end the connection. */
function serveConnection(socket: net.Socket, options: QuerySocketOptions, stats: QuerySocketStats): Connection {
  let answering = false;
  let gone = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    gone = true;
    resolve();
  }));
  // A client that left (EPIPE, ECONNRESET) is seen as 'close'; the error itself says no more.
  socket.on('error', () => undefined);
  const timer = setTimeout(() => socket.destroy(), options.requestWaitMs ?? QUERY_REQUEST_WAIT_MS);
  void closed.then(() => clearTimeout(timer));
  const chunks: Buffer[] = [];
  let bytes = 0;
  const onData = (data: Buffer): void => {
    const newline = data.indexOf(0x0a);
    const take = newline < 0 ? data : data.subarray(0, newline);
    chunks.push(take);
    bytes += take.length;
    if (bytes > QUERY_REQUEST_BYTES_MAX) {
      socket.off('data', onData);
      socket.resume();
      clearTimeout(timer);
      refuse(socket, { refused: `request over ${QUERY_REQUEST_BYTES_MAX} bytes` }, stats);
      return;
    }
    if (newline < 0) return;
    socket.off('data', onData);
    socket.on('data', () => undefined); // anything after the request is read and dropped, so the end is seen
    clearTimeout(timer);
    answering = true;
    void respond(socket, Buffer.concat(chunks).toString('utf8'), options, stats, () => gone).finally(() => (answering = false));
  };
  socket.on('data', onData);
  return {
    get answering() {
      return answering;
    },
    closed,
    destroy: () => socket.destroy(),
  };
}

async function respond(socket: net.Socket, line: string, options: QuerySocketOptions, stats: QuerySocketStats, isGone: () => boolean): Promise<void> {
  const parsed = parseRequest(line, options.version);
  if ('refused' in parsed) {
    options.logger.warn({ reason: parsed.refused }, 'query socket: request refused (the client opens the directory itself)');
    refuse(socket, parsed, stats);
    return;
  }
  const { request } = parsed;
  const send = (frame: Frame): void => {
    if (!isGone() && !socket.destroyed) socket.write(encodeFrame(frame));
  };
  const text = (kind: 'out' | 'err', s: string): void => {
    for (const piece of splitAtLines(s)) send(kind === 'out' ? { out: piece } : { err: piece });
  };
  const stallMs = options.answerStallMs ?? ANSWER_STALL_MS_MAX;
  const stalled = (): void => options.logger.warn({ command: request.command, stallMs }, 'query socket: the client took no bytes of its answer for too long; dropped');
  const io: QueryIo = { stdout: (s) => text('out', s), stderr: (s) => text('err', s), writable: () => drained(socket, isGone, stallMs, stalled) };
  send({ accepted: true });
  let code: number;
  try {
    code = await options.answer(request, io);
  } catch (err) {
    // A bug in the query code: the CLI would have crashed; the daemon must not.
    options.logger.error({ err, command: request.command }, 'query socket: the query failed unexpectedly');
    text('err', `elava ${request.command}: internal error in the daemon's answer: ${(err as Error)?.message ?? String(err)}\n`);
    code = 1;
  }
  if (isGone() || socket.destroyed) { // left, or dropped (its 'close' may not have come yet)
    stats.abandoned++;
    return;
  }
  send({ exit: code });
  // Ends the answer and closes once it is handed to the kernel: a client that never hangs
  // up does not keep the connection (what it has not read yet stays readable).
  socket.destroySoon();
  stats.answered.set(request.command, (stats.answered.get(request.command) ?? 0) + 1);
}

function refuse(socket: net.Socket, frame: { refused: string }, stats: QuerySocketStats): void {
  stats.refused++;
  if (socket.destroyed) return;
  socket.write(encodeFrame(frame));
  socket.destroySoon();
}

/**
 * Nothing when the socket takes more now; else a promise resolved at 'drain', when the
 * client is gone, or once it took nothing for `stallMs` (dropped: `onStall`).
 */
function drained(socket: net.Socket, isGone: () => boolean, stallMs: number, onStall: () => void): Promise<void> | void {
  if (isGone() || socket.destroyed || !socket.writableNeedDrain) return;
  return drainedOrClosed(socket, stallMs).then((taken) => {
    if (!taken) onStall();
  });
}
