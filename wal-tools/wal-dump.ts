#!/usr/bin/env node
/**
 * wal-dump: inspect, filter, verify and follow an Elava write-ahead log. A thin shell:
 * options in, one of the runs (dump.ts, verify.ts), an exit code out (problems.ts). It
 * never prints a stack trace for bad input; set WAL_DUMP_DEBUG=1 to see one for a bug.
 */
import { runDump, runFollow, type DumpRun } from './dump.js';
import { HELP_TEXT } from './help.js';
import { UsageError, parseOptions, type DumpOptions } from './options.js';
import { LineOutput } from './output.js';
import { ExitCode, exitCodeOf, formatProblem, type ExitCodeValue } from './problems.js';
import { InputError, classifyInput } from './segment-list.js';
import { SETTLE_MS_DEFAULT, verdictLine, verifyLog } from './verify.js';

async function main(argv: readonly string[], out: LineOutput, err: LineOutput): Promise<ExitCodeValue> {
  let options: DumpOptions;
  try {
    const parsed = parseOptions(argv);
    if (parsed.help) {
      out.line(HELP_TEXT.trimEnd());
      return ExitCode.ok;
    }
    options = parsed.options;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.line(`wal-dump: ${e.message}`);
    err.line('usage: wal-dump [options] DIR | SEGMENT...   (wal-dump --help for more)');
    return ExitCode.usage;
  }
  const input = classifyInput(options.paths);
  if (options.mode === 'verify') {
    const result = verifyLog(input, { raw: options.raw, settleMs: SETTLE_MS_DEFAULT });
    for (const p of result.problems) err.line(formatProblem(p));
    if (result.problemsDropped > 0) err.line(`wal-dump: ${result.problemsDropped} more problems not shown`);
    err.flush();
    out.line(options.json ? JSON.stringify(result) : verdictLine(result));
    return result.exitCode;
  }
  const run: DumpRun = {
    input,
    raw: options.raw,
    settleMs: SETTLE_MS_DEFAULT,
    sink: { format: options.mode === 'stats' ? 'stats' : options.json ? 'json' : 'text', json: options.json, filter: options.filter, limit: options.limit, revisionsOrdered: !options.raw },
  };
  if (options.mode !== 'follow') return exitCodeOf(runDump(run, out, err));
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  process.once('SIGINT', onSigint);
  try {
    return exitCodeOf(await runFollow(run, out, err, stop.signal));
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function run(): Promise<void> {
  const out = new LineOutput(1);
  const err = new LineOutput(2);
  let code: ExitCodeValue;
  try {
    code = await main(process.argv.slice(2), out, err);
  } catch (e) {
    code = ExitCode.error;
    if (e instanceof InputError) {
      err.line(`wal-dump: ${e.message}`);
    } else {
      err.line(`wal-dump: unexpected failure: ${e instanceof Error ? e.message : String(e)}`);
      if (process.env.WAL_DUMP_DEBUG === '1' && e instanceof Error && e.stack) err.line(e.stack);
    }
  }
  out.flush();
  err.flush();
  process.exitCode = code;
}

void run();
