/**
 * Prepares the next segment ahead of need, off the append path: a temporary file
 * zero-filled to the segment size in small chunks between event-loop turns, then
 * fdatasync'd in the background too, so a roll-over that finds it ready syncs only the
 * new header. Zero-filled (not fallocate'd) blocks are what make later fdatasyncs cheap:
 * ext4 marks fallocate'd extents unwritten, and the first write to each would cost a
 * journal entry. If the file is not ready when a roll-over needs it, the rest is filled
 * and synced on the spot. Every fdatasync here is timed through `observeSync`.
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
  /** The fill up to `targetBytes` is durable (fdatasync'd since the last write). */
  private synced = false;
  /** Called with the duration of every fdatasync of a prepared file, in seconds. */
  observeSync: ((seconds: number) => void) | null = null;
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
    if (!this.synced) this.sync();
    const prepared = { fd: this.fd!, tmpPath: this.tmpPath, sizeBytes: this.targetBytes };
    this.fd = null;
    this.filledBytes = 0;
    this.synced = false;
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
      if (this.filledBytes < this.targetBytes) this.fillChunk();
      else if (!this.synced) this.sync(); // a turn of its own: the fill is done
      this.lastError = null;
    } catch (err) {
      this.lastError = err; // e.g. ENOSPC: take() tries again and reports it
      return;
    }
    if (!this.synced) this.pending = setImmediate(() => this.step());
  }

  /** True once the next segment is filled and durable: a roll-over then syncs only its header. */
  get ready(): boolean {
    return this.fd !== null && this.synced && this.filledBytes >= this.targetBytes;
  }

  private sync(): void {
    const t0 = process.hrtime.bigint();
    this.wfs.fdatasyncSync(this.fd!);
    this.observeSync?.(Number(process.hrtime.bigint() - t0) / 1e9);
    this.synced = true;
  }

  private openFile(targetBytes: number): void {
    this.fd = this.wfs.openSync(this.tmpPath, 'w+', 0o600);
    this.filledBytes = 0;
    this.targetBytes = targetBytes;
    this.synced = false;
  }

  private fillChunk(): void {
    const n = Math.min(this.zeros.length, this.targetBytes - this.filledBytes);
    writeFully(this.wfs, this.fd!, this.zeros, 0, n, this.filledBytes);
    this.filledBytes += n;
    this.synced = false;
  }

  private cancel(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = null;
  }
}
