/**
 * One writer per directory. The lock is a file `LOCK` created exclusively, holding the
 * owner's pid and host; a lock whose process is gone (after kill -9) is stale and is taken
 * over. Readers take no lock.
 */
import os from 'node:os';
import path from 'node:path';
import { WalError, errnoCode } from './errors.js';
import { readRegularFile, type WalFileSystem } from './file-system.js';
import { LOCK_FILE_BYTES_MAX } from '../limits.js';

export const LOCK_FILE = 'LOCK';

export interface DirectoryLock {
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  sinceIso: string;
}

export function acquireLock(wfs: WalFileSystem, dir: string): DirectoryLock {
  const lockPath = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), sinceIso: new Date().toISOString() };
    try {
      const fd = wfs.openSync(lockPath, 'wx', 0o600);
      const body = Buffer.from(JSON.stringify(owner) + '\n');
      wfs.writeSync(fd, body, 0, body.length, 0);
      wfs.fsyncSync(fd);
      wfs.closeSync(fd);
      return { release: () => releaseLock(wfs, lockPath) };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') {
        throw new WalError('WAL_IO', `cannot create lock file ${lockPath}: ${(err as Error).message}`, { cause: err });
      }
    }
    const holder = readOwner(wfs, lockPath);
    if (holder && isAlive(holder)) {
      throw new WalError(
        'WAL_LOCKED',
        `${dir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.sinceIso}); one writer per data directory`,
      );
    }
    try {
      wfs.unlinkSync(lockPath); // stale: its process is gone
    } catch {
      // someone else took it over first; try again
    }
  }
  throw new WalError('WAL_LOCKED', `${dir}: could not take the writer lock (contended)`);
}

function readOwner(wfs: WalFileSystem, lockPath: string): LockOwner | null {
  try {
    // A regular file of at most LOCK_FILE_BYTES_MAX: a FIFO named LOCK must not hang the open.
    const parsed = JSON.parse(readRegularFile(wfs, lockPath, LOCK_FILE_BYTES_MAX).toString('utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, host: String(parsed.host ?? '?'), sinceIso: String(parsed.sinceIso ?? '?') };
  } catch {
    return null; // unreadable or half-written: treated as stale
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true; // cannot check another host: assume alive
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

function releaseLock(wfs: WalFileSystem, lockPath: string): void {
  try {
    wfs.unlinkSync(lockPath);
  } catch {
    // already gone
  }
}
