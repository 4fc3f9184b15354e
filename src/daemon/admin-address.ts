/**
 * Where a running daemon's HTTP server listens, written into its data directory
 * (`daemon-http.address`, mode 0600, written atomically) once it holds the writer lock, and
 * removed when it stops. Operations that the lock would refuse (`elava compact`) read it to
 * ask the running daemon instead. A stale file (a daemon killed with -9) is harmless: the
 * lock says whether a daemon runs, and a refused connection says the rest.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ADMIN_ADDRESS_FILE = 'daemon-http.address';
const ADDRESS_BYTES_MAX = 256;

export function writeAdminAddress(dir: string, address: string): void {
  const target = path.join(dir, ADMIN_ADDRESS_FILE);
  const tmp = `${target}.tmp`;
  fs.writeFileSync(tmp, `${address}\n`, { mode: 0o600 });
  fs.renameSync(tmp, target);
}

export function removeAdminAddress(dir: string): void {
  fs.rmSync(path.join(dir, ADMIN_ADDRESS_FILE), { force: true });
}

/** `host:port`, or null when no daemon left one (or it is not a plausible address). */
export function readAdminAddress(dir: string): string | null {
  let text: string;
  try {
    const fd = fs.openSync(path.join(dir, ADMIN_ADDRESS_FILE), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      if (!fs.fstatSync(fd).isFile()) return null;
      const buf = Buffer.alloc(ADDRESS_BYTES_MAX);
      text = buf.subarray(0, fs.readSync(fd, buf, 0, ADDRESS_BYTES_MAX, 0)).toString('utf8').trim();
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  return /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(text) ? text : null;
}
