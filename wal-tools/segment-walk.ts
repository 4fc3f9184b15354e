/**
 * Walks one segment file: its header, then commit by commit with two cursors (one runs
 * ahead verifying a whole commit, the other follows to decode it, as src/wal/reader.ts
 * does), so every event is shown with its commit's time and memory stays bounded.
 *
 * Where the walk stops decides what the damage means:
 * - the end of data with only zeros after it: clean;
 * - in the newest segment, damage after which no valid frame can be found: a torn tail
 *   (what a crash leaves; the writer cuts it on open). Before saying so the segment is
 *   re-read once after a short pause, because a live writer may be mid-record;
 * - anything else is corruption, including damage in the newest segment followed by valid
 *   records (the next open would cut those off) and good frames in a wrong order.
 */
import { HEADER_TEXT } from '../src/wal/segment.js';
import fs from 'node:fs';
import { SEGMENT_HEADER_BYTES, RECORD_ALIGN_BYTES } from '../src/limits.js';
import { PayloadDecoder, decodeStructures } from '../src/wal/codec.js';
import { SegmentDecoder } from '../src/wal/decoder.js';
import { nodeFileSystem, openRegularFile, readFully } from '../src/wal/file-system.js';
import { FORMAT_VERSION, RecordType, decodeHeader, type SegmentHeader } from '../src/wal/frame.js';
import { findNextFrame, firstNonZeroByte } from '../src/wal/scan-raw.js';
import { CommitWalk, type CommitSpan, type CommitStop } from '../src/wal/commit-walk.js';
import { judgeStop } from '../src/wal/torn.js';
import { isWalError } from '../src/wal/errors.js';
import type { Problem } from './problems.js';
import type { SegmentFile } from './segment-list.js';
import { HEX_SHOWN_BYTES_MAX, type EventItem, type WalkItem } from './walk-items.js';

export interface WalkFlags {
  /** Go on past damage (resynchronise) and yield what was skipped. */
  raw: boolean;
  /** In the newest segment, stop quietly at damage: it may be a record being written. */
  follow: boolean;
  /** Pause before re-reading a damaged newest segment (0: re-read at once). */
  settleMs: number;
}

/** State shared by the segments of one walk: the structure table in force. */
export interface WalkContext {
  flags: WalkFlags;
  payloads: PayloadDecoder;
  /** The highest revision a checkpoint beside the log covers (torn.ts never cuts below it). */
  floorMain: number;
}

/** A position after a whole commit: where reading can safely resume. */
export interface Resume {
  offsetBytes: number;
  crc: number;
  lastMain: number;
}

export interface SegmentOutcome {
  resume: Resume;
  /** The walk reached the end of written data with nothing wrong on the way. */
  clean: boolean;
}

/** Re-reads of a damaged newest segment that made no progress, before judging it. */
const SETTLE_ROUNDS = 1;
/** Bound on the rounds of one segment walk (each makes progress or uses a settle round). */
const ROUNDS_MAX = 100_000_000;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

function alignDown(n: number): number {
  return n - (n % RECORD_ALIGN_BYTES);
}

export class SegmentWalk {
  private sizeBytes: number;
  private damaged = false;
  /**
   * The header's format version; a header that does not decode (--raw) is read as the
   * newest format, whose event shape also accepts every format-1 event.
   */
  private readonly formatVersion: number;

  private readonly flags: WalkFlags;

  private constructor(
    readonly file: SegmentFile,
    private readonly fd: number,
    private readonly context: WalkContext,
  ) {
    this.flags = context.flags;
    this.sizeBytes = fs.fstatSync(fd).size;
    const header = this.decodeHeader();
    this.formatVersion = typeof header === 'string' ? FORMAT_VERSION : header.formatVersion;
  }

  private decodeHeader(): ReturnType<typeof decodeHeader> {
    const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const n = readFully(nodeFileSystem, this.fd, buf, 0, SEGMENT_HEADER_BYTES, 0);
    return decodeHeader(buf.subarray(0, n));
  }

  /** Opens the file read-only; an open failure is an operating error (exit 1). */
  static open(file: SegmentFile, context: WalkContext): SegmentWalk | Problem {
    let fd: number | null = null;
    try {
      fd = openRegularFile(nodeFileSystem, file.path, 'r');
      return new SegmentWalk(file, fd, context);
    } catch (err) {
      if (fd !== null) fs.closeSync(fd);
      if (isWalError(err, 'WAL_NOT_REGULAR_FILE')) {
        return { severity: 'error', code: err.code, segment: file.name, offsetBytes: null, message: 'not a regular file (a FIFO, a device or a directory?)' };
      }
      const code = (err as { code?: unknown }).code;
      return { severity: 'error', code: 'WAL_IO', segment: file.name, offsetBytes: null, message: `cannot read the segment file (${typeof code === 'string' ? code : String(err)})` };
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** The decoded header, or the problem with it (always corruption: a crash cannot leave one). */
  readHeader(): SegmentHeader | Problem {
    const header = this.decodeHeader();
    const problem = (message: string): Problem => ({ severity: 'corruption', code: 'WAL_BAD_HEADER', segment: this.file.name, offsetBytes: 0, message });
    if (typeof header === 'string') {
      return problem(header === 'short' ? `${HEADER_TEXT.short} (${this.sizeBytes} bytes)` : HEADER_TEXT[header]);
    }
    const named = this.file.parsed;
    if (named && (named.sequence !== header.sequence || named.firstMain !== header.firstMain)) {
      return problem(`header says sequence ${header.sequence}, first revision ${header.firstMain}; the file name says ${named.sequence}, ${named.firstMain} (a segment renamed or swapped?)`);
    }
    return header;
  }

  headerItem(header: SegmentHeader): WalkItem {
    return { kind: 'header', segment: this.file.name, sizeBytes: this.sizeBytes, ...header };
  }

  /**
   * Every record from `start` on (a commit boundary, or with `midCommit` a resync point),
   * then the outcome. Problems are yielded as items.
   */
  *records(start: Resume, midCommit: boolean): Generator<WalkItem, SegmentOutcome> {
    let resume = start;
    let settleLeft = SETTLE_ROUNDS;
    for (let round = 0; round < ROUNDS_MAX; round++) {
      const before = resume.offsetBytes;
      const stop: CommitStop = yield* this.commits(resume, midCommit, (r) => (resume = r));
      midCommit = false;
      if (resume.offsetBytes > before) settleLeft = SETTLE_ROUNDS;
      const newest = this.file.tornAllowed && !this.damaged;
      // Following, the end of the newest segment is where the writer is: nothing to judge yet.
      if (newest && this.flags.follow && stop.reason !== 'malformed') return { resume, clean: stop.reason === 'end' };
      const verdict = this.judge(stop, resume);
      if (verdict === null) {
        yield* this.partial(stop); // structures records after the last commit, if any
        return { resume, clean: !this.damaged };
      }
      if (newest && settleLeft > 0 && stop.reason !== 'malformed') {
        settleLeft--;
        sleepMs(this.flags.settleMs);
        this.sizeBytes = fs.fstatSync(this.fd).size;
        continue;
      }
      if (stop.reason !== 'end') yield* this.partial(stop);
      yield { kind: 'problem', problem: verdict };
      this.damaged = true;
      if (!this.flags.raw) return { resume, clean: false };
      const next = yield* this.resync(stop.reason === 'end' ? alignDown(verdict.offsetBytes ?? stop.offsetBytes) : stop.offsetBytes);
      if (next === null) return { resume, clean: false };
      resume = { offsetBytes: next.offsetBytes, crc: next.crc, lastMain: resume.lastMain };
      midCommit = true;
    }
    throw new Error(`segment walk of ${this.file.name} made no progress`);
  }

  /** --raw with a bad header: the records of the first verified frame pair on. */
  *recordsAfterResync(fromBytes: number, lastMain: number): Generator<WalkItem, SegmentOutcome> {
    this.damaged = true;
    const next = yield* this.resync(fromBytes);
    const resume = { offsetBytes: next?.offsetBytes ?? fromBytes, crc: next?.crc ?? 0, lastMain };
    if (next === null) return { resume, clean: false };
    return yield* this.records(resume, true);
  }

  /** Whole commits from `start`, each replayed as items; returns where and why it stopped. */
  private *commits(start: Resume, midCommit: boolean, advance: (r: Resume) => void): Generator<WalkItem, CommitStop> {
    const ahead = new SegmentDecoder(nodeFileSystem, this.fd, this.sizeBytes, start.crc, start.offsetBytes, this.formatVersion);
    const behind = new SegmentDecoder(nodeFileSystem, this.fd, this.sizeBytes, start.crc, start.offsetBytes, this.formatVersion);
    const walk = new CommitWalk(ahead, start.lastMain, midCommit);
    for (;;) {
      const span = walk.next();
      if (span.kind === 'stop') return span;
      yield* this.replay(behind, span.startBytes, span.startCrc, span.endBytes, span);
      advance({ offsetBytes: span.endBytes, crc: span.endCrc, lastMain: span.main });
    }
  }

  /** The good frames of a commit cut short, shown as uncommitted events. */
  private *partial(stop: CommitStop): Generator<WalkItem> {
    if (stop.offsetBytes <= stop.startBytes) return;
    const behind = new SegmentDecoder(nodeFileSystem, this.fd, this.sizeBytes, stop.startCrc, stop.startBytes, this.formatVersion);
    yield* this.replay(behind, stop.startBytes, stop.startCrc, stop.offsetBytes, null);
  }

  /** Re-reads frames in [fromBytes, toBytes) that the ahead cursor verified. */
  private *replay(behind: SegmentDecoder, fromBytes: number, crc: number, toBytes: number, span: CommitSpan | null): Generator<WalkItem> {
    behind.seek(fromBytes, crc);
    while (behind.offsetBytes < toBytes) {
      const f = behind.next(false);
      if (typeof f === 'string') throw Object.assign(new Error(`segment changed under the reader at byte ${behind.offsetBytes}`), { code: 'EIO' });
      if (f.type === RecordType.structures) {
        yield* this.structures(behind, f.offsetBytes, f.bodyBytes, f.sub);
        continue;
      }
      if (f.type === RecordType.commit) {
        yield { kind: 'commit', segment: this.file.name, offsetBytes: f.offsetBytes, bodyBytes: f.bodyBytes, main: f.main, eventCount: f.sub, timeMs: span?.timeMs ?? 0 };
        continue;
      }
      const item: EventItem = {
        kind: 'event', segment: this.file.name, offsetBytes: f.offsetBytes, bodyBytes: f.bodyBytes, main: f.main, sub: f.sub,
        timeMs: span ? span.timeMs : null, committed: span !== null, key: behind.key(), tag: f.tag, payload: undefined, payloadError: false,
      };
      try {
        item.payload = this.context.payloads.decode(behind.payload());
      } catch {
        item.payloadError = true;
      }
      yield item;
      if (item.payloadError) {
        yield { kind: 'problem', problem: { severity: 'corruption', code: 'WAL_BAD_PAYLOAD', segment: this.file.name, offsetBytes: f.offsetBytes, message: `event ${f.main}.${f.sub} has a good CRC but its payload does not decode` } };
      }
    }
  }

  /** Adopts a structure table (later events decode with it) and yields it as a record. */
  private *structures(behind: SegmentDecoder, offsetBytes: number, bodyBytes: number, tableLength: number): Generator<WalkItem> {
    let table: string[][] | null = null;
    try {
      table = decodeStructures(behind.payload());
      this.context.payloads.useStructures(table);
    } catch {
      table = null;
    }
    yield { kind: 'structures', segment: this.file.name, offsetBytes, bodyBytes, tableLength, table };
    if (table === null) {
      yield { kind: 'problem', problem: { severity: 'corruption', code: 'WAL_BAD_PAYLOAD', segment: this.file.name, offsetBytes, message: 'structures record has a good CRC but does not decode' } };
    }
  }

  /** null when the stop is a clean end of data; otherwise the problem it is (torn.ts decides). */
  private judge(stop: CommitStop, resume: Resume): Problem | null {
    const verdict = judgeStop(stop, {
      wfs: nodeFileSystem, fd: this.fd, sizeBytes: this.sizeBytes, newest: this.file.tornAllowed,
      lastMain: resume.lastMain, floorMain: this.context.floorMain, formatVersion: this.formatVersion,
    });
    if (verdict.kind === 'clean') return null;
    if (verdict.kind === 'torn') {
      return {
        severity: 'torn-tail', code: 'WAL_BAD_RECORD', segment: this.file.name, offsetBytes: resume.offsetBytes,
        message: `torn tail after revision ${resume.lastMain}: ${verdict.evidence}; normal after a crash, the next open cuts the segment here`,
      };
    }
    const code = stop.reason === 'framing' ? stop.code : 'WAL_BAD_RECORD';
    const refusal = this.file.tornAllowed ? '; the writer refuses to open the log until `elava repair`' : '';
    return { severity: 'corruption', code, segment: this.file.name, offsetBytes: verdict.offsetBytes, message: verdict.why + refusal };
  }

  /** --raw: finds the next verified frame after `fromBytes`, yielding the gap; null at the end. */
  private *resync(fromBytes: number): Generator<WalkItem, { offsetBytes: number; crc: number } | null> {
    const r = findNextFrame(nodeFileSystem, this.fd, this.sizeBytes, fromBytes, this.formatVersion);
    const endBytes = r.found ? r.found.offsetBytes : this.sizeBytes;
    if (r.found || firstNonZeroByte(nodeFileSystem, this.fd, fromBytes, endBytes) !== null) {
      const sample = Buffer.alloc(Math.min(HEX_SHOWN_BYTES_MAX, endBytes - fromBytes));
      const n = readFully(nodeFileSystem, this.fd, sample, 0, sample.length, fromBytes);
      yield { kind: 'skipped', segment: this.file.name, offsetBytes: fromBytes, lengthBytes: endBytes - fromBytes, sample: sample.subarray(0, n) };
    }
    return r.found ? { offsetBytes: r.found.offsetBytes, crc: r.found.crcSeed } : null;
  }
}
