/**
 * Walks one segment commit by commit, verifying the CRC chain and the shape of every
 * commit (events numbered 0..n-1 under one main, then a commit record counting them,
 * mains strictly increasing). It finds where the last whole commit ends, which is all
 * the reader, the repair and the writer need to know about a segment.
 */
import { WalError, type WalErrorCode } from './errors.js';
import { RecordType, readU64 } from './frame.js';
import type { FrameProblem, SegmentDecoder } from './decoder.js';

export interface CommitSpan {
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
}

export type ScanStop =
  | { kind: 'end'; offsetBytes: number }
  | { kind: 'problem'; problem: FrameProblem | 'incomplete-commit'; offsetBytes: number };

export const PROBLEM_CODES: Record<FrameProblem | 'incomplete-commit', WalErrorCode> = {
  end: 'WAL_BAD_RECORD',
  'bad-length': 'WAL_BAD_RECORD',
  'too-large': 'WAL_RECORD_TOO_LARGE',
  'past-end': 'WAL_RECORD_PAST_END',
  crc: 'WAL_CRC_MISMATCH',
  'bad-type': 'WAL_BAD_RECORD',
  'incomplete-commit': 'WAL_BAD_RECORD',
};

export const PROBLEM_TEXT: Record<FrameProblem | 'incomplete-commit', string> = {
  end: 'unexpected end of data',
  'bad-length': 'record length below the minimum',
  'too-large': 'record length over the record size limit',
  'past-end': 'record length points past the end of the file',
  crc: 'CRC mismatch',
  'bad-type': 'unknown record type',
  'incomplete-commit': 'commit has no commit record (cut short)',
};

/** The typed error for a scan stop found where no torn tail can be (a sealed segment). */
export function corruptionError(segment: string, stop: ScanStop & { kind: 'problem' }): WalError {
  return new WalError(PROBLEM_CODES[stop.problem], PROBLEM_TEXT[stop.problem], {
    segment,
    offsetBytes: stop.offsetBytes,
  });
}

export class CommitScanner {
  constructor(
    private readonly decoder: SegmentDecoder,
    private readonly segment: string,
    /** The last main seen before this segment (0 when none). */
    public lastMain: number,
    /** Called with the payload of every structures record, in order. */
    private readonly onStructures: (payload: Buffer, offsetBytes: number) => void = () => {},
  ) {}

  /** The next whole commit, or why there is none. Malformed commits throw WalError. */
  next(): CommitSpan | ScanStop {
    const d = this.decoder;
    const startBytes = d.offsetBytes;
    const startCrc = d.crc;
    let main = -1;
    let events = 0;
    for (;;) {
      const at = d.offsetBytes;
      const f = d.next(true);
      if (typeof f === 'string') {
        if (f === 'end' && events === 0) return { kind: 'end', offsetBytes: at };
        return { kind: 'problem', problem: f === 'end' ? 'incomplete-commit' : f, offsetBytes: at };
      }
      if (f.type === RecordType.structures) {
        if (f.main !== 0) this.malformed(at, 'structures record with a revision');
        this.onStructures(d.payload(), at);
        continue;
      }
      if (main === -1) {
        main = f.main;
        if (main <= this.lastMain) this.malformed(at, `revision ${main} does not follow ${this.lastMain}`);
      } else if (f.main !== main) {
        this.malformed(at, `record of revision ${f.main} inside commit ${main}`);
      }
      if (f.type === RecordType.event) {
        if (f.sub !== events) this.malformed(at, `event ${main}.${f.sub} out of order (expected sub ${events})`);
        events++;
        continue;
      }
      if (f.sub !== events) this.malformed(at, `commit ${main} counts ${f.sub} events but holds ${events}`);
      if (f.bodyBytes < 24) this.malformed(at, `commit record of ${main} is too short`);
      const timeMs = readU64(d.payload(), 0);
      this.lastMain = main;
      return { main, timeMs, eventCount: events, startBytes, startCrc, endBytes: f.nextBytes, endCrc: f.crc, commitRecordBytes: at };
    }
  }

  private malformed(offsetBytes: number, what: string): never {
    throw new WalError('WAL_BAD_RECORD', what, { segment: this.segment, offsetBytes });
  }
}
