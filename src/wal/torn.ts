/**
 * THE torn-versus-corrupt rule. Every reader of the log calls it where a walk stops: the
 * writer's open (which repairs only what this calls torn), the streaming reader (queries,
 * recovery), `elava verify`, `elava repair` and wal-dump. Nothing else decides.
 *
 * A crash can tear only the last write, and a disk writes a TORN_SECTOR_BYTES sector whole
 * or not at all. Segments are zero-filled (and fdatasync'd) before use, so a sector the
 * torn write never reached still reads as zeros. A stop in the newest segment is a torn
 * tail only when all of these hold:
 *   1. it shows never-written bytes: a zero length word whose sector is zero from there
 *      on; or a sector starting inside the bad record's span that is all zero; or a record
 *      whose last TORN_TAIL_ZERO_BYTES_MIN bytes are zero with the sector right after its
 *      span zero too (a write that stopped part-way); or a span that runs past the end of
 *      the file. A bad length word, a good CRC over an unknown type, or a CRC mismatch over
 *      fully written sectors (a flipped bit) is not that;
 *   2. no whole commit can be found after it: a verified commit past the damage means
 *      written history lies beyond, and cutting it could drop acknowledged commits;
 *   3. the cut keeps every commit a checkpoint covers (`floorMain`): a checkpoint is
 *      written only after what it covers is durable;
 *   4. no single flipped bit in the record's length or CRC word explains it (a length
 *      flipped larger also "runs into" the zeros after the data: the last record of the
 *      log would otherwise be cut on one bit).
 * Anything else is corruption: the open is refused and a person decides (`elava repair`).
 * Good frames in an order no writer produces are corruption wherever they are.
 */
import assert from 'node:assert/strict';
import { COMMIT_EVENTS_MAX, RECORD_ALIGN_BYTES, RECORD_SIZE_BYTES_MAX, TORN_SECTOR_BYTES, TORN_TAIL_ZERO_BYTES_MIN } from '../limits.js';
import type { CommitStop, StopProblem } from './commit-walk.js';
import { emptyLoss, surveySegment } from './damage-survey.js';
import { readFully, type WalFileSystem } from './file-system.js';
import { FRAME_HEAD_BYTES, RECORD_BODY_HEAD_BYTES, crc32, frameBytes, readU32 } from './frame.js';
import { SegmentDecoder } from './decoder.js';
import { firstNonZeroByte } from './scan-raw.js';

export type StopVerdict =
  | { kind: 'clean' }
  /** `evidence` says which never-written bytes show the write did not finish. */
  | { kind: 'torn'; evidence: string }
  /** `why` says why this cannot be the tail of an unfinished write. */
  | { kind: 'corrupt'; why: string; offsetBytes: number };

export interface StopContext {
  wfs: WalFileSystem;
  fd: number;
  sizeBytes: number;
  /** The segment is the newest one (the only place a torn write can be). */
  newest: boolean;
  /** The last whole commit before the stop (what a cut keeps). */
  lastMain: number;
  /** Every commit up to this main is known durable (a checkpoint covers it); 0: none. */
  floorMain: number;
  /** The segment header's format version. */
  formatVersion: number;
}

/** Judges where a commit walk stopped. */
export function judgeStop(stop: CommitStop, c: StopContext): StopVerdict {
  const at = stop.offsetBytes;
  if (stop.reason === 'malformed') return corrupt(`${stop.message}: good frames in an order no writer produces`, at);
  let what = stop.message;
  /** Where the damage is reported: the stop, or for bytes after the end of data, the first of them. */
  let where = at;
  if (stop.reason === 'end') {
    const junk = firstNonZeroByte(c.wfs, c.fd, at, c.sizeBytes);
    // Structures records after the last commit: in the newest segment the commit they
    // began was never written (cut them); in a sealed one the chain check decides.
    const dangling = stop.startBytes < at;
    if (junk === null && (!dangling || !c.newest)) return { kind: 'clean' };
    what = junk === null
      ? `structures records at byte ${stop.startBytes} with no commit after them`
      : `data ends at byte ${at} (a zero length word) but non-zero bytes follow at byte ${junk}`;
    if (junk !== null) where = junk - (junk % RECORD_ALIGN_BYTES);
    if (!c.newest) return corrupt(`${what}, in a sealed segment`, where);
  } else if (!c.newest) {
    return corrupt(`${what} in a sealed segment (only the newest segment can hold a torn write)`, at);
  }
  const evidence = neverWritten(c, stop);
  if (evidence === null) return corrupt(`${what}${NOT_TORN[stop.problem ?? 'end']}`, where);
  const flip = oneBitFlip(c, stop);
  if (flip !== null) return corrupt(`${what}: one flipped bit in the record's ${flip} word explains it, not an unfinished write`, where);
  const damageBytes = stop.reason === 'end' ? stop.startBytes : at;
  const after = surveySegment(c.wfs, c, damageBytes, emptyLoss(), { firstOnly: true });
  if (after.firstCommitBytes !== null) {
    return corrupt(`${what}, but a whole commit (revision ${after.firstCommitMain}) follows at byte ${after.firstCommitBytes}`, where);
  }
  if (c.floorMain > c.lastMain) {
    return corrupt(`${what}; a checkpoint covers revision ${c.floorMain}, past the last whole revision ${c.lastMain} before it`, where);
  }
  return { kind: 'torn', evidence };
}

/** Why a stop without never-written bytes is damage, by what the walk found there. */
const NOT_TORN: Record<StopProblem, string> = {
  end: ': written bytes where nothing was written yet',
  'incomplete-commit': ' over written bytes: not an unfinished write',
  'bad-length': ': a length word no writer wrote',
  'too-large': ': a length word no writer wrote',
  'past-end': ': a length word no writer wrote',
  crc: ' over fully written sectors: damage, not an unfinished write',
  'bad-type': ' under a good CRC: a whole record no writer wrote',
  'bad-key-length': ' under a good CRC: a whole record no writer wrote',
};

function corrupt(why: string, offsetBytes: number): StopVerdict {
  return { kind: 'corrupt', why, offsetBytes };
}

function sectorEnd(offsetBytes: number): number {
  return offsetBytes - (offsetBytes % TORN_SECTOR_BYTES) + TORN_SECTOR_BYTES;
}

/** Which never-written bytes the stopped record runs into, in words; null when none. */
function neverWritten(c: StopContext, stop: CommitStop): string | null {
  const at = stop.offsetBytes;
  assert.ok(at % 8 === 0, 'a stop lies on a frame boundary');
  if (at + FRAME_HEAD_BYTES > c.sizeBytes) return `the file ends at byte ${c.sizeBytes}, inside a record's length word`;
  const word = Buffer.alloc(4);
  readFully(c.wfs, c.fd, word, 0, 4, at);
  const bodyBytes = readU32(word, 0);
  if (stop.reason === 'end' || stop.problem === 'incomplete-commit') {
    // A zero length word: the writer never writes one, so its sector must be unwritten.
    const to = Math.min(sectorEnd(at), c.sizeBytes);
    return firstNonZeroByte(c.wfs, c.fd, at, to) === null ? `bytes ${at}..${to} (the rest of a sector) are zero` : null;
  }
  // A bad length word (bad-length, too-large) is written garbage; a good CRC over an
  // unknown type is a whole record as written. Only a plausible span can show a tear.
  if (stop.problem !== 'crc' && stop.problem !== 'past-end') return null;
  const end = at + frameBytes(bodyBytes);
  if (end > c.sizeBytes) return `the record at byte ${at} runs past the end of the file (byte ${c.sizeBytes})`;
  for (let s = sectorEnd(at); s < end; s += TORN_SECTOR_BYTES) {
    const to = Math.min(s + TORN_SECTOR_BYTES, c.sizeBytes);
    if (firstNonZeroByte(c.wfs, c.fd, s, to) === null) return `the sector at byte ${s}, inside the record at byte ${at}, is zero`;
  }
  // A write that stopped part-way through the record (a short write): its last bytes are
  // zero, and so is the sector right after its span. A record's own trailing zeros (padding,
  // a zero-valued last field) are far shorter than TORN_TAIL_ZERO_BYTES_MIN.
  const zeroFrom = end - TORN_TAIL_ZERO_BYTES_MIN;
  const zeroTo = Math.min(sectorEnd(end), c.sizeBytes);
  if (zeroFrom > at + FRAME_HEAD_BYTES && firstNonZeroByte(c.wfs, c.fd, zeroFrom, zeroTo) === null) {
    return `the record at byte ${at} ends in zeros that run on through byte ${zeroTo}: written part-way`;
  }
  return null;
}

/**
 * Whether one flipped bit in the bad record's CRC or length word explains the mismatch:
 * the body then verifies with the other bit value. Returns which word, or null.
 */
function oneBitFlip(c: StopContext, stop: CommitStop): 'CRC' | 'length' | null {
  if (stop.problem !== 'crc' && stop.problem !== 'past-end') return null;
  const at = stop.offsetBytes;
  // The seed of the bad record: the stored CRC of the frame before it (verified by the walk).
  const d = new SegmentDecoder(c.wfs, c.fd, c.sizeBytes, stop.startCrc, stop.startBytes, c.formatVersion);
  for (let i = 0; i < COMMIT_EVENTS_MAX && d.offsetBytes < at; i++) {
    if (typeof d.next(false) === 'string') return null;
  }
  if (d.offsetBytes !== at) return null;
  const bodyMaxBytes = Math.max(0, Math.min(RECORD_SIZE_BYTES_MAX, c.sizeBytes - at - FRAME_HEAD_BYTES));
  const buf = Buffer.alloc(FRAME_HEAD_BYTES + bodyMaxBytes);
  const n = readFully(c.wfs, c.fd, buf, 0, buf.length, at);
  const bodyBytes = readU32(buf, 0);
  const stored = readU32(buf, 4);
  const crcOf = (len: number): number => crc32(buf.subarray(FRAME_HEAD_BYTES, FRAME_HEAD_BYTES + len), d.crc);
  if (FRAME_HEAD_BYTES + bodyBytes <= n && isOneBit((crcOf(bodyBytes) ^ stored) >>> 0)) return 'CRC';
  for (let bit = 0; bit < 32; bit++) {
    const len = (bodyBytes ^ (1 << bit)) >>> 0;
    if (len < RECORD_BODY_HEAD_BYTES || FRAME_HEAD_BYTES + len > n) continue;
    if (crcOf(len) === stored) return 'length';
  }
  return null;
}

function isOneBit(x: number): boolean {
  return x !== 0 && (x & (x - 1)) === 0;
}
