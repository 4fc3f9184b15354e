/**
 * What wal-dump finds wrong, and the exit code it means. Exit codes are wal-dump's
 * contract with scripts and alerting, so they live here and nowhere else:
 *
 *   0  clean, or only a torn tail at the end of the newest segment (warned on stderr:
 *      normal after a crash; the writer repairs it on its next open)
 *   1  anything else: missing or unreadable directory, no segments, an I/O error
 *   2  usage error
 *   3  corruption anywhere else (a damaged sealed segment, a missing or replaced segment,
 *      a bad header, records that the next open would silently cut off, ...)
 *
 * When several problems are found, corruption (3) outranks an operating error (1).
 */
import type { WalErrorCode } from '../src/wal/errors.js';

export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  corruption: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * torn-tail: damage the writer expects after a crash and repairs on open.
 * corruption: damage the writer would refuse, or repair only by losing durable records.
 * error: the log could not be read at all (not a statement about its bytes).
 */
export type Severity = 'torn-tail' | 'corruption' | 'error';

export interface Problem {
  severity: Severity;
  code: WalErrorCode;
  /** Segment file name (or the path given), null when the problem is not about one file. */
  segment: string | null;
  offsetBytes: number | null;
  message: string;
}

export type ExitClass = 'clean' | Severity;

/** Keeps at most this many problems; the rest are only counted (memory stays bounded). */
export const PROBLEMS_KEPT_MAX = 1000;

export class ProblemLog {
  readonly problems: Problem[] = [];
  droppedCount = 0;
  private worst: ExitClass = 'clean';

  add(problem: Problem): void {
    if (this.problems.length < PROBLEMS_KEPT_MAX) this.problems.push(problem);
    else this.droppedCount++;
    this.worst = worse(this.worst, problem.severity);
  }

  get exitClass(): ExitClass {
    return this.worst;
  }
}

const RANK: Record<ExitClass, number> = { clean: 0, 'torn-tail': 1, error: 2, corruption: 3 };

export function worse(a: ExitClass, b: ExitClass): ExitClass {
  return RANK[a] >= RANK[b] ? a : b;
}

export function exitCodeOf(exitClass: ExitClass): ExitCodeValue {
  switch (exitClass) {
    case 'clean':
    case 'torn-tail':
      return ExitCode.ok;
    case 'error':
      return ExitCode.error;
    case 'corruption':
      return ExitCode.corruption;
  }
}

/** One line for stderr: `wal-dump: corruption: 0000…wal at byte 4096: CRC mismatch [WAL_CRC_MISMATCH]`. */
export function formatProblem(p: Problem): string {
  const label = p.severity === 'torn-tail' ? 'warning' : p.severity;
  const where = p.segment === null ? '' : ` ${p.segment}${p.offsetBytes === null ? '' : ` at byte ${p.offsetBytes}`}:`;
  return `wal-dump: ${label}:${where} ${p.message} [${p.code}]`;
}
