/**
 * Frames commits into a reusable batch buffer with the chained CRC, and logs the
 * structure table (see codec.ts) before the first event that needs a new entry. The
 * writer may rewind the batch to a mark (a commit that does not fit the segment) and
 * re-encode that commit in the next segment, after a full structure table.
 *
 * Events are framed in the format of the segment they go to: format 2 (frame.ts) with the
 * key and tag the layer above names them by (EventFraming), format 1 without (appending to
 * the last segment of a log written before format 2). Every limit is checked at the
 * current format's size, whatever the segment's, so a commit encoded once for a format-1
 * segment re-encodes without fail in the format-2 segment a roll-over opens.
 */
import assert from 'node:assert/strict';
import { COMMIT_EVENTS_MAX, COMMIT_SIZE_BYTES_MAX, EVENT_KEY_BYTES_MAX, RECORD_SIZE_BYTES_MAX } from '../limits.js';
import { PayloadEncoder, encodeStructures, type StructureTable } from './codec.js';
import { WalError } from './errors.js';
import {
  COMMIT_BODY_BYTES,
  EVENT_TAG_MAX,
  FORMAT_VERSION,
  FORMAT_VERSION_KEYED,
  FORMAT_VERSION_MIN,
  RECORD_BODY_HEAD_BYTES,
  RecordType,
  frameBytes,
  sealFrame,
  writeBodyHead,
  writeEventHead,
  writeU64,
} from './frame.js';
import type { Commit } from './types.js';

/** A point in the batch the encoder can go back to. */
export interface EncoderMark {
  lengthBytes: number;
  crc: number;
  loggedStructures: number;
}

/** How events are framed: the segment's format, and the key and tag of each payload. */
export interface EventFraming {
  /** Format version of the segment being appended to (format 1 frames carry no key or tag). */
  formatVersion: number;
  /** The key the layer above names an event by (UTF-8, at most EVENT_KEY_BYTES_MAX bytes); null: none. */
  eventKey: (payload: unknown) => string | null;
  /** The small number (0..255) the layer above classifies an event by; 0: none. */
  eventTag: (payload: unknown) => number;
}

export const NO_KEY = (): null => null;
export const NO_TAG = (): number => 0;

export class BatchEncoder {
  private buf: Buffer;
  private readonly payloads: PayloadEncoder;
  /** Bytes of the batch written so far. */
  lengthBytes = 0;
  /** CRC of the last record framed: the seed of the next. */
  crc: number;
  /** Structure table entries described by records up to the end of the batch. */
  loggedStructures: number;
  /** Format of the segment the batch goes to (the writer moves it to FORMAT_VERSION at a roll-over). */
  formatVersion: number;
  /**
   * Bytes the last commit encoded would take more in the current format than it took
   * (keys it did not store in a format-1 segment): what a roll-over must make room for.
   */
  newFormatExtraBytes = 0;
  private readonly eventKey: (payload: unknown) => string | null;
  private readonly eventTag: (payload: unknown) => number;

  constructor(crcSeed: number, structures: StructureTable, framing: EventFraming, initialBytes = 1 << 20) {
    assert.ok(framing.formatVersion >= FORMAT_VERSION_MIN && framing.formatVersion <= FORMAT_VERSION, 'a format version the writer knows');
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.crc = crcSeed;
    this.payloads = new PayloadEncoder(structures);
    this.loggedStructures = structures.length;
    this.formatVersion = framing.formatVersion;
    this.eventKey = framing.eventKey;
    this.eventTag = framing.eventTag;
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
    this.newFormatExtraBytes = 0;
    try {
      for (let sub = 0; sub < commit.events.length; sub++) offsets[sub] = this.encodeEvent(commit.main, sub, commit.events[sub]);
      offsets[commit.events.length] = this.encodeCommitEnd(commit);
      if (this.lengthBytes - start.lengthBytes + this.newFormatExtraBytes > COMMIT_SIZE_BYTES_MAX) {
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
    const key = this.eventKey(payload);
    const tag = this.eventTag(payload);
    // Branches first: a template-literal message would allocate on the encode path.
    if (key !== null && typeof key !== 'string') assert.fail(`eventKey of event ${main}.${sub} returned ${typeof key}, not a string or null`);
    if (!(Number.isInteger(tag) && tag >= 0 && tag <= EVENT_TAG_MAX)) assert.fail(`eventTag of event ${main}.${sub} returned ${tag}, not an integer 0..${EVENT_TAG_MAX}`);
    const keyBytes = key === null ? 0 : Buffer.byteLength(key, 'utf8');
    if (keyBytes > EVENT_KEY_BYTES_MAX) {
      throw new WalError('WAL_KEY_TOO_LARGE', `event ${main}.${sub} has a key of ${keyBytes} bytes, over ${EVENT_KEY_BYTES_MAX}`);
    }
    let packed: Buffer;
    try {
      packed = this.payloads.encode(payload);
    } catch (err) {
      throw new WalError('WAL_BAD_PAYLOAD', `event ${main}.${sub} cannot be encoded`, { cause: err });
    }
    const newBodyBytes = RECORD_BODY_HEAD_BYTES + keyBytes + packed.length;
    if (newBodyBytes > RECORD_SIZE_BYTES_MAX) {
      throw new WalError('WAL_COMMIT_TOO_LARGE', `event ${main}.${sub} is ${newBodyBytes} bytes, over the record limit ${RECORD_SIZE_BYTES_MAX}`);
    }
    if (this.payloads.structureCount > this.loggedStructures) {
      const copy = Buffer.from(packed); // logging the table packs again, reusing msgpackr's buffer
      this.encodeStructures();
      packed = copy;
    }
    if (this.formatVersion < FORMAT_VERSION_KEYED) {
      const bodyBytes = RECORD_BODY_HEAD_BYTES + packed.length;
      this.newFormatExtraBytes += frameBytes(newBodyBytes) - frameBytes(bodyBytes);
      const at = this.reserve(frameBytes(bodyBytes));
      packed.copy(this.buf, writeBodyHead(this.buf, at, RecordType.event, sub, main));
      [this.lengthBytes, this.crc] = sealFrame(this.buf, at, bodyBytes, this.crc);
      return at;
    }
    const at = this.reserve(frameBytes(newBodyBytes));
    const keyAt = writeEventHead(this.buf, at, sub, main, tag, keyBytes);
    if (keyBytes > 0 && this.buf.write(key!, keyAt, 'utf8') !== keyBytes) assert.fail('the key is written whole');
    packed.copy(this.buf, keyAt + keyBytes);
    [this.lengthBytes, this.crc] = sealFrame(this.buf, at, newBodyBytes, this.crc);
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
