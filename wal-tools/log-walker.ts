/**
 * Walks a whole log, segment after segment, checking what ties segments together: the
 * sequence numbers are contiguous, each header carries the CRC the previous segment ended
 * with, and revisions keep increasing across the boundary. Per-segment checks live in
 * segment-walk.ts. Every problem passes through here into `problems`.
 *
 * For --follow the walker keeps a cursor after the last whole commit of the newest
 * segment; calling walk() again with a fresh listing continues from there, and finishes
 * that segment as a sealed one once a newer segment has appeared.
 */
import { SEGMENT_HEADER_BYTES } from '../src/limits.js';
import { errnoCode } from '../src/wal/errors.js';
import type { SegmentHeader } from '../src/wal/frame.js';
import { ProblemLog, type Problem } from './problems.js';
import type { SegmentFile, SegmentListing } from './segment-list.js';
import { PayloadDecoder } from '../src/wal/codec.js';
import { SegmentWalk, type Resume, type SegmentOutcome, type WalkContext, type WalkFlags } from './segment-walk.js';
import type { WalkItem } from './walk-items.js';

type Begin =
  | { kind: 'read'; start: Resume; sequence: number }
  | { kind: 'resync' | 'skip'; sequence: number };

export interface WalkOptions extends WalkFlags {
  /** Stop at the first segment with damage (a dump) or go on to report every segment (verify). */
  stopAtDamage: boolean;
  /** Start at the segment holding this revision; earlier segments are not read (nor verified). */
  fromMain: number | null;
}

interface Previous {
  name: string;
  sequence: number;
  /** The CRC the segment ended with, or null when it was damaged (the chain cannot be checked). */
  endCrc: number | null;
  lastMain: number;
}

interface Cursor {
  name: string;
  resume: Resume;
  /** What preceded the cursor's segment, restored when it is walked again. */
  before: Previous | null;
  sequence: number;
}

export class LogWalker {
  readonly problems = new ProblemLog();
  /** True once the walk stopped early (damage with stopAtDamage). */
  stopped = false;
  segmentsRead = 0;
  private prev: Previous | null = null;
  private cursor: Cursor | null = null;
  /** The last segment walked: a later walk() without a cursor starts after it. */
  private lastName: string | null = null;
  private readonly reportedNames = new Set<string>();

  private readonly context: WalkContext;

  constructor(private readonly options: WalkOptions) {
    this.context = { flags: options, payloads: new PayloadDecoder(), floorMain: 0 };
  }

  *walk(listing: SegmentListing): Generator<WalkItem> {
    this.context.floorMain = listing.floorMain;
    for (const p of listing.problems) {
      if (p.segment !== null && this.reportedNames.has(p.segment)) continue;
      if (p.segment !== null) this.reportedNames.add(p.segment);
      yield this.report(p);
    }
    const files = listing.files;
    let i = this.startIndex(files);
    if (i < 0) return;
    for (; i < files.length && !this.stopped; i++) {
      const file = files[i]!;
      const cursor = this.cursor?.name === file.name ? this.cursor : null;
      yield* this.walkFile(file, cursor);
      this.lastName = file.name;
      if (this.stopAtDamage()) this.stopped = true;
    }
  }

  private stopAtDamage(): boolean {
    const worst = this.problems.exitClass;
    return this.options.stopAtDamage && (worst === 'corruption' || worst === 'error');
  }

  private startIndex(files: readonly SegmentFile[]): number {
    if (this.cursor) {
      const at = files.findIndex((f) => f.name === this.cursor!.name);
      if (at < 0) {
        this.problems.add({ severity: 'error', code: 'WAL_IO', segment: this.cursor.name, offsetBytes: null, message: 'segment disappeared while being followed' });
        this.stopped = true;
      }
      return at;
    }
    if (this.lastName !== null) {
      const at = files.findIndex((f) => f.name === this.lastName);
      return at < 0 ? files.length : at + 1;
    }
    const from = this.options.fromMain;
    let start = 0;
    if (from !== null) {
      for (let i = 0; i < files.length; i++) {
        const parsed = files[i]!.parsed;
        if (parsed && parsed.firstMain <= from) start = i;
      }
    }
    return start;
  }

  private *walkFile(file: SegmentFile, cursor: Cursor | null): Generator<WalkItem> {
    const seg = SegmentWalk.open(file, this.context);
    if (!(seg instanceof SegmentWalk)) {
      yield this.report(seg);
      this.prev = { name: file.name, sequence: (this.prev?.sequence ?? -1) + 1, endCrc: null, lastMain: this.prev?.lastMain ?? 0 };
      return;
    }
    this.segmentsRead++;
    try {
      if (cursor) this.prev = cursor.before;
      const before = this.prev;
      const begun: Begin = cursor ? { kind: 'read', start: cursor.resume, sequence: cursor.sequence } : yield* this.begin(seg);
      if (begun.kind === 'skip') {
        this.prev = { name: file.name, sequence: begun.sequence, endCrc: null, lastMain: before?.lastMain ?? 0 };
        return;
      }
      const outcome = yield* this.track(
        begun.kind === 'read' ? seg.records(begun.start, false) : seg.recordsAfterResync(SEGMENT_HEADER_BYTES, before?.lastMain ?? 0),
      );
      this.prev = { name: file.name, sequence: begun.sequence, endCrc: outcome.clean ? outcome.resume.crc : null, lastMain: outcome.resume.lastMain };
      if (file.tornAllowed) this.cursor = { name: file.name, resume: outcome.resume, before, sequence: begun.sequence };
    } catch (err) {
      yield this.report({ severity: 'error', code: 'WAL_IO', segment: file.name, offsetBytes: null, message: `read failed (${errnoCode(err) ?? String(err)})` });
      this.prev = { name: file.name, sequence: (this.prev?.sequence ?? -1) + 1, endCrc: null, lastMain: this.prev?.lastMain ?? 0 };
    } finally {
      seg.close();
    }
  }

  /**
   * Reads and checks the header against the previous segment: where reading starts, or
   * that the segment is skipped (bad header), or searched frame by frame (bad header, --raw).
   */
  private *begin(seg: SegmentWalk): Generator<WalkItem, Begin> {
    const header = seg.readHeader();
    if (!isHeader(header)) {
      yield this.report(header);
      const sequence = seg.file.parsed?.sequence ?? (this.prev?.sequence ?? -1) + 1;
      return { kind: this.options.raw ? 'resync' : 'skip', sequence };
    }
    yield seg.headerItem(header);
    const lastMain = this.prev?.lastMain ?? 0;
    for (const p of this.boundaryProblems(seg.file.name, header)) yield this.report(p);
    const start = { offsetBytes: SEGMENT_HEADER_BYTES, crc: header.prevCrc, lastMain: Math.max(lastMain, header.firstMain - 1) };
    return { kind: 'read', start, sequence: header.sequence };
  }

  private boundaryProblems(name: string, header: SegmentHeader): Problem[] {
    const prev = this.prev;
    if (!prev) return [];
    const at = { segment: name, offsetBytes: 0 };
    const problems: Problem[] = [];
    if (header.sequence !== prev.sequence + 1) {
      problems.push({ severity: 'corruption', code: 'WAL_SEQUENCE_GAP', ...at, message: `segment sequence jumps from ${prev.sequence} to ${header.sequence}: a segment is missing after ${prev.name}` });
    } else if (prev.endCrc !== null && header.prevCrc !== prev.endCrc) {
      problems.push({ severity: 'corruption', code: 'WAL_CHAIN_BROKEN', ...at, message: `header carries CRC ${hex(header.prevCrc)} but ${prev.name} ends at CRC ${hex(prev.endCrc)}: that segment was cut short or replaced` });
    }
    if (header.firstMain <= prev.lastMain) {
      problems.push({ severity: 'corruption', code: 'WAL_BAD_HEADER', ...at, message: `segment starts at revision ${header.firstMain} but ${prev.name} already reached ${prev.lastMain}` });
    }
    return problems;
  }

  /** Passes items through, recording problems. */
  private *track(items: Generator<WalkItem, SegmentOutcome>): Generator<WalkItem, SegmentOutcome> {
    for (;;) {
      const r = items.next();
      if (r.done) return r.value;
      if (r.value.kind === 'problem') this.problems.add(r.value.problem);
      yield r.value;
    }
  }

  private report(problem: Problem): WalkItem {
    this.problems.add(problem);
    return { kind: 'problem', problem };
  }
}

function isHeader(h: SegmentHeader | Problem): h is SegmentHeader {
  return !('severity' in h);
}

function hex(crc: number): string {
  return crc.toString(16).padStart(8, '0');
}
