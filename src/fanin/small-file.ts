/**
 * The fan-in's small state files in a data directory (the source id, the forwarder's
 * cursor): written whole or not at all — a temporary name, fsync, rename over the old one,
 * fsync of the directory — so a crash leaves either the old content or the new, never a mix.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Longest small state file believed on read. */
export const SMALL_FILE_BYTES_MAX = 4096;

export function writeSmallFile(dir: string, name: string, text: string): void {
  const final = path.join(dir, name);
  const tmp = `${final}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, final);
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

/** The file's text, or null when it does not exist. Throws on anything else. */
export function readSmallFile(dir: string, name: string): string | null {
  const file = path.join(dir, name);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTREG' });
    if (stat.size > SMALL_FILE_BYTES_MAX) throw Object.assign(new Error(`${file} is over ${SMALL_FILE_BYTES_MAX} bytes`), { code: 'EFBIG' });
    const buf = Buffer.alloc(stat.size);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
