/**
 * Reads record frames out of one segment file through a bounded window. It reports what
 * it finds — a frame, the end of written data, or a problem at an offset — and leaves
 * the meaning (torn tail or corruption) to its callers. It never allocates what a length
 * word claims before checking the claim against the limit and the file size.
 */
import assert from 'node:assert/strict';
import { READ_WINDOW_BYTES, RECORD_SIZE_BYTES_MAX, SEGMENT_HEADER_BYTES } from '../limits.js';
import {
  FORMAT_VERSION, FORMAT_VERSION_KEYED, FORMAT_VERSION_MIN, FRAME_HEAD_BYTES, RECORD_BODY_HEAD_BYTES, RecordType,
  crc32, frameBytes, readEventKeyBytes, readEventTag, readU32, readU64,
} from './frame.js';
import { readFully, type WalFileSystem } from './file-system.js';

export type FrameProblem =
  | 'end' // a zero length word, or no room left for a frame: the end of written data
  | 'bad-length' // a length below the body head
  | 'too-large' // a length over RECORD_SIZE_BYTES_MAX
  | 'past-end' // a length pointing past the end of the file
  | 'crc' // the chained CRC does not match
  | 'bad-type' // an unknown record type
  | 'bad-key-length'; // a format-2 event whose key length runs past its body

/** The frame last returned by next(); its fields are overwritten by the following call. */
export interface Frame {
  offsetBytes: number;
  type: number;
  sub: number;
  main: number;
  bodyBytes: number;
  /** Event tag (format 2); 0 for format 1 and for other records. */
  tag: number;
  /** Key length of an event (format 2); 0 for format 1, keyless events and other records. */
  keyBytes: number;
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
  readonly frame: Frame = { offsetBytes: 0, type: 0, sub: 0, main: 0, bodyBytes: 0, tag: 0, keyBytes: 0, crc: 0, nextBytes: 0 };
  /** Events carry a key and a tag (the segment's header says format 2 or later). */
  private readonly keyed: boolean;

  constructor(
    private readonly wfs: WalFileSystem,
    private readonly fd: number,
    readonly fileSizeBytes: number,
    crcSeed: number,
    startBytes: number,
    /** The segment header's format version: how event frames are laid out. */
    readonly formatVersion: number,
    windowBytes = READ_WINDOW_BYTES,
  ) {
    assert.ok(startBytes >= SEGMENT_HEADER_BYTES && startBytes % 8 === 0);
    assert.ok(formatVersion >= FORMAT_VERSION_MIN && formatVersion <= FORMAT_VERSION, 'a format version the reader knows');
    this.keyed = formatVersion >= FORMAT_VERSION_KEYED;
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
    let tag = 0;
    let keyBytes = 0;
    if (type === RecordType.event && this.keyed) {
      tag = readEventTag(this.window, start);
      keyBytes = readEventKeyBytes(this.window, start);
      if (RECORD_BODY_HEAD_BYTES + keyBytes > bodyBytes) return 'bad-key-length';
    }
    const f = this.frame;
    f.offsetBytes = at;
    f.type = type;
    f.sub = readU32(this.window, start + 4);
    f.main = readU64(this.window, start + 8);
    f.bodyBytes = bodyBytes;
    f.tag = tag;
    f.keyBytes = keyBytes;
    f.crc = crc;
    f.nextBytes = at + frameBytes(bodyBytes);
    this.crc = crc;
    this.offsetBytes = f.nextBytes;
    return f;
  }

  /** The payload bytes of the last frame returned, after its key (valid until the next call). */
  payload(): Buffer {
    const f = this.frame;
    const start = f.offsetBytes - this.windowStart + FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES + f.keyBytes;
    return this.window.subarray(start, start + f.bodyBytes - RECORD_BODY_HEAD_BYTES - f.keyBytes);
  }

  /** The key of the last frame returned (an event of format 2), or null when it has none. */
  key(): string | null {
    const f = this.frame;
    if (f.keyBytes === 0) return null;
    const start = f.offsetBytes - this.windowStart + FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES;
    return this.window.toString('utf8', start, start + f.keyBytes);
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
