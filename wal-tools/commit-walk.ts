/**
 * Walks one segment commit by commit like src/wal/commit-scanner.ts, but reports every
 * stop as a value instead of throwing, says whether the stop is framing damage (which a
 * crash can leave) or a malformed sequence of good frames (which no crash can), and can
 * start in the middle of a commit (after a --raw resynchronisation).
 */
import type { SegmentDecoder } from '../src/wal/decoder.js';
import type { WalErrorCode } from '../src/wal/errors.js';
import { PROBLEM_CODES, PROBLEM_TEXT, type CommitSpan as ScannerCommitSpan } from '../src/wal/commit-scanner.js';
import { COMMIT_BODY_BYTES, RecordType, readU64 } from '../src/wal/frame.js';

/** A whole commit, as the log's own scanner describes one. */
export interface CommitSpan extends Omit<ScannerCommitSpan, 'commitRecordBytes'> {
  kind: 'commit';
}

export interface CommitStop {
  kind: 'stop';
  /**
   * 'end': a zero length word (or no room for a frame) where a commit could start; frames
   * in [startBytes, offsetBytes) are then structures records only.
   */
  reason: 'end' | 'framing' | 'malformed';
  offsetBytes: number;
  code: WalErrorCode;
  message: string;
  /** The incomplete commit's good frames lie in [startBytes, offsetBytes). */
  startBytes: number;
  startCrc: number;
}

export class CommitWalk {
  constructor(
    private readonly decoder: SegmentDecoder,
    /** The last main of a whole commit before this point. */
    public lastMain: number,
    /** True right after a resynchronisation: the first frame may be any event of a commit. */
    private midCommit: boolean,
  ) {}

  next(): CommitSpan | CommitStop {
    const d = this.decoder;
    const startBytes = d.offsetBytes;
    const startCrc = d.crc;
    const stop = (reason: CommitStop['reason'], offsetBytes: number, code: WalErrorCode, message: string): CommitStop =>
      ({ kind: 'stop', reason, offsetBytes, code, message, startBytes, startCrc });
    let main = -1;
    let events = 0;
    for (;;) {
      const at = d.offsetBytes;
      const f = d.next(true);
      if (typeof f === 'string') {
        if (f === 'end' && main === -1) return stop('end', at, 'WAL_BAD_RECORD', 'end of data');
        const problem = f === 'end' ? 'incomplete-commit' : f;
        const [code, text] = [PROBLEM_CODES[problem], PROBLEM_TEXT[problem]];
        return stop(f === 'bad-type' ? 'malformed' : 'framing', at, code, text);
      }
      if (f.type === RecordType.structures) {
        // A structure table (src/wal/codec.ts): may stand between commits or before any event.
        if (f.main !== 0) return stop('malformed', at, 'WAL_BAD_RECORD', 'structures record with a revision');
        continue;
      }
      if (main === -1) {
        main = f.main;
        if (this.midCommit && f.type === RecordType.event) events = f.sub; // resynchronised mid-commit
        if (main <= this.lastMain) return stop('malformed', at, 'WAL_BAD_RECORD', `revision ${main} does not follow ${this.lastMain}`);
      } else if (f.main !== main) {
        return stop('malformed', at, 'WAL_BAD_RECORD', `record of revision ${f.main} inside commit ${main}`);
      }
      if (f.type === RecordType.event) {
        if (f.sub !== events) return stop('malformed', at, 'WAL_BAD_RECORD', `event ${main}.${f.sub} out of order (expected sub ${events})`);
        events++;
        continue;
      }
      if (f.sub !== events && !this.midCommit) {
        return stop('malformed', at, 'WAL_BAD_RECORD', `commit ${main} counts ${f.sub} events but holds ${events}`);
      }
      if (f.bodyBytes < COMMIT_BODY_BYTES) return stop('malformed', at, 'WAL_BAD_RECORD', `commit record of ${main} is too short`);
      const timeMs = readU64(d.payload(), 0);
      this.lastMain = main;
      this.midCommit = false;
      return { kind: 'commit', main, timeMs, eventCount: f.sub, startBytes, startCrc, endBytes: f.nextBytes, endCrc: f.crc };
    }
  }
}

/** Codes as the reader uses them (src/wal/commit-scanner.ts), with wal-dump's wording. */
