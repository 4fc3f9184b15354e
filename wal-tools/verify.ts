/**
 * --verify as a function: walks the whole log (every segment, even after damage in an
 * earlier one) and returns what it found. The CLI only prints the result; tests call it
 * in-process.
 */
import { LogWalker } from './log-walker.js';
import { exitCodeOf, type ExitClass, type ExitCodeValue, type Problem } from './problems.js';
import { InputError, classifyInput, listSegmentFiles, type LogInput } from './segment-list.js';

export interface VerifyOptions {
  /** Go on past damage inside a segment too (more problems reported, not fewer). */
  raw?: boolean;
  /** Pause before re-reading a damaged newest segment; tests pass 0. Default 50. */
  settleMs?: number;
}

export interface VerifyResult {
  exitClass: ExitClass;
  exitCode: ExitCodeValue;
  /** In the order found; at most PROBLEMS_KEPT_MAX, the rest counted in problemsDropped. */
  problems: Problem[];
  problemsDropped: number;
  segments: number;
  commits: number;
  events: number;
  firstMain: number | null;
  lastMain: number | null;
}

export const SETTLE_MS_DEFAULT = 50;

export function verifyLog(input: LogInput | readonly string[], options: VerifyOptions = {}): VerifyResult {
  const result: VerifyResult = { exitClass: 'clean', exitCode: 0, problems: [], problemsDropped: 0, segments: 0, commits: 0, events: 0, firstMain: null, lastMain: null };
  let listing;
  try {
    listing = listSegmentFiles(isInput(input) ? input : classifyInput(input));
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    result.problems.push({ severity: 'error', code: err.code, segment: null, offsetBytes: null, message: err.message });
    result.exitClass = 'error';
    result.exitCode = exitCodeOf('error');
    return result;
  }
  const walker = new LogWalker({ raw: options.raw ?? false, follow: false, settleMs: options.settleMs ?? SETTLE_MS_DEFAULT, stopAtDamage: false, fromMain: null });
  for (const item of walker.walk(listing)) {
    if (item.kind === 'event') result.events++;
    if (item.kind !== 'commit') continue;
    result.commits++;
    result.firstMain ??= item.main;
    result.lastMain = item.main;
  }
  result.segments = walker.segmentsRead;
  result.problems = walker.problems.problems;
  result.problemsDropped = walker.problems.droppedCount;
  result.exitClass = walker.problems.exitClass;
  result.exitCode = exitCodeOf(result.exitClass);
  return result;
}

function isInput(x: LogInput | readonly string[]): x is LogInput {
  return !Array.isArray(x);
}

/** The one-line verdict printed on stdout. */
export function verdictLine(r: VerifyResult): string {
  const revisions = r.firstMain === null ? 'no commits' : `revisions ${r.firstMain} .. ${r.lastMain}`;
  const found = `${r.segments} segments, ${r.commits} commits, ${r.events} events, ${revisions}`;
  const count = r.problems.length + r.problemsDropped;
  switch (r.exitClass) {
    case 'clean':
      return `ok: ${found}`;
    case 'torn-tail':
      return `ok with a torn tail (repaired on the next open): ${found}`;
    case 'corruption':
      return `CORRUPT: ${count} problem${count === 1 ? '' : 's'}; read ${found}`;
    case 'error':
      return `FAILED: ${count} problem${count === 1 ? '' : 's'}; read ${found}`;
  }
}
