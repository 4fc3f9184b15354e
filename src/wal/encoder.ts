/**
 * Frames commits into a reusable batch buffer with the chained CRC, and logs the
 * structure table (see codec.ts) before the first event that needs a new entry. The
 * writer may rewind the batch to a mark (a commit that does not fit the segment) and
 * re-encode that commit in the next segment, after a full structure table.
 */
import assert from 'node:assert/strict';
import { COMMIT_EVENTS_MAX, COMMIT_SIZE_BYTES_MAX, RECORD_SIZE_BYTES_MAX } from '../limits.js';
import { PayloadEncoder, encodeStructures, type StructureTable } from './codec.js';
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

/** A point in the batch the encoder can go back to. */
export interface EncoderMark {
  lengthBytes: number;
  crc: number;
  loggedStructures: number;
}

export class BatchEncoder {
  private buf: Buffer;
  private readonly payloads: PayloadEncoder;
  /** Bytes of the batch written so far. */
  lengthBytes = 0;
  /** CRC of the last record framed: the seed of the next. */
  crc: number;
  /** Structure table entries described by records up to the end of the batch. */
  loggedStructures: number;

  constructor(crcSeed: number, structures: StructureTable, initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.crc = crcSeed;
    this.payloads = new PayloadEncoder(structures);
    this.loggedStructures = structures.length;
  }

  mark(): EncoderMark {
    return { lengthBytes: this.lengthBytes, crc: this.crc, loggedStructures: this.loggedStructures };
  }

  /** Starts a new batch at a mark (the state of what is on disk). */
  rewind(mark: EncoderMark): void {
    this.lengthBytes = mark.lengthBytes;
    this.crc = mark.crc;
    this.loggedStructures = mark.loggedStructures;
  }

  /**
   * Gives back a buffer grown past `keepBytes` by one huge commit (a first scan of a large
   * fleet), so the process does not hold it for the rest of its life. Only between batches.
   */
  releaseIfLarger(keepBytes: number): void {
    if (this.buf.length > keepBytes) this.buf = Buffer.allocUnsafe(keepBytes);
  }

  bytes(start: number, end: number): Buffer {
    assert.ok(start >= 0 && start <= end && end <= this.lengthBytes);
    return this.buf.subarray(start, end);
  }

  /** Bytes the structure snapshot of a new segment will take (0 when the table is empty). */
  structureSnapshotBytes(): number {
    if (this.payloads.structureCount === 0) return 0;
    return frameBytes(RECORD_BODY_HEAD_BYTES + encodeStructures(this.payloads.structures).length);
  }

  /** Logs the whole structure table (first thing in a new segment); nothing when empty. */
  encodeStructureSnapshot(): void {
    if (this.payloads.structureCount > 0) this.encodeStructures();
  }

  /**
   * Appends one commit's frames and returns where its event frames start in the batch,
   * then where its commit record starts (one entry more than events). On a bad commit
   * (too large, unencodable payload) the batch is left exactly as it was and a WalError
   * is thrown.
   */
  encodeCommit(commit: Commit): number[] {
    assert.ok(Number.isSafeInteger(commit.main) && commit.main > 0, 'commit main must be a positive safe integer');
    assert.ok(Number.isSafeInteger(commit.timeMs) && commit.timeMs >= 0, 'commit time must be a safe integer');
    if (commit.events.length > COMMIT_EVENTS_MAX) {
      throw new WalError('WAL_COMMIT_TOO_LARGE', `commit ${commit.main} has ${commit.events.length} events, over ${COMMIT_EVENTS_MAX}`);
    }
    const start = this.mark();
    const offsets = new Array<number>(commit.events.length + 1);
    try {
      for (let sub = 0; sub < commit.events.length; sub++) offsets[sub] = this.encodeEvent(commit.main, sub, commit.events[sub]);
      offsets[commit.events.length] = this.encodeCommitEnd(commit);
      if (this.lengthBytes - start.lengthBytes > COMMIT_SIZE_BYTES_MAX) {
        throw new WalError('WAL_COMMIT_TOO_LARGE', `commit ${commit.main} is over ${COMMIT_SIZE_BYTES_MAX} bytes`);
      }
    } catch (err) {
      this.rewind(start);
      throw err;
    }
    return offsets;
  }

  /** Frames one event; returns the frame's offset in the batch. */
  private encodeEvent(main: number, sub: number, payload: unknown): number {
    let packed: Buffer;
    try {
      packed = this.payloads.encode(payload);
    } catch (err) {
      throw new WalError('WAL_BAD_PAYLOAD', `event ${main}.${sub} cannot be encoded`, { cause: err });
    }
    const bodyBytes = RECORD_BODY_HEAD_BYTES + packed.length;
    if (bodyBytes > RECORD_SIZE_BYTES_MAX) {
      throw new WalError('WAL_COMMIT_TOO_LARGE', `event ${main}.${sub} is ${bodyBytes} bytes, over the record limit ${RECORD_SIZE_BYTES_MAX}`);
    }
    if (this.payloads.structureCount > this.loggedStructures) {
      const copy = Buffer.from(packed); // logging the table packs again, reusing msgpackr's buffer
      this.encodeStructures();
      packed = copy;
    }
    const at = this.reserve(frameBytes(bodyBytes));
    const payloadAt = writeBodyHead(this.buf, at, RecordType.event, sub, main);
    packed.copy(this.buf, payloadAt);
    [this.lengthBytes, this.crc] = sealFrame(this.buf, at, bodyBytes, this.crc);
    return at;
  }

  private encodeStructures(): void {
    const table = encodeStructures(this.payloads.structures);
    const bodyBytes = RECORD_BODY_HEAD_BYTES + table.length;
    const at = this.reserve(frameBytes(bodyBytes));
    const payloadAt = writeBodyHead(this.buf, at, RecordType.structures, this.payloads.structureCount, 0);
    table.copy(this.buf, payloadAt);
    [this.lengthBytes, this.crc] = sealFrame(this.buf, at, bodyBytes, this.crc);
    this.loggedStructures = this.payloads.structureCount;
  }

  private encodeCommitEnd(commit: Commit): number {
    const at = this.reserve(frameBytes(COMMIT_BODY_BYTES));
    const timeAt = writeBodyHead(this.buf, at, RecordType.commit, commit.events.length, commit.main);
    writeU64(this.buf, commit.timeMs, timeAt);
    [this.lengthBytes, this.crc] = sealFrame(this.buf, at, COMMIT_BODY_BYTES, this.crc);
    return at;
  }

  /** The structure table as it stands (a superset of every table logged so far). */
  get structures(): StructureTable {
    return this.payloads.structures;
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
