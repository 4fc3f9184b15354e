/**
 * The seam between the log and the disk: every system call the log makes goes through a
 * WalFileSystem, so tests can inject EIO from fdatasync, ENOSPC from write, or short writes.
 * The default is node:fs, synchronous: a group commit is one write and one fdatasync, and
 * the synchronous calls avoid the thread-pool hop (~60 µs) of FileHandle.datasync().
 */
import fs from 'node:fs';

export interface WalFileSystem {
  openSync(path: string, flags: string | number, mode?: number): number;
  closeSync(fd: number): void;
  readSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  fdatasyncSync(fd: number): void;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, lengthBytes: number): void;
  fstatSync(fd: number): { size: number };
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
