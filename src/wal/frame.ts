/**
 * Byte layout of segment headers and record frames. This file only lays out bytes; it
 * decides nothing about what a bad frame means (decoder.ts and repair.ts do).
 *
 * Segment header, SEGMENT_HEADER_BYTES (64), little-endian:
 *   0  magic "ELAVAWAL" (8 bytes)
 *   8  u32 format version (2 for new segments; 1 is still read)
 *  12  u32 header size in bytes (64)
 *  16  u64 sequence number of this segment (0, 1, 2 ...)
 *  24  u64 first revision main this segment was opened for
 *  32  u32 running CRC at the end of the previous segment (0 for the first)
 *  36  24 reserved bytes, zero
 *  60  u32 CRC-32 of bytes 0..59
 *
 * Record frame, starting at a multiple of RECORD_ALIGN_BYTES (8):
 *   0  u32 body length in bytes (RECORD_BODY_HEAD_BYTES .. RECORD_SIZE_BYTES_MAX)
 *   4  u32 CRC-32 of the body, seeded with the previous record's CRC (the chain)
 *   8  body:
 *        0  u8 record type (RecordType)
 *        1  u8 tag (event, format 2: opaque, 0 = none); zero otherwise
 *        2  u16 key length in bytes (event, format 2: 0 = no key); zero otherwise
 *        4  u32 sub (event), event count (commit) or table length (structures)
 *        8  u64 revision main (0 for structures)
 *       16  event: the key (UTF-8, `key length` bytes), then the msgpack payload;
 *           commit: u64 commit time in ms since the epoch;
 *           structures: the msgpack structure table as plain lists of keys
 *   then zero padding up to the next multiple of 8.
 *
 * Format 1 differs only in events: bytes 1..3 of the body are zero and there is no key.
 * A v1 event read by the v2 rules is the same event (tag 0, no key), but every reader
 * still decides by its segment's header, so bytes 1..3 of a v1 event mean nothing. The
 * key and tag are the layer above's: the log only stores them beside the payload so a
 * reader can learn them without decoding it.
 *
 * A commit is its events (sub 0..n-1) followed by its commit record, all with one main;
 * structures records may stand before any event, and first in a segment. A commit never
 * spans two segments.
 * A length word of zero marks the end of the written part of a segment (segments are
 * zero-filled ahead of use).
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import CRC32 from 'crc-32';
import { EVENT_KEY_BYTES_MAX, RECORD_ALIGN_BYTES, SEGMENT_HEADER_BYTES } from '../limits.js';

export const SEGMENT_MAGIC = Buffer.from('ELAVAWAL', 'latin1');
/** The format version of every segment the writer creates. */
export const FORMAT_VERSION = 2;
/** The oldest format version still read (a log written before events carried keys). */
export const FORMAT_VERSION_MIN = 1;
/** The first format whose event frames carry a key and a tag. */
export const FORMAT_VERSION_KEYED = 2;
export const FRAME_HEAD_BYTES = 8;
export const RECORD_BODY_HEAD_BYTES = 16;
export const COMMIT_BODY_BYTES = RECORD_BODY_HEAD_BYTES + 8;

export const RecordType = {
  event: 1,
  commit: 2,
  structures: 3,
} as const;
/** The largest event tag (one byte). */
export const EVENT_TAG_MAX = 0xff;

export type RecordTypeCode = (typeof RecordType)[keyof typeof RecordType];

export interface SegmentHeader {
  /** FORMAT_VERSION_MIN .. FORMAT_VERSION: how this segment's event frames are laid out. */
  formatVersion: number;
  sequence: number;
  firstMain: number;
  prevCrc: number;
}

/**
 * zlib's CRC-32 (Node ≥ 20.15) is the same function, native: 3x faster at 4 KiB, 6x on a
 * checkpoint body, no faster on a 300-byte record, and for an empty input it answers 0
 * instead of the seed. So it takes large inputs only, where it exists.
 */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
const NATIVE_CRC_MIN_BYTES = 1024;

export function crc32(bytes: Uint8Array, seed: number): number {
  if (nativeCrc32 !== undefined && bytes.length >= NATIVE_CRC_MIN_BYTES) return nativeCrc32(bytes, seed >>> 0) >>> 0;
  return CRC32.buf(bytes, seed) >>> 0;
}

export function alignUp(n: number): number {
  return Math.ceil(n / RECORD_ALIGN_BYTES) * RECORD_ALIGN_BYTES;
}

/** Size on disk of a frame whose body is `bodyBytes` long, padding included. */
export function frameBytes(bodyBytes: number): number {
  return alignUp(FRAME_HEAD_BYTES + bodyBytes);
}

export function writeU64(buf: Buffer, value: number, offset: number): void {
  // Branch first: a template-literal message would allocate on the encode path.
  if (!(Number.isSafeInteger(value) && value >= 0)) assert.fail(`u64 field must be a safe non-negative integer, got ${value}`);
  buf.writeUInt32LE(value % 0x1_0000_0000, offset);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), offset + 4);
}

/** u32 by plain indexing: the hot decode path avoids Buffer's checked readers. Caller bounds-checks. */
export function readU32(buf: Uint8Array, offset: number): number {
  return (buf[offset]! | (buf[offset + 1]! << 8) | (buf[offset + 2]! << 16)) + buf[offset + 3]! * 0x100_0000;
}

export function readU64(buf: Uint8Array, offset: number): number {
  return readU32(buf, offset) + readU32(buf, offset + 4) * 0x1_0000_0000;
}

/** A header for a new segment: always the current FORMAT_VERSION (the writer writes no other). */
export function encodeHeader(header: Omit<SegmentHeader, 'formatVersion'>): Buffer {
  const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(buf, 0);
  buf.writeUInt32LE(FORMAT_VERSION, 8);
  buf.writeUInt32LE(SEGMENT_HEADER_BYTES, 12);
  writeU64(buf, header.sequence, 16);
  writeU64(buf, header.firstMain, 24);
  buf.writeUInt32LE(header.prevCrc >>> 0, 32);
  buf.writeUInt32LE(crc32(buf.subarray(0, 60), 0), 60);
  return buf;
}

export type HeaderProblem = 'magic' | 'version' | 'crc' | 'short';

/** Decodes a header, or says what is wrong with it. Never throws on bad bytes. */
export function decodeHeader(buf: Buffer): SegmentHeader | HeaderProblem {
  if (buf.length < SEGMENT_HEADER_BYTES) return 'short';
  if (!buf.subarray(0, 8).equals(SEGMENT_MAGIC)) return 'magic';
  if (crc32(buf.subarray(0, 60), 0) !== buf.readUInt32LE(60)) return 'crc';
  const formatVersion = buf.readUInt32LE(8);
  if (formatVersion < FORMAT_VERSION_MIN || formatVersion > FORMAT_VERSION || buf.readUInt32LE(12) !== SEGMENT_HEADER_BYTES) {
    return 'version';
  }
  return {
    formatVersion,
    sequence: readU64(buf, 16),
    firstMain: readU64(buf, 24),
    prevCrc: buf.readUInt32LE(32),
  };
}

/**
 * Writes the body head of a record at `offset` (the frame head is filled by sealFrame once
 * the payload is in place). Returns the offset where the payload goes.
 */
export function writeBodyHead(
  buf: Buffer,
  offset: number,
  type: RecordTypeCode,
  sub: number,
  main: number,
): number {
  const body = offset + FRAME_HEAD_BYTES;
  buf.writeUInt32LE(type, body); // type byte + three zero bytes
  buf.writeUInt32LE(sub, body + 4);
  writeU64(buf, main, body + 8);
  return body + RECORD_BODY_HEAD_BYTES;
}

/**
 * Writes the body head of a format-2 event at `offset`: type, tag, key length, sub, main.
 * Returns the offset where the key goes (the payload follows the key).
 */
export function writeEventHead(buf: Buffer, offset: number, sub: number, main: number, tag: number, keyBytes: number): number {
  // Branch first: a template-literal message would allocate on the encode path.
  if (!(tag >= 0 && tag <= EVENT_TAG_MAX && Number.isInteger(tag))) assert.fail(`event tag must be an integer 0..${EVENT_TAG_MAX}, got ${tag}`);
  if (!(keyBytes >= 0 && keyBytes <= EVENT_KEY_BYTES_MAX && Number.isInteger(keyBytes))) assert.fail(`event key length ${keyBytes} out of range`);
  const body = offset + FRAME_HEAD_BYTES;
  buf.writeUInt32LE(RecordType.event + tag * 0x100 + keyBytes * 0x1_0000, body);
  buf.writeUInt32LE(sub, body + 4);
  writeU64(buf, main, body + 8);
  return body + RECORD_BODY_HEAD_BYTES;
}

/** The tag of a format-2 event whose body starts at `body` (bytes of a verified frame). */
export function readEventTag(buf: Uint8Array, body: number): number {
  return buf[body + 1]!;
}

/** The key length of a format-2 event whose body starts at `body`. */
export function readEventKeyBytes(buf: Uint8Array, body: number): number {
  return buf[body + 2]! | (buf[body + 3]! << 8);
}

/**
 * Fills the length and chained CRC of the frame at `offset` whose body is `bodyBytes`
 * long, zeroes its padding, and returns [next frame offset, this record's CRC].
 */
export function sealFrame(buf: Buffer, offset: number, bodyBytes: number, prevCrc: number): [number, number] {
  const bodyStart = offset + FRAME_HEAD_BYTES;
  const crc = crc32(buf.subarray(bodyStart, bodyStart + bodyBytes), prevCrc);
  buf.writeUInt32LE(bodyBytes, offset);
  buf.writeUInt32LE(crc, offset + 4);
  const end = offset + frameBytes(bodyBytes);
  buf.fill(0, bodyStart + bodyBytes, end);
  return [end, crc];
}
