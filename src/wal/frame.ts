/**
 * Byte layout of segment headers and record frames. This file only lays out bytes; it
 * decides nothing about what a bad frame means (decoder.ts and repair.ts do).
 *
 * Segment header, SEGMENT_HEADER_BYTES (64), little-endian:
 *   0  magic "ELAVAWAL" (8 bytes)
 *   8  u32 format version (1)
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
 *        1  3 reserved bytes, zero
 *        4  u32 sub (event), event count (commit) or table length (structures)
 *        8  u64 revision main (0 for structures)
 *       16  payload: msgpack (event), u64 commit time in ms since the epoch (commit),
 *           or the msgpack structure table as plain lists of keys (structures)
 *   then zero padding up to the next multiple of 8.
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
import { RECORD_ALIGN_BYTES, SEGMENT_HEADER_BYTES } from '../limits.js';

export const SEGMENT_MAGIC = Buffer.from('ELAVAWAL', 'latin1');
export const FORMAT_VERSION = 1;
export const FRAME_HEAD_BYTES = 8;
export const RECORD_BODY_HEAD_BYTES = 16;
export const COMMIT_BODY_BYTES = RECORD_BODY_HEAD_BYTES + 8;

export const RecordType = {
  event: 1,
  commit: 2,
  structures: 3,
} as const;
export type RecordTypeCode = (typeof RecordType)[keyof typeof RecordType];

export interface SegmentHeader {
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

export function encodeHeader(header: SegmentHeader): Buffer {
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
  if (buf.readUInt32LE(8) !== FORMAT_VERSION || buf.readUInt32LE(12) !== SEGMENT_HEADER_BYTES) {
    return 'version';
  }
  return {
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
