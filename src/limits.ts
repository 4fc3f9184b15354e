/**
 * Every limit Elava enforces, in one place, units in the names. The relations between
 * them are asserted when this module loads, so a bad edit fails at start, not at 3 a.m.
 */
import assert from 'node:assert/strict';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Default size of a log segment file; tests pass smaller ones. */
export const SEGMENT_SIZE_BYTES = 64 * MiB;
/** Smallest segment a caller may configure (header plus a few records). */
export const SEGMENT_SIZE_BYTES_MIN = 4 * KiB;
/** Fixed size of a segment header. */
export const SEGMENT_HEADER_BYTES = 64;
/** Every record frame starts at a multiple of this, so a length word never straddles a sector. */
export const RECORD_ALIGN_BYTES = 8;
/** Largest record body (record header + payload) the log writes or believes on read. */
export const RECORD_SIZE_BYTES_MAX = 4 * MiB;
/** Largest commit; a commit lies wholly within one segment, which grows to fit it. */
export const COMMIT_SIZE_BYTES_MAX = 1 * GiB;
/** Largest number of events in one commit. */
export const COMMIT_EVENTS_MAX = 10_000_000;
/** fdatasync slower than this logs a warning. */
export const FSYNC_WARN_MS = 200;
/** Chunk used to zero-fill a segment ahead of need, off the append path. */
export const PREALLOCATE_CHUNK_BYTES = 1 * MiB;
/** Read window of the streaming reader (grows only to fit one maximal record). */
export const READ_WINDOW_BYTES = 1 * MiB;
/** Commits waiting for the next group write; appends beyond it are refused. */
export const APPEND_QUEUE_COMMITS_MAX = 100_000;
/** Histogram of fdatasync latency: first bucket bound, and bucket count (doubling). */
export const FSYNC_BUCKET_FIRST_SECONDS = 0.001;
export const FSYNC_BUCKET_COUNT = 14; // 1 ms .. 8.192 s

assert.ok(SEGMENT_HEADER_BYTES % RECORD_ALIGN_BYTES === 0);
assert.ok(RECORD_ALIGN_BYTES >= 4 && 512 % RECORD_ALIGN_BYTES === 0);
assert.ok(SEGMENT_SIZE_BYTES_MIN > SEGMENT_HEADER_BYTES + 2 * RECORD_ALIGN_BYTES);
assert.ok(SEGMENT_SIZE_BYTES >= SEGMENT_SIZE_BYTES_MIN);
assert.ok(RECORD_SIZE_BYTES_MAX < COMMIT_SIZE_BYTES_MAX);
assert.ok(COMMIT_SIZE_BYTES_MAX <= 2 ** 32, 'segment offsets must fit a u32-safe range');
assert.ok(READ_WINDOW_BYTES >= 64 * KiB);
