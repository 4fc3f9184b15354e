/**
 * The streaming reader: every entry from a revision on, across segments, in bounded
 * memory. Two cursors walk each segment: one runs ahead verifying CRCs and commit shape
 * until it finds a commit's end; the other follows to decode and hand out that commit's
 * events. So a commit whose end never reached the disk is never handed out, and no
 * commit is ever held in memory whole.
 *
 * Where a walk stops, torn.ts judges: a clean end, a torn tail in the newest segment
 * (the log ends at the last whole commit; the writer repairs it on open), or damage. Damage
 * throws a WalError naming the file, the offset, the last whole revision before it and the
 * whole commits after it; with `onDamage: 'stop'` (read-only queries) the log instead ends
 * at the last whole commit before the damage and `tail.damage` says what is wrong.
 *
 * A reader that follows a growing log (the fan-in forwarder) resumes where its last read
 * stopped: `position` (just past the last whole commit, with the running CRC and the
 * structure table there) given back as `resume` starts the next read at that byte instead
 * of verifying the segment again from its first record.
 */
import assert from 'node:assert/strict';
import { SEGMENT_HEADER_BYTES } from '../limits.js';
import { PayloadDecoder, decodeStructures, type StructureTable } from './codec.js';
import { CommitWalk, type CommitStop } from './commit-walk.js';
import { damageError, describeDamage, surveySegmentsFrom, type LogDamage } from './damage.js';
import { emptyLoss } from './damage-survey.js';
import { SegmentDecoder, type Frame } from './decoder.js';
import { WalError, isDamageCode } from './errors.js';
import { judgeStop } from './torn.js';
import { nodeFileSystem, type WalFileSystem } from './file-system.js';
import { RecordType } from './frame.js';
import { listSegments, openSegment, type OpenSegment } from './segment.js';
import type { SegmentName } from './segment-name.js';
import { OnDemandEvent, PayloadTurns, decodePayload } from './on-demand-event.js';
import type { LogEntryRead, RecordLocation } from './types.js';

export interface ReadOptions {
  /** First revision main to hand out (earlier commits are skipped, still verified). */
  fromMain?: number;
  /** Hand out payloads decoded (default) or as undefined (scans that need only positions). */
  decode?: boolean;
  /**
   * With `decode`: decode every payload as it is read ('eager', default), or hand out
   * events that decode their payload when it is first read ('on-demand', on-demand-event.ts):
   * only before the next entry is asked for; after that a first read throws.
   */
  payloads?: 'eager' | 'on-demand';
  /** Hand out entries at all (false: only verify, and fill in `tail`). Default true. */
  emit?: boolean;
  fs?: WalFileSystem;
  /** Every commit up to this main is known durable (a checkpoint covers it): never torn. */
  knownDurableMain?: number;
  /** On damage: throw a WalError (default), or end the log before it and fill tail.damage. */
  onDamage?: 'throw' | 'stop';
  /**
   * Start at this position (an earlier reader's `position`) instead of at the start of the
   * segment holding `fromMain`; what lies before it is not verified again. Ignored when
   * its segment is gone (compacted away): the read starts as without it.
   */
  resume?: ReadPosition;
}

/** Just past a whole commit: where a later read can start, and what it needs there. */
export interface ReadPosition {
  segment: string;
  offsetBytes: number;
  /** The running CRC after that commit (the seed of the next record). */
  crc: number;
  /** That commit's main. */
  lastMain: number;
  /** The structure table in force after that commit. */
  structures: StructureTable;
}

/** How the log ended: cleanly, or at a torn tail in its last segment. */
export interface LogTail {
  segment: string | null;
  /** Offset just past the last whole commit. */
  lastCommitEndBytes: number;
  lastMain: number;
  /** The running CRC after the last whole commit. */
  crc: number;
  /** Where the torn tail begins and which never-written bytes show it; null: none. */
  torn: { stop: CommitStop; evidence: string } | null;
  /** With onDamage 'stop': the damage the log ends at; null: none. */
  damage: LogDamage | null;
}

export class LogReader {
  private readonly wfs: WalFileSystem;
  /** Filled in as reading goes; final once entries() is exhausted. */
  tail: LogTail = { segment: null, lastCommitEndBytes: 0, lastMain: 0, crc: 0, torn: null, damage: null };
  /**
   * Just past the last whole commit walked (handed out or skipped); set before a commit's
   * own entry is handed out, so a caller that stops there can resume after it. Null until
   * a commit is walked.
   */
  position: ReadPosition | null = null;
  /**
   * The newest structure table of a whole commit read so far (decodes every record handed
   * out). A table logged inside a commit whose end never reached the disk is not adopted:
   * repair cuts it, and a writer must not believe it is logged.
   */
  structures: StructureTable = [];
  /** A table read ahead, adopted once the commit it belongs to proves whole. */
  private pendingStructures: StructureTable | null = null;
  private readonly payloads = new PayloadDecoder();
  private readonly turns = new PayloadTurns(this.payloads);

  constructor(
    readonly dir: string,
    private readonly options: ReadOptions = {},
  ) {
    this.wfs = options.fs ?? nodeFileSystem;
    assert.ok(options.payloads !== 'on-demand' || options.decode !== false, "payloads 'on-demand' needs decode");
  }

  *entries(): Generator<LogEntryRead> {
    const segments = listSegments(this.wfs, this.dir);
    const fromMain = this.options.fromMain ?? 0;
    const resume = this.options.resume;
    const resumeAt = resume === undefined ? -1 : segments.findIndex((s) => s.name === resume.segment);
    let first = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.firstMain <= fromMain) first = i;
    let prevEndCrc: number | null = null;
    let lastMain = 0;
    if (resume !== undefined && resumeAt >= 0) {
      assert.ok(resume.lastMain >= 1 && resume.offsetBytes >= SEGMENT_HEADER_BYTES, 'a read position lies after a commit');
      assert.ok(fromMain === 0 || fromMain > resume.lastMain, 'a resumed read wants only commits after its position');
      first = resumeAt;
      lastMain = resume.lastMain;
      this.structures = resume.structures;
      this.payloads.useStructures(resume.structures);
    }
    for (let i = first; i < segments.length && this.tail.damage === null; i++) {
      const seg = this.openChecked(segments, i, prevEndCrc);
      if (seg === null) return;
      try {
        if (lastMain === 0) lastMain = Math.max(0, seg.header.firstMain - 1);
        const from = i === resumeAt && i === first ? resume ?? null : null;
        yield* this.segmentEntries(seg, segments, i, lastMain, fromMain, from);
        prevEndCrc = this.tail.crc;
        lastMain = this.tail.lastMain;
      } finally {
        this.wfs.closeSync(seg.fd);
      }
    }
  }

  /** Opens segment i and checks its header and chain; null when that damage ends the log. */
  private openChecked(segments: SegmentName[], i: number, prevEndCrc: number | null): OpenSegment | null {
    let seg: OpenSegment | null = null;
    try {
      seg = openSegment(this.wfs, this.dir, segments[i]!);
      checkChain(seg, prevEndCrc, segments[i - 1]);
      return seg;
    } catch (err) {
      if (seg !== null) this.wfs.closeSync(seg.fd);
      if (!(err instanceof WalError) || this.options.onDamage !== 'stop' || !isDamageCode(err.code)) throw err;
      const lost = surveySegmentsFrom(this.wfs, this.dir, segments, i + 1, emptyLoss());
      lost.complete = false; // the damaged segment itself is not surveyed
      this.tail.damage = { code: err.code, segment: segments[i]!.name, offsetBytes: err.offsetBytes ?? 0, why: err.message, lastMain: this.tail.lastMain, lost };
      return null;
    }
  }

  private adoptStructures(bytes: Buffer, segment: string, offsetBytes: number): void {
    let table: StructureTable;
    try {
      table = decodeStructures(bytes);
    } catch (err) {
      throw new WalError('WAL_BAD_PAYLOAD', 'structures record does not decode', { segment, offsetBytes, cause: err });
    }
    if (table.length >= (this.pendingStructures ?? this.structures).length) this.pendingStructures = table;
  }

  /** The commit read ahead is whole: the tables logged in it are now in force. */
  private commitStructures(): void {
    if (this.pendingStructures === null) return;
    this.structures = this.pendingStructures;
    this.payloads.useStructures(this.pendingStructures);
    this.pendingStructures = null;
  }

  private *segmentEntries(
    seg: OpenSegment, segments: SegmentName[], index: number, lastMain: number, fromMain: number, from: ReadPosition | null,
  ): Generator<LogEntryRead> {
    const startBytes = from?.offsetBytes ?? SEGMENT_HEADER_BYTES;
    const startCrc = from?.crc ?? seg.header.prevCrc;
    const version = seg.header.formatVersion;
    const ahead = new SegmentDecoder(this.wfs, seg.fd, seg.sizeBytes, startCrc, startBytes, version);
    const behind = new SegmentDecoder(this.wfs, seg.fd, seg.sizeBytes, startCrc, startBytes, version);
    const walk = new CommitWalk(ahead, lastMain, false, (bytes, at) => this.adoptStructures(bytes, seg.name, at));
    const decode = this.options.decode ?? true;
    const onDemand = decode && this.options.payloads === 'on-demand';
    const emit = this.options.emit ?? true;
    this.tail = { segment: seg.name, lastCommitEndBytes: ahead.offsetBytes, lastMain, crc: ahead.crc, torn: null, damage: null };
    for (;;) {
      const span = walk.next();
      if (span.kind === 'stop') {
        this.stopAt(seg, segments, index, span);
        return;
      }
      this.commitStructures();
      const after: ReadPosition = { segment: seg.name, offsetBytes: span.endBytes, crc: span.endCrc, lastMain: span.main, structures: this.structures };
      if (emit && span.main >= fromMain) {
        behind.seek(span.startBytes, span.startCrc);
        for (;;) {
          const f = nextVerified(behind, seg.name);
          if (f.type === RecordType.structures) continue; // adopted by the walk already
          const location = { segment: seg.name, offsetBytes: f.offsetBytes };
          if (f.type === RecordType.event) {
            // Pair of the encoder's placement: the events the walk verified, in sub order.
            if (f.main !== span.main || f.sub >= span.eventCount) assert.fail(`event ${f.main}.${f.sub} outside its verified commit ${span.main}`);
            if (onDemand) {
              yield* this.onDemand(behind, f, span.timeMs, location);
              continue;
            }
            const payload = decode ? decodePayload(this.payloads, behind.payload(), seg.name, f.offsetBytes) : undefined;
            yield { kind: 'event', main: f.main, sub: f.sub, timeMs: span.timeMs, payload, key: behind.key(), tag: f.tag, location };
            continue;
          }
          this.position = after;
          yield { kind: 'commit', main: span.main, timeMs: span.timeMs, eventCount: span.eventCount, location };
          break;
        }
      }
      this.position = after;
      this.tail = { segment: seg.name, lastCommitEndBytes: span.endBytes, lastMain: span.main, crc: span.endCrc, torn: null, damage: null };
    }
  }

  /** Hands out the event `behind` stands at, its payload decodable until the reader moves on. */
  private *onDemand(behind: SegmentDecoder, f: Frame, timeMs: number, location: RecordLocation): Generator<LogEntryRead> {
    const turn = this.turns.enter(behind, location.segment, location.offsetBytes);
    try {
      yield new OnDemandEvent(f.main, f.sub, timeMs, behind.key(), f.tag, location, this.turns, turn);
    } finally {
      this.turns.leave();
    }
  }

  /** Where the walk of segment `index` stopped: a clean end, a torn tail, or damage. */
  private stopAt(seg: OpenSegment, segments: SegmentName[], index: number, stop: CommitStop): void {
    const verdict = judgeStop(stop, {
      wfs: this.wfs, fd: seg.fd, sizeBytes: seg.sizeBytes, newest: index === segments.length - 1,
      lastMain: this.tail.lastMain, floorMain: this.options.knownDurableMain ?? 0, formatVersion: seg.header.formatVersion,
    });
    if (verdict.kind === 'clean') return;
    if (verdict.kind === 'torn') {
      this.tail.torn = { stop, evidence: verdict.evidence };
      return;
    }
    const damage = describeDamage(this.wfs, this.dir, segments, index, seg, stop, verdict, this.tail.lastMain);
    if (this.options.onDamage === 'stop') {
      this.tail.damage = damage;
      return;
    }
    throw damageError(damage);
  }
}

/**
 * The next frame of a span the walk ahead verified. In a log a writer is appending to, the
 * decoder's window can hold bytes read before the writer wrote them (zeros where the walk
 * ahead, reading later, found a commit): the window is read again once before the frame is
 * called missing.
 */
function nextVerified(behind: SegmentDecoder, segment: string): Frame {
  let f = behind.next(false);
  if (typeof f === 'string') {
    behind.forgetWindow();
    f = behind.next(false);
  }
  if (typeof f === 'string') throw new WalError('WAL_IO', 'segment changed under the reader', { segment, offsetBytes: behind.offsetBytes });
  return f;
}

function checkChain(seg: OpenSegment, prevEndCrc: number | null, prev: SegmentName | undefined): void {
  if (prevEndCrc === null || seg.header.prevCrc === prevEndCrc) return;
  throw new WalError(
    'WAL_CHAIN_BROKEN',
    `segment carries CRC ${seg.header.prevCrc.toString(16)} but ${prev?.name ?? 'the previous segment'} ends at ${prevEndCrc.toString(16)}: the previous segment was cut short or replaced`,
    { segment: seg.name, offsetBytes: 0 },
  );
}


/** Convenience: every entry from `fromMain` on. */
export function readLog(dir: string, options: ReadOptions = {}): Generator<LogEntryRead> {
  return new LogReader(dir, options).entries();
}
