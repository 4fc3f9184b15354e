/**
 * The dump, --stats and --follow runs: a LogWalker feeding a DumpSink. A dump stops at the
 * first damage (unless --raw); --follow polls for new records after the end.
 */
import { LogWalker } from './log-walker.js';
import { DumpSink, type SinkOptions } from './dump-sink.js';
import type { LineOutput } from './output.js';
import { worse, type ExitClass } from './problems.js';
import { InputError, listSegmentFiles, type LogInput } from './segment-list.js';

export interface DumpRun {
  input: LogInput;
  sink: SinkOptions;
  raw: boolean;
  settleMs: number;
}

/** How often --follow looks for new records. */
export const FOLLOW_POLL_MS = 200;

export function runDump(run: DumpRun, out: LineOutput, err: LineOutput): ExitClass {
  const listing = listSegmentFiles(run.input);
  const walker = new LogWalker({ raw: run.raw, follow: false, settleMs: run.settleMs, stopAtDamage: !run.raw, fromMain: run.sink.filter.fromMain });
  const sink = new DumpSink(run.sink, out, err);
  for (const item of walker.walk(listing)) {
    sink.accept(item);
    if (sink.done) break;
  }
  sink.finish();
  return walker.problems.exitClass;
}

/**
 * Shows the log, then whatever is appended, across roll-overs, until `signal` aborts
 * (SIGINT) or damage that is not a record being written is found.
 */
export async function runFollow(run: DumpRun, out: LineOutput, err: LineOutput, signal: AbortSignal): Promise<ExitClass> {
  const walker = new LogWalker({ raw: run.raw, follow: true, settleMs: 0, stopAtDamage: !run.raw, fromMain: run.sink.filter.fromMain });
  const sink = new DumpSink(run.sink, out, err);
  let extra: ExitClass = 'clean';
  for (let first = true; !signal.aborted; first = false) {
    let listing;
    try {
      listing = listSegmentFiles(run.input);
    } catch (e) {
      if (first || !(e instanceof InputError)) throw e;
      sink.accept({ kind: 'problem', problem: { severity: 'error', code: e.code, segment: null, offsetBytes: null, message: e.message } });
      extra = 'error';
      break;
    }
    for (const item of walker.walk(listing)) {
      sink.accept(item);
      if (sink.done) break;
    }
    sink.flush();
    if (sink.done || walker.stopped) break;
    await pause(FOLLOW_POLL_MS, signal);
  }
  sink.finish();
  return worse(walker.problems.exitClass, extra);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
