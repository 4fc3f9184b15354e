/**
 * Where a data directory's query socket is: `DIR/daemon-query.sock`, the daemon's to listen
 * on (src/daemon/query-socket.ts), the query commands' to ask (src/cli/query-via-daemon.ts).
 */
import path from 'node:path';
import { UNIX_SOCKET_PATH_BYTES_MAX } from '../limits.js';

export const QUERY_SOCKET_FILE = 'daemon-query.sock';

/**
 * The socket of the data directory `dataDir`, as both sides spell it (relative paths stay
 * relative: bind and connect resolve them from each process's own directory). Null when
 * the path is longer than a Unix socket path may be: then there is no socket at all, and
 * queries open the directory read-only (a long data directory must not stop the daemon).
 */
export function querySocketPath(dataDir: string): string | null {
  const socketPath = path.join(dataDir, QUERY_SOCKET_FILE);
  return Buffer.byteLength(socketPath) <= UNIX_SOCKET_PATH_BYTES_MAX ? socketPath : null;
}
