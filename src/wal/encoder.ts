/**
 * Frames commits into a reusable batch buffer with the chained CRC. Encoding is
 * independent of where the bytes land: the chain runs record to record, and a segment
 * header carries the running CRC, so a commit frames the same in any segment.
 */
import assert from 'node:assert/strict';
import { COMMIT_EVENTS_MAX, COMMIT_SIZE_BYTES_MAX, RECORD_SIZE_BYTES_MAX } from '../limits.js';
import { encodePayload } from './codec.js';
import { WalError } from './errors.js';
import {
  COMMIT_BODY_BYTES,
  RECORD_BODY_HEAD_BYTES,
  RecordType,
  frameBytes,
  sealFrame,
  writeBodyHead,
  writeU64,
} from './frame.js';
import type { Commit } from './types.js';

export class BatchEncoder {
  private buf: Buffer;
  /** Bytes of the batch written so far. */
  lengthBytes = 0;
  /** CRC of the last record framed: the seed of the next. */
  crc: number;

  constructor(crcSeed: number, initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.crc = crcSeed;
  }

  /** Starts a new batch chained from `crcSeed`. */
  reset(crcSeed: number): void {
    this.lengthBytes = 0;
    this.crc = crcSeed;
  }

  bytes(start: number, end: number): Buffer {
    assert.ok(start >= 0 && start <= end && end <= this.lengthBytes);
    return this.buf.subarray(start, end);
  }

  /**
   * Appends one commit's frames. On a bad commit (too large, unencodable payload) the
   * batch is left exactly as it was and a WalError is thrown.
   */
  encodeCommit(commit: Commit): void {
    assert.ok(Number.isSafeInteger(commit.main) && commit.main > 0, 'commit main must be a positive safe integer');
    assert.ok(Number.isSafeInteger(commit.timeMs) && commit.timeMs >= 0, 'commit time must be a safe integer');
    if (commit.events.length > COMMIT_EVENTS_MAX) {
      throw new WalError('WAL_COMMIT_TOO_LARGE', `commit ${commit.main} has ${commit.events.length} events, over ${COMMIT_EVENTS_MAX}`);
    }
    const startLength = this.lengthBytes;
    const startCrc = this.crc;
    try {
      for (let sub = 0; sub < commit.events.length; sub++) {
        this.encodeEvent(commit.main, sub, commit.events[sub]);
      }
      this.encodeCommitEnd(commit);
    } catch (err) {
      this.lengthBytes = startLength;
      this.crc = startCrc;
      throw err;
    }
    if (this.lengthBytes - startLength > COMMIT_SIZE_BYTES_MAX) {
      this.lengthBytes = startLength;
      this.crc = startCrc;
      throw new WalError('WAL_COMMIT_TOO_LARGE', `commit ${commit.main} is over ${COMMIT_SIZE_BYTES_MAX} bytes`);
    }
  }

  private encodeEvent(main: number, sub: number, payload: unknown): void {
    let packed: Buffer;
    try {
      packed = encodePayload(payload);
    } catch (err) {
      throw new WalError('WAL_BAD_PAYLOAD', `event ${main}.${sub} cannot be encoded`, { cause: err });
    }
    const bodyBytes = RECORD_BODY_HEAD_BYTES + packed.length;
    if (bodyBytes > RECORD_SIZE_BYTES_MAX) {
      throw new WalError('WAL_COMMIT_TOO_LARGE', `event ${main}.${sub} is ${bodyBytes} bytes, over the record limit ${RECORD_SIZE_BYTES_MAX}`);
    }
    const at = this.reserve(frameBytes(bodyBytes));
    const payloadAt = writeBodyHead(this.buf, at, RecordType.event, sub, main);
    packed.copy(this.buf, payloadAt);
    [this.lengthBytes, this.crc] = sealFrame(this.buf, at, bodyBytes, this.crc);
  }

  private encodeCommitEnd(commit: Commit): void {
    const at = this.reserve(frameBytes(COMMIT_BODY_BYTES));
    const timeAt = writeBodyHead(this.buf, at, RecordType.commit, commit.events.length, commit.main);
    writeU64(this.buf, commit.timeMs, timeAt);
    [this.lengthBytes, this.crc] = sealFrame(this.buf, at, COMMIT_BODY_BYTES, this.crc);
  }

  /** Makes room for `n` more bytes and returns where they start. */
  private reserve(n: number): number {
    const need = this.lengthBytes + n;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.lengthBytes);
      this.buf = grown;
    }
    return this.lengthBytes;
  }
}
