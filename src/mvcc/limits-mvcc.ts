/**
 * Limits of the key index's packed revision encoding. Candidates for `src/limits.ts`.
 *
 * One revision entry is three float64 slots: `main`, `packed`, `offsetBytes`, where
 * `packed = sub * 2^(SEGMENT_ID_BITS + 1) + segmentId * 2 + tombstoneBit`. The product must
 * stay below 2^53 to be exact, which bounds `sub` and the segment id together.
 */
import assert from 'node:assert/strict';

/** Bits for the segment id (an index into the shared segment-name table). */
export const MVCC_SEGMENT_ID_BITS = 21;
/** 2,097,152 segment files; at 64 MiB each that is 128 TiB of log. */
export const MVCC_SEGMENT_IDS_MAX = 2 ** MVCC_SEGMENT_ID_BITS;
/** Largest `sub` (events in one commit minus one) the packed encoding can hold. */
export const MVCC_SUB_MAX = 2 ** (53 - MVCC_SEGMENT_ID_BITS - 1) - 1;
/** Largest byte offset of a record inside one segment. */
export const MVCC_OFFSET_BYTES_MAX = Number.MAX_SAFE_INTEGER;
/** Depth bound for canonical encoding of record attributes (no unbounded recursion). */
export const PROJECTION_ATTR_DEPTH_MAX = 32;

assert.ok(MVCC_SUB_MAX >= 2 ** 31 - 1, 'sub must cover at least 2^31 events per commit');
assert.ok((MVCC_SUB_MAX + 1) * 2 ** (MVCC_SEGMENT_ID_BITS + 1) <= 2 ** 53, 'packed revision exceeds 2^53');
