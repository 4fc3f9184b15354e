/**
 * The only code that cuts the log. A crash mid-write leaves the last segment with a torn
 * tail: a record cut short, zeroed sectors, or whole records of a commit whose end never
 * reached the disk. Repair keeps a `.broken` copy of the segment, then zeroes everything
 * after the last whole commit, so the segment reads as if the torn write never began and
 * new appends continue from there.
 */
import path from 'node:path';
import { PREALLOCATE_CHUNK_BYTES } from '../limits.js';
import type { WalFileSystem } from './file-system.js';
import { readFully, writeFully } from './file-system.js';
import { BROKEN_SUFFIX } from './segment-name.js';

export interface RepairResult {
  /** Bytes zeroed after the last whole commit (0 when the tail was clean). */
  zeroedBytes: number;
  /** Name of the copy kept, or null when nothing needed repair. */
  brokenCopy: string | null;
}

/** True when every byte of [from, to) in the file is zero. */
export function isZeroRange(wfs: WalFileSystem, fd: number, from: number, to: number): boolean {
  const chunkBytes = Math.min(PREALLOCATE_CHUNK_BYTES, Math.max(0, to - from));
  const chunk = Buffer.allocUnsafe(chunkBytes);
  const zeros = Buffer.alloc(chunkBytes);
  for (let at = from; at < to; at += chunkBytes) {
    const n = readFully(wfs, fd, chunk, 0, Math.min(chunkBytes, to - at), at);
    if (!chunk.subarray(0, n).equals(zeros.subarray(0, n))) return false;
  }
  return true;
}

/**
 * Makes the segment end cleanly at `cutBytes`: if anything after it is not zero, the file
 * is copied to `<name>.broken` (or `.broken.N`), the tail is zeroed and fdatasync'd.
 */
export function repairTail(
  wfs: WalFileSystem,
  dir: string,
  segment: string,
  fd: number,
  cutBytes: number,
  sizeBytes: number,
): RepairResult {
  if (isZeroRange(wfs, fd, cutBytes, sizeBytes)) return { zeroedBytes: 0, brokenCopy: null };
  const brokenCopy = freeBrokenName(wfs, dir, segment);
  wfs.copyFileSync(path.join(dir, segment), path.join(dir, brokenCopy));
  wfs.chmodSync(path.join(dir, brokenCopy), 0o600);
  const zeros = Buffer.alloc(Math.min(PREALLOCATE_CHUNK_BYTES, sizeBytes - cutBytes));
  for (let at = cutBytes; at < sizeBytes; at += zeros.length) {
    writeFully(wfs, fd, zeros, 0, Math.min(zeros.length, sizeBytes - at), at);
  }
  wfs.fdatasyncSync(fd);
  return { zeroedBytes: sizeBytes - cutBytes, brokenCopy };
}

function freeBrokenName(wfs: WalFileSystem, dir: string, segment: string): string {
  const taken = new Set(wfs.readdirSync(dir));
  let name = segment + BROKEN_SUFFIX;
  for (let i = 1; taken.has(name); i++) name = `${segment}${BROKEN_SUFFIX}.${i}`;
  return name;
}
