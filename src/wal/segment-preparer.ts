/**
 * Prepares the next segment ahead of need, off the append path: a temporary file
 * zero-filled to the segment size in small chunks between event-loop turns, then
 * fdatasync'd. Zero-filled (not fallocate'd) blocks are what make later fdatasyncs cheap:
 * ext4 marks fallocate'd extents unwritten, and the first write to each would cost a
 * journal entry. If the file is not ready when a roll-over needs it, the rest is filled
 * on the spot.
 */
import path from 'node:path';
import { PREALLOCATE_CHUNK_BYTES } from '../limits.js';
import { writeFully, type WalFileSystem } from './file-system.js';
import { TMP_SUFFIX } from './segment-name.js';

export const PREPARED_NAME = `next-segment.wal${TMP_SUFFIX}`;

export interface PreparedSegment {
  fd: number;
  tmpPath: string;
  sizeBytes: number;
}

export class SegmentPreparer {
  private fd: number | null = null;
  private filledBytes = 0;
  private targetBytes = 0;
  private pending: NodeJS.Immediate | null = null;
  private readonly zeros = Buffer.alloc(PREALLOCATE_CHUNK_BYTES);
  readonly tmpPath: string;
  /** The last error of background preparation (retried by take()). */
  lastError: unknown = null;

  constructor(
    private readonly wfs: WalFileSystem,
    dir: string,
    private readonly sizeBytes: number,
  ) {
    this.tmpPath = path.join(dir, PREPARED_NAME);
  }

  /** Begins filling in the background. */
  start(): void {
    if (this.fd !== null || this.pending) return;
    this.pending = setImmediate(() => this.step());
  }

  /**
   * A zero-filled, fdatasync'd file of at least `minBytes`, finished synchronously if
   * the background has not got there. Throws the system call's error (ENOSPC...).
   */
  take(minBytes: number): PreparedSegment {
    this.cancel();
    const want = Math.max(this.sizeBytes, minBytes);
    if (this.fd === null) this.openFile(want);
    this.targetBytes = Math.max(this.targetBytes, want);
    while (this.filledBytes < this.targetBytes) this.fillChunk();
    this.wfs.fdatasyncSync(this.fd!);
    const prepared = { fd: this.fd!, tmpPath: this.tmpPath, sizeBytes: this.targetBytes };
    this.fd = null;
    this.filledBytes = 0;
    return prepared;
  }

  /** Gives back a prepared file that could not be used: closed and removed. */
  discard(prepared: PreparedSegment): void {
    try {
      this.wfs.closeSync(prepared.fd);
      this.wfs.unlinkSync(prepared.tmpPath);
    } catch {
      // best effort: a stale temporary is removed at the next open
    }
  }

  /** Stops background work and removes the temporary file. */
  close(): void {
    this.cancel();
    if (this.fd !== null) {
      this.wfs.closeSync(this.fd);
      this.fd = null;
      try {
        this.wfs.unlinkSync(this.tmpPath);
      } catch {
        // never created, or already gone
      }
    }
  }

  private step(): void {
    this.pending = null;
    try {
      if (this.fd === null) this.openFile(this.sizeBytes);
      if (this.filledBytes >= this.targetBytes) return;
      this.fillChunk();
      this.lastError = null;
    } catch (err) {
      this.lastError = err; // e.g. ENOSPC: take() tries again and reports it
      return;
    }
    if (this.filledBytes < this.targetBytes) this.pending = setImmediate(() => this.step());
  }

  private openFile(targetBytes: number): void {
    this.fd = this.wfs.openSync(this.tmpPath, 'w+', 0o600);
    this.filledBytes = 0;
    this.targetBytes = targetBytes;
  }

  private fillChunk(): void {
    const n = Math.min(this.zeros.length, this.targetBytes - this.filledBytes);
    writeFully(this.wfs, this.fd!, this.zeros, 0, n, this.filledBytes);
    this.filledBytes += n;
  }

  private cancel(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = null;
  }
}
