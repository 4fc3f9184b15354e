/**
 * The seam between the log and the disk: every system call the log makes goes through a
 * WalFileSystem, so tests can inject EIO from fdatasync, ENOSPC from write, or short writes.
 * The default is node:fs, synchronous: a group commit is one write and one fdatasync, and
 * the synchronous calls avoid the thread-pool hop (~60 µs) of FileHandle.datasync().
 */
import fs from 'node:fs';
import { WalError } from './errors.js';

export interface WalFileSystem {
  openSync(path: string, flags: string | number, mode?: number): number;
  closeSync(fd: number): void;
  readSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  fdatasyncSync(fd: number): void;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, lengthBytes: number): void;
  fstatSync(fd: number): { size: number; isFile(): boolean };
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  readdirSync(path: string): string[];
  mkdirSync(path: string, options: { recursive: boolean; mode: number }): void;
  copyFileSync(from: string, to: string): void;
  statSync(path: string): { isDirectory(): boolean; size: number };
  readFileSync(path: string): Buffer;
  chmodSync(path: string, mode: number): void;
}

export const nodeFileSystem: WalFileSystem = {
  openSync: (p, flags, mode) => fs.openSync(p, flags, mode),
  closeSync: (fd) => fs.closeSync(fd),
  readSync: (fd, buf, off, len, pos) => fs.readSync(fd, buf, off, len, pos),
  writeSync: (fd, buf, off, len, pos) => fs.writeSync(fd, buf, off, len, pos),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  fstatSync: (fd) => fs.fstatSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
  unlinkSync: (p) => fs.unlinkSync(p),
  readdirSync: (p) => fs.readdirSync(p),
  mkdirSync: (p, o) => {
    fs.mkdirSync(p, o);
  },
  copyFileSync: (a, b) => fs.copyFileSync(a, b),
  statSync: (p) => fs.statSync(p),
  readFileSync: (p) => fs.readFileSync(p),
  chmodSync: (p, m) => fs.chmodSync(p, m),
};

/** Writes all of `buf[offset, offset+length)` at `position`, looping over short writes. */
export function writeFully(
  wfs: WalFileSystem,
  fd: number,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
): void {
  let done = 0;
  for (let attempt = 0; done < length; attempt++) {
    if (attempt > 1_000_000) throw new Error('writeFully: no progress');
    const n = wfs.writeSync(fd, buf, offset + done, length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('write returned no progress'), { code: 'EIO' });
    done += n;
  }
}

/** Reads up to `length` bytes, looping over short reads; returns how many were read. */
export function readFully(
  wfs: WalFileSystem,
  fd: number,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
): number {
  let done = 0;
  while (done < length) {
    const n = wfs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

/** fsync of a directory, so a create, rename or unlink inside it is durable. */
export function fsyncDirectory(wfs: WalFileSystem, dir: string): void {
  const fd = wfs.openSync(dir, 'r');
  try {
    wfs.fsyncSync(fd);
  } finally {
    wfs.closeSync(fd);
  }
}

/**
 * Opens an existing file that must be a regular one. O_NONBLOCK keeps a FIFO named like a
 * segment (or a config file) from hanging the open; fstat then refuses it, a device or a
 * directory as an operating error (WAL_IO, exit 1).
 */
export function openRegularFile(wfs: WalFileSystem, file: string, mode: 'r' | 'r+'): number {
  const access = mode === 'r' ? fs.constants.O_RDONLY : fs.constants.O_RDWR;
  const fd = wfs.openSync(file, access | fs.constants.O_NONBLOCK);
  let regular = false;
  try {
    regular = wfs.fstatSync(fd).isFile();
  } finally {
    if (!regular) wfs.closeSync(fd);
  }
  if (!regular) throw new WalError('WAL_NOT_REGULAR_FILE', `${file} is not a regular file (a FIFO, a device or a directory?)`);
  return fd;
}

/** The whole of a regular file of at most `maxBytes` (a larger one is refused, never read). */
export function readRegularFile(wfs: WalFileSystem, file: string, maxBytes: number): Buffer {
  const fd = openRegularFile(wfs, file, 'r');
  try {
    const sizeBytes = wfs.fstatSync(fd).size;
    if (sizeBytes > maxBytes) throw new WalError('WAL_FILE_TOO_LARGE', `${file} is ${sizeBytes} bytes, over the limit of ${maxBytes}`);
    const buf = Buffer.alloc(sizeBytes);
    const n = readFully(wfs, fd, buf, 0, sizeBytes, 0);
    return n === sizeBytes ? buf : buf.subarray(0, n);
  } finally {
    wfs.closeSync(fd);
  }
}
