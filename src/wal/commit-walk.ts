/**
 * Walks one segment commit by commit, verifying the CRC chain and the shape of every
 * commit: events numbered 0..n-1 under one main, then a commit record counting them,
 * mains strictly increasing. This is the only code that knows the commit-shape rules;
 * the reader, the writer's open, the damage survey and wal-dump all walk with it.
 *
 * It reports every stop as a value and never throws on bad bytes. A stop says whether it
 * is framing damage (bytes that do not frame: what a torn write or a flipped bit leaves)
 * or a malformed sequence of good frames (which no crash can leave: always corruption).
 * It can start in the middle of a commit, right after a resynchronisation past damage.
 */
import assert from 'node:assert/strict';
import { COMMIT_BODY_BYTES, RecordType, readU64 } from './frame.js';
import type { FrameProblem, SegmentDecoder } from './decoder.js';
import type { WalErrorCode } from './errors.js';

export interface CommitSpan {
  kind: 'commit';
  main: number;
  timeMs: number;
  eventCount: number;
  /** Offset of the commit's first frame, and the CRC that seeds it. */
  startBytes: number;
  startCrc: number;
  /** Offset just past the commit record, and the CRC of the commit record. */
  endBytes: number;
  endCrc: number;
  /** Offset of the commit record itself. */
  commitRecordBytes: number;
  /** False for the first commit after a resynchronisation that began past its first event. */
  whole: boolean;
}

export type StopProblem = FrameProblem | 'incomplete-commit';

export interface CommitStop {
  kind: 'stop';
  /**
   * 'end': a zero length word (or no room for a frame) where a commit could start;
   * 'framing': bytes that do not frame (`problem` says how);
   * 'malformed': good frames in an order no writer produces.
   */
  reason: 'end' | 'framing' | 'malformed';
  /** The framing problem ('end' for a clean end; 'bad-type' for malformed sequences). */
  problem: StopProblem | null;
  offsetBytes: number;
  code: WalErrorCode;
  message: string;
  /** The incomplete commit's good frames lie in [startBytes, offsetBytes). */
  startBytes: number;
  startCrc: number;
  /** The main of the incomplete commit's good frames (null when there are none). */
  partialMain: number | null;
}

export const PROBLEM_CODES: Record<StopProblem, WalErrorCode> = {
  end: 'WAL_BAD_RECORD',
  'bad-length': 'WAL_BAD_RECORD',
  'too-large': 'WAL_RECORD_TOO_LARGE',
  'past-end': 'WAL_RECORD_PAST_END',
  crc: 'WAL_CRC_MISMATCH',
  'bad-type': 'WAL_BAD_RECORD',
  'bad-key-length': 'WAL_BAD_RECORD',
  'incomplete-commit': 'WAL_BAD_RECORD',
};

export const PROBLEM_TEXT: Record<StopProblem, string> = {
  end: 'unexpected end of data',
  'bad-length': 'record length below the minimum',
  'too-large': 'record length over the record size limit',
  'past-end': 'record length points past the end of the file',
  crc: 'CRC mismatch',
  'bad-type': 'unknown record type',
  'bad-key-length': 'event key length runs past the record',
  'incomplete-commit': 'commit has no commit record (cut short)',
};

export class CommitWalk {
  constructor(
    private readonly decoder: SegmentDecoder,
    /** The last main of a whole commit before this point (0 when none). */
    public lastMain: number,
    /** True right after a resynchronisation: the first frame may be any event of a commit. */
    private midCommit = false,
    /** Called with the payload of every structures record, in order. */
    private readonly onStructures: (payload: Buffer, offsetBytes: number) => void = () => {},
  ) {}

  /** The next whole commit, or where and why the walk stops. */
  next(): CommitSpan | CommitStop {
    const d = this.decoder;
    const startBytes = d.offsetBytes;
    const startCrc = d.crc;
    const stop = (reason: CommitStop['reason'], problem: StopProblem | null, at: number, code: WalErrorCode, message: string): CommitStop =>
      ({ kind: 'stop', reason, problem, offsetBytes: at, code, message, startBytes, startCrc, partialMain: main === -1 ? null : main });
    const malformed = (at: number, message: string): CommitStop => stop('malformed', null, at, 'WAL_BAD_RECORD', message);
    let main = -1;
    let events = 0;
    let whole = true;
    for (;;) {
      const at = d.offsetBytes;
      const f = d.next(true);
      if (typeof f === 'string') {
        if (f === 'end' && main === -1) return stop('end', 'end', at, 'WAL_BAD_RECORD', 'end of data');
        const problem: StopProblem = f === 'end' ? 'incomplete-commit' : f;
        return stop('framing', problem, at, PROBLEM_CODES[problem], PROBLEM_TEXT[problem]);
      }
      if (f.type === RecordType.structures) {
        // A structure table (codec.ts): may stand between commits or before any event.
        if (f.main !== 0) return malformed(at, 'structures record with a revision');
        this.onStructures(d.payload(), at);
        continue;
      }
      if (main === -1) {
        main = f.main;
        if (this.midCommit) {
          // Resynchronised: the commit may have begun before the first verified frame.
          events = f.type === RecordType.event ? f.sub : 0;
          whole = f.type === RecordType.event && f.sub === 0;
        }
        if (main <= this.lastMain) return malformed(at, `revision ${main} does not follow ${this.lastMain}`);
      } else if (f.main !== main) {
        return malformed(at, `record of revision ${f.main} inside commit ${main}`);
      }
      if (f.type === RecordType.event) {
        if (f.sub !== events) return malformed(at, `event ${main}.${f.sub} out of order (expected sub ${events})`);
        events++;
        continue;
      }
      if (f.sub !== events && !this.midCommit) return malformed(at, `commit ${main} counts ${f.sub} events but holds ${events}`);
      if (f.bodyBytes < COMMIT_BODY_BYTES) return malformed(at, `commit record of ${main} is too short`);
      const timeMs = readU64(d.payload(), 0);
      // Pair of the encoder's checks before the write: a CRC-verified commit record holds
      // what the encoder allowed, or the writer has a bug.
      if (!(Number.isSafeInteger(main) && main > 0 && Number.isSafeInteger(timeMs))) {
        assert.fail(`CRC-verified commit ${main} at ${at} holds a revision or time the writer never writes`);
      }
      this.lastMain = main;
      this.midCommit = false;
      return {
        kind: 'commit', main, timeMs, eventCount: f.sub, startBytes, startCrc,
        endBytes: f.nextBytes, endCrc: f.crc, commitRecordBytes: at, whole,
      };
    }
  }
}
