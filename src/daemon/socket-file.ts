/**
 * A Unix socket's file, made safely: what may be removed before listening, and listening
 * so that the socket is its owner's alone (mode 0600) from the moment it exists.
 */
import fs from 'node:fs';
import type net from 'node:net';

/**
 * Clears the way for a socket at `socketPath`: nothing there, or a socket left by a
 * daemon that died without removing it (SIGKILL, a crash), which is removed. The caller
 * holds the data directory's writer lock, so no live daemon listens on that socket.
 * Anything else (a symlink, a file, a directory) is not ours to remove, and is never
 * followed: the answer is why the socket cannot be made, and the path is left alone.
 */
export function clearSocketPath(socketPath: string): { ok: true; removedStale: boolean } | { ok: false; reason: string } {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, removedStale: false };
    return { ok: false, reason: `${socketPath} cannot be examined (${code ?? String(err)})` };
  }
  if (!stat.isSocket()) return { ok: false, reason: `${socketPath} exists and is not a socket (${kindOf(stat)}); it is left alone` };
  try {
    fs.unlinkSync(socketPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return { ok: false, reason: `the stale socket ${socketPath} cannot be removed (${code ?? String(err)})` };
  }
  return { ok: true, removedStale: true };
}

function kindOf(stat: fs.Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFile()) return 'a regular file';
  if (stat.isFIFO()) return 'a FIFO';
  return 'a device';
}

/**
 * `server.listen(socketPath)` with the socket created mode 0600. Node binds synchronously
 * inside listen(), so a umask of 0177 around that one call makes the socket 0600 as it is
 * created: no moment where another user could connect, as a chmod afterwards would leave.
 * (The umask is the process's; a file another thread creates in that instant gets 0600 at
 * most, never wider.) The result is checked: a socket, owned by this user, mode 0600.
 */
export async function listenOwnerOnly(server: net.Server, socketPath: string): Promise<void> {
  const listening = new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const umask = process.umask(0o177);
  try {
    server.listen(socketPath);
  } finally {
    process.umask(umask);
  }
  await listening;
  const stat = fs.lstatSync(socketPath);
  const mine = typeof process.getuid !== 'function' || stat.uid === process.getuid();
  if (!stat.isSocket() || !mine || (stat.mode & 0o777) !== 0o600) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new Error(`${socketPath} is not an owner-only socket after listen (mode ${(stat.mode & 0o777).toString(8)})`);
  }
}
