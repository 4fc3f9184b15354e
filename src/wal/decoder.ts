/**
 * Reads record frames out of one segment file through a bounded window. It reports what
 * it finds — a frame, the end of written data, or a problem at an offset — and leaves
 * the meaning (torn tail or corruption) to its callers. It never allocates what a length
 * word claims before checking the claim against the limit and the file size.
 */
import assert from 'node:assert/strict';
import { READ_WINDOW_BYTES, RECORD_SIZE_BYTES_MAX, SEGMENT_HEADER_BYTES } from '../limits.js';
import { FRAME_HEAD_BYTES, RECORD_BODY_HEAD_BYTES, RecordType, crc32, frameBytes, readU32, readU64 } from './frame.js';
import { readFully, type WalFileSystem } from './file-system.js';

export type FrameProblem =
  | 'end' // a zero length word, or no room left for a frame: the end of written data
  | 'bad-length' // a length below the body head
  | 'too-large' // a length over RECORD_SIZE_BYTES_MAX
  | 'past-end' // a length pointing past the end of the file
  | 'crc' // the chained CRC does not match
  | 'bad-type'; // an unknown record type

/** The frame last returned by next(); its fields are overwritten by the following call. */
export interface Frame {
  offsetBytes: number;
  type: number;
  sub: number;
  main: number;
  bodyBytes: number;
  crc: number;
  /** Offset of the frame after this one. */
  nextBytes: number;
}

export class SegmentDecoder {
  private window: Buffer;
  private windowStart = 0;
  private windowLength = 0;
  /** Offset of the next frame to read. */
  offsetBytes: number;
  /** CRC of the last good record (the seed for the next). */
  crc: number;
  readonly frame: Frame = { offsetBytes: 0, type: 0, sub: 0, main: 0, bodyBytes: 0, crc: 0, nextBytes: 0 };

  constructor(
    private readonly wfs: WalFileSystem,
    private readonly fd: number,
    readonly fileSizeBytes: number,
    crcSeed: number,
    startBytes = SEGMENT_HEADER_BYTES,
    windowBytes = READ_WINDOW_BYTES,
  ) {
    assert.ok(startBytes >= SEGMENT_HEADER_BYTES && startBytes % 8 === 0);
    this.offsetBytes = startBytes;
    this.crc = crcSeed;
    this.window = Buffer.allocUnsafe(windowBytes);
  }

  /**
   * Reads the next frame. With `verify` false the CRC is not recomputed (the caller has
   * verified these bytes already) but still carried from the stored value.
   */
  next(verify: boolean): Frame | FrameProblem {
    const at = this.offsetBytes;
    if (at + FRAME_HEAD_BYTES > this.fileSizeBytes) return 'end';
    this.ensure(at, FRAME_HEAD_BYTES);
    const w = this.window;
    const head = at - this.windowStart;
    const bodyBytes = readU32(w, head);
    if (bodyBytes === 0) return 'end';
    if (bodyBytes < RECORD_BODY_HEAD_BYTES) return 'bad-length';
    if (bodyBytes > RECORD_SIZE_BYTES_MAX) return 'too-large';
    if (at + FRAME_HEAD_BYTES + bodyBytes > this.fileSizeBytes) return 'past-end';
    this.ensure(at, FRAME_HEAD_BYTES + bodyBytes);
    const start = at - this.windowStart + FRAME_HEAD_BYTES;
    const crc = readU32(this.window, start - 4);
    if (verify && crc32(this.window.subarray(start, start + bodyBytes), this.crc) !== crc) return 'crc';
    const type = this.window[start]!;
    if (type !== RecordType.event && type !== RecordType.commit && type !== RecordType.structures) return 'bad-type';
    const f = this.frame;
    f.offsetBytes = at;
    f.type = type;
    f.sub = readU32(this.window, start + 4);
    f.main = readU64(this.window, start + 8);
    f.bodyBytes = bodyBytes;
    f.crc = crc;
    f.nextBytes = at + frameBytes(bodyBytes);
    this.crc = crc;
    this.offsetBytes = f.nextBytes;
    return f;
  }

  /** The payload bytes of the last frame returned (valid until the next call). */
  payload(): Buffer {
    const start = this.frame.offsetBytes - this.windowStart + FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES;
    return this.window.subarray(start, start + this.frame.bodyBytes - RECORD_BODY_HEAD_BYTES);
  }

  /** Moves to `offsetBytes` with a known CRC seed (a position found by an earlier pass). */
  seek(offsetBytes: number, crc: number): void {
    this.offsetBytes = offsetBytes;
    this.crc = crc;
  }

  /** Drops the window: the next frame is read from the file again. */
  forgetWindow(): void {
    this.windowStart = 0;
    this.windowLength = 0;
  }

  /** Makes file bytes [offset, offset + n) available in the window. */
  private ensure(offset: number, n: number): void {
    if (offset >= this.windowStart && offset + n <= this.windowStart + this.windowLength) return;
    if (n > this.window.length) this.window = Buffer.allocUnsafe(n); // n ≤ frame of RECORD_SIZE_BYTES_MAX
    const want = Math.min(this.window.length, this.fileSizeBytes - offset);
    this.windowLength = readFully(this.wfs, this.fd, this.window, 0, want, offset);
    this.windowStart = offset;
    if (this.windowLength < n) {
      throw Object.assign(new Error(`short read at ${offset}: wanted ${n}, got ${this.windowLength}`), { code: 'EIO' });
    }
  }
}
