/**
 * The only code that cuts the log. It decides nothing: torn.ts says what is a torn tail
 * (cut at open, no operator step) and `elava repair --accept-loss` is the explicit cut of
 * damage. Repair keeps a `.broken` copy of the segment, then zeroes everything after the
 * last whole commit, so the segment reads as if the cut part was never written and new
 * appends continue from there.
 */
import assert from 'node:assert/strict';
import { PREALLOCATE_CHUNK_BYTES, RECORD_ALIGN_BYTES, SEGMENT_HEADER_BYTES } from '../limits.js';
import { keepBrokenCopy } from './broken-copies.js';
import type { WalFileSystem } from './file-system.js';
import { readFully, writeFully } from './file-system.js';

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
 * Makes the segment end cleanly at `cutBytes`: if anything after it is not zero, a
 * `.broken` copy is kept (broken-copies.ts), the tail is zeroed and fdatasync'd. Called
 * for a torn tail at open (torn.ts decided) and by an explicit `elava repair --accept-loss`.
 */
export function repairTail(
  wfs: WalFileSystem,
  dir: string,
  segment: string,
  fd: number,
  cutBytes: number,
  sizeBytes: number,
): RepairResult {
  assert.ok(cutBytes >= SEGMENT_HEADER_BYTES && cutBytes <= sizeBytes, 'cut inside the segment');
  assert.ok(cutBytes % RECORD_ALIGN_BYTES === 0, 'cut on a frame boundary');
  if (isZeroRange(wfs, fd, cutBytes, sizeBytes)) return { zeroedBytes: 0, brokenCopy: null };
  const brokenCopy = keepBrokenCopy(wfs, dir, segment);
  const zeros = Buffer.alloc(Math.min(PREALLOCATE_CHUNK_BYTES, sizeBytes - cutBytes));
  for (let at = cutBytes; at < sizeBytes; at += zeros.length) {
    writeFully(wfs, fd, zeros, 0, Math.min(zeros.length, sizeBytes - at), at);
  }
  wfs.fdatasyncSync(fd);
  assert.ok(isZeroRange(wfs, fd, cutBytes, sizeBytes), 'the cut tail reads back as zeros');
  return { zeroedBytes: sizeBytes - cutBytes, brokenCopy };
}
