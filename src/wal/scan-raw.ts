/**
 * Forensic scans of a segment past damage, for wal-dump: finding the next frame that can
 * be trusted after a bad one, and the first non-zero byte after the end of written data.
 * Read-only; nothing here decides what damage means (wal-dump does).
 *
 * Resynchronisation heuristic. A frame's CRC is seeded by the previous record's CRC, which
 * is stored in that record's frame (bytes 4..7). After damage the true seed is unknown, so
 * a single frame cannot be verified on its own. Instead we look for a verified pair:
 * candidate W at an aligned offset whose length word is in range, whose type is known and
 * whose body bytes 1..3 are zero (or, for an event of format 2, hold a key length inside
 * the body: they are its tag and key length), followed at W + frameBytes(W) by a frame X of
 * the same shape whose CRC matches its body when seeded with W's stored CRC. The match
 * proves W's length and CRC words and all of X; W's own body stays unverified. Reading
 * resumes at X with W's CRC as the seed. The chance that garbage passes is about 2^-32
 * per candidate pair that survives the shape checks.
 *
 * Bounds: the scan reads through a window of READ_WINDOW_BYTES (grown only to hold one
 * maximal record) and spends at most RESYNC_CRC_BYTES_MAX bytes of CRC work per call.
 */
import assert from 'node:assert/strict';
import { READ_WINDOW_BYTES, RECORD_ALIGN_BYTES, RECORD_SIZE_BYTES_MAX } from '../limits.js';
import { readFully, type WalFileSystem } from './file-system.js';
import { FORMAT_VERSION_KEYED, FRAME_HEAD_BYTES, RECORD_BODY_HEAD_BYTES, RecordType, crc32, frameBytes, readEventKeyBytes } from './frame.js';

/** CRC work one resync may spend before giving up (adversarial input is bounded by it). */
export const RESYNC_CRC_BYTES_MAX = 256 * 1024 * 1024;

export interface ResyncPoint {
  /** Offset of the unverified candidate W whose stored CRC seeds X. */
  candidateBytes: number;
  /** Offset of X, the first verified frame: reading resumes here. */
  offsetBytes: number;
  /** The seed for X (W's stored CRC). */
  crcSeed: number;
}

export interface ResyncResult {
  found: ResyncPoint | null;
  /** True when the CRC budget ran out before the end of the file. */
  budgetExhausted: boolean;
}

/** A bounded read window over one file. */
class Window {
  private buf = Buffer.allocUnsafe(READ_WINDOW_BYTES);
  private start = 0;
  private length = 0;

  constructor(
    private readonly wfs: WalFileSystem,
    private readonly fd: number,
    private readonly fileSizeBytes: number,
  ) {}

  /** The bytes [offset, offset + n) as a view valid until the next call, or null past EOF. */
  view(offset: number, n: number): Buffer | null {
    if (offset + n > this.fileSizeBytes) return null;
    if (offset < this.start || offset + n > this.start + this.length) {
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
      const want = Math.min(this.buf.length, this.fileSizeBytes - offset);
      this.length = readFully(this.wfs, this.fd, this.buf, 0, want, offset);
      this.start = offset;
      if (this.length < n) return null; // the file shrank under us: treat as its end
    }
    return this.buf.subarray(offset - this.start, offset - this.start + n);
  }
}

/** The body length of a plausible frame at `at`, or 0 when the shape is wrong. */
function plausibleBodyBytes(w: Window, at: number, keyed: boolean): number {
  const head = w.view(at, FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES);
  if (!head) return 0;
  const bodyBytes = head.readUInt32LE(0);
  if (bodyBytes < RECORD_BODY_HEAD_BYTES || bodyBytes > RECORD_SIZE_BYTES_MAX) return 0;
  const type = head[FRAME_HEAD_BYTES];
  if (type !== RecordType.event && type !== RecordType.commit && type !== RecordType.structures) return 0;
  if (keyed && type === RecordType.event) {
    return RECORD_BODY_HEAD_BYTES + readEventKeyBytes(head, FRAME_HEAD_BYTES) <= bodyBytes ? bodyBytes : 0;
  }
  if (head[FRAME_HEAD_BYTES + 1] !== 0 || head[FRAME_HEAD_BYTES + 2] !== 0 || head[FRAME_HEAD_BYTES + 3] !== 0) return 0;
  return bodyBytes;
}

/**
 * The first verified frame pair (W, X) with W at or after `fromBytes` (see the heuristic
 * above). `fromBytes` must be aligned; the damaged frame itself is tried as W first, so
 * a record whose body alone is damaged costs exactly that record. `formatVersion` is the
 * segment header's (a segment whose header is unreadable is searched as the newest format:
 * its event shape accepts every format-1 event too).
 */
export function findNextFrame(wfs: WalFileSystem, fd: number, fileSizeBytes: number, fromBytes: number, formatVersion: number): ResyncResult {
  assert.ok(fromBytes % RECORD_ALIGN_BYTES === 0, 'resync must start aligned');
  const keyed = formatVersion >= FORMAT_VERSION_KEYED;
  const w = new Window(wfs, fd, fileSizeBytes);
  let crcBudgetBytes = RESYNC_CRC_BYTES_MAX;
  for (let at = fromBytes; at + FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES <= fileSizeBytes; at += RECORD_ALIGN_BYTES) {
    const word = w.view(at, 4);
    if (word !== null && word.readUInt32LE(0) === 0) {
      // Zero-filled space: jump to the next non-zero byte instead of trying every word.
      const nonZero = firstNonZeroByte(wfs, fd, at, fileSizeBytes);
      if (nonZero === null) break;
      const aligned = nonZero - (nonZero % RECORD_ALIGN_BYTES);
      // `at` itself has a zero length word, so it is never a candidate: always move on.
      at = Math.max(aligned, at + RECORD_ALIGN_BYTES) - RECORD_ALIGN_BYTES;
      continue;
    }
    const candidateBody = plausibleBodyBytes(w, at, keyed);
    if (candidateBody === 0) continue;
    const next = at + frameBytes(candidateBody);
    const nextBody = plausibleBodyBytes(w, next, keyed);
    if (nextBody === 0) continue;
    const seedView = w.view(at + 4, 4);
    if (!seedView) continue;
    const seed = seedView.readUInt32LE(0);
    if (crcBudgetBytes < nextBody) return { found: null, budgetExhausted: true };
    crcBudgetBytes -= nextBody;
    const frame = w.view(next, FRAME_HEAD_BYTES + nextBody);
    if (!frame) continue;
    if (crc32(frame.subarray(FRAME_HEAD_BYTES), seed) === frame.readUInt32LE(4)) {
      return { found: { candidateBytes: at, offsetBytes: next, crcSeed: seed }, budgetExhausted: false };
    }
  }
  return { found: null, budgetExhausted: false };
}

/** The first read of a zero scan; each next read is twice as long, up to READ_WINDOW_BYTES. */
const ZERO_SCAN_FIRST_BYTES = 512;
/** Zeros to compare with, and a buffer to read into: one of each for every scan. */
const zeros = Buffer.alloc(READ_WINDOW_BYTES);
const scratch = Buffer.allocUnsafe(READ_WINDOW_BYTES);

/**
 * Offset of the first non-zero byte in [fromBytes, toBytes), or null when all are zero.
 * Reads start small and double: a resync probing the bytes of a record finds one within a
 * few bytes, and must not pay a whole window for it (it asks once per zero word it meets:
 * at a window per question, a survey over a half-written commit in a 64 MiB segment took
 * minutes); zero-filled space is still read in whole windows.
 */
export function firstNonZeroByte(wfs: WalFileSystem, fd: number, fromBytes: number, toBytes: number): number | null {
  let chunkBytes = ZERO_SCAN_FIRST_BYTES;
  for (let at = fromBytes; at < toBytes; at += chunkBytes, chunkBytes = Math.min(READ_WINDOW_BYTES, chunkBytes * 2)) {
    const want = Math.min(chunkBytes, toBytes - at);
    const n = readFully(wfs, fd, scratch, 0, want, at);
    // A native compare first: segments are mostly zero-filled space.
    if (!scratch.subarray(0, n).equals(zeros.subarray(0, n))) {
      for (let i = 0; i < n; i++) if (scratch[i] !== 0) return at + i;
    }
    if (n < want) return null; // shrank under us
  }
  return null;
}
