/**
 * The query commands: `elava list|get|history|at|diff|disappeared|waste|sources`. Each
 * parses its options, takes a state from its QueryStateSource, runs one query and prints a
 * table or NDJSON. The source is the data directory opened read-only (no lock: safe while
 * the daemon runs) in the CLI, or the daemon's live state when the daemon answers through
 * its socket (src/daemon/socket-answers.ts): the same code prints the same bytes either way.
 * Failures print one line to stderr, never a stack trace, and return the exit code of
 * QUERY_EXIT_CODES (errors.ts).
 */
import { isMvccError } from '../mvcc/errors.js';
import { isProjectionError } from '../projection/errors.js';
import { isSnapshotError } from '../checkpoint/errors.js';
import { isWalError } from '../wal/errors.js';
import { filterFrom, nonNegativeNumber, parseCommandArgs, UsageError, type ParsedArgs } from './command-args.js';
import { isQueryCommandName, QUERY_COMMANDS, QUERY_COMMAND_NAMES, queryHelp, type QueryCommandName } from './command-help.js';
import { QUERY_EXIT_CODES, QUERY_EXIT_OK, QUERY_EXIT_USAGE, QueryError } from './errors.js';
import { formatDiff, formatDisappeared, formatFieldHistory, formatHistory, formatRecords, formatResource, formatSummary, formatTime } from './format.js';
import { formatWaste, type WasteGrouping } from './format-waste.js';
import { granularityOf } from './granularity.js';
import { loadPriceFile, PriceFileError } from '../cost/price-file.js';
import { DEFAULT_PRICES } from '../cost/prices.js';
import { parseTime, resolvePoint } from './point.js';
import { cutWaste, getResource, parseDiffLimit, parseLimit, parseWasteLimit, resourceHistory } from './queries.js';
import { diffWindowSteps, disappearedSteps } from './diff.js';
import { filterDiffSteps } from './diff-filter.js';
import { pageSteps, summarySteps } from './page.js';
import { listResourcesSteps } from './resources.js';
import { historyUnchanged, runSteps, runStepsInTurn, type Drive } from './steps.js';
import { wasteReportPaused } from './waste-cache.js';
import { readOnlyStates, type QueryState, type QueryStateSource } from './query-state.js';
import { selfReport, sourcesReport } from './sources.js';
import { formatSources } from './format-sources.js';
import { lostText, type LogDamage } from '../wal/damage.js';

export { isQueryCommandName, QUERY_COMMANDS, QUERY_COMMAND_NAMES, queryHelp, type QueryCommandName };

/** Where a command's text goes: whole lines, each call ending in a newline. */
export interface QueryIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /**
   * Awaited after each piece of a long answer, when given: resolves once more may be
   * written (the daemon's socket to a slow reader has drained).
   */
  writable?: () => Promise<void> | void;
}

export interface QueryRunOptions {
  /** Where the state comes from (default: the data directory opened read-only). */
  states?: QueryStateSource;
  /** The directory relative file names (--prices FILE) are read from (default: the process's). */
  cwd?: string;
  /**
   * Long reads of the past (the fleet, its counts or a page at an older revision) give the
   * event loop a turn between their steps (steps.ts): the daemon's socket answers. Default:
   * run through, as a read-only process does.
   */
  pauses?: boolean;
  /**
   * With `pauses`: a read longer than one step waits for a turn among the daemon's long
   * reads (its HTTP answers' too, heavy-answers.ts) after its first step. Default: no wait.
   */
  takeTurn?: <T>(compute: () => Promise<T>) => Promise<T>;
}

/** Lines written per stdout call: big results go out in pieces, not one huge string. */
const LINES_PER_WRITE = 4096;

export async function runQueryCommand(name: QueryCommandName, argv: readonly string[], io: QueryIo, options: QueryRunOptions = {}): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseCommandArgs(name, argv);
  } catch (err) {
    return fail(name, err, io);
  }
  if (args.help) {
    io.stdout(queryHelp(name));
    return QUERY_EXIT_OK;
  }
  const states = options.states ?? readOnlyStates;
  let state: QueryState | null = null;
  try {
    // get and history read one resource: a read-only open then restores only what answers about it.
    const scope = (name === 'get' || name === 'history') && typeof args.positionals[0] === 'string' ? { onlyKey: args.positionals[0] } : {};
    state = await states.open(args.dataDir, scope);
    if (state.damage !== null) io.stderr(damageWarning(state.damage));
    const notes: string[] = [];
    // The answer is that of one revision, whatever commits while it is computed or written:
    // at the newest revision it is taken in one piece, or (the waste report) begun again when
    // a commit lands between its steps; below it history does not change, and the steps
    // between pauses are checked against compaction and retention (steps.ts).
    const s = state;
    const takeTurn = options.takeTurn ?? ((compute) => compute());
    const drive: Drive = options.pauses === true ? (steps) => runStepsInTurn(steps, historyUnchanged(s), takeTurn) : (steps) => Promise.resolve(runSteps(steps));
    await write(io, await run(name, state, args, notes, options.cwd, drive));
    for (const note of notes) io.stderr(`elava ${name}: note: ${note}\n`);
    return QUERY_EXIT_OK;
  } catch (err) {
    return fail(name, err, io);
  } finally {
    if (state !== null) states.release(state);
  }
}

/** Queries answer from what is whole before damage, and say so on stderr. */
function damageWarning(d: LogDamage): string {
  return `elava: warning: the log is damaged (${d.segment} at byte ${d.offsetBytes}): answering from revision ${d.lastMain}, the last whole one before it; ${lostText(d.lost)}. Stop the daemon and run \`elava repair\` to see what a cut would lose.`;
}

async function run(name: QueryCommandName, state: QueryState, args: ParsedArgs, notes: string[], cwd: string | undefined, drive: Drive): Promise<string[]> {
  const { values, positionals, json } = args;
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const point = (text: string): number => {
    const main = resolvePoint(state, text);
    const g = granularityOf(state, [main]);
    if (g !== null && !notes.includes(g.note)) notes.push(g.note);
    return main;
  };
  const pos = (i: number): string => positionals[i] as string;
  // On an aggregate (fan-in) every record shows the source that reports it.
  const sourceOf = state.sources.size > 0 ? (key: string) => state.sources.ownerOfKey(key) : undefined;
  switch (name) {
    case 'list': {
      const at = str('at') === undefined ? undefined : point(str('at') as string);
      return runList(state, args, at, drive, sourceOf);
    }
    case 'at': {
      const at = point(pos(0));
      const records = await drive(listResourcesSteps(state, filterFrom(values), at));
      return withFooter(formatRecords(records, json, sourceOf), json, `${records.length} resource(s) ${describe(state, at)}`);
    }
    case 'get': {
      const at = str('at') === undefined ? undefined : point(str('at') as string);
      return formatResource(getResource(state, pos(0), at), json);
    }
    case 'history': {
      const field = str('field');
      const g = granularityOf(state, state.index.keyIndex(pos(0))?.history().map((r) => r.main) ?? []);
      if (g !== null) notes.push(g.note);
      if (field === undefined) return formatHistory(resourceHistory(state, pos(0)), json);
      return formatFieldHistory(resourceHistory(state, pos(0), field), field, json);
    }
    case 'diff': {
      const from = point(pos(0));
      const to = point(pos(1));
      const limit = str('limit') === undefined ? undefined : parseDiffLimit(str('limit') as string, '--limit');
      const d = await drive(filterDiffSteps(state, await drive(diffWindowSteps(state, from, to)), filterFrom(values), limit));
      const t = d.totals;
      const counts = `${t.appeared} appeared, ${t.changed} changed, ${t.disappeared} disappeared`;
      const cut = d.truncated ? ` (at most ${limit ?? 0} of each kind shown)` : '';
      return withFooter(formatDiff(d, json), json, `${counts} from revision ${from} to ${to}${cut}`);
    }
    case 'disappeared': {
      const since = str('since');
      if (since === undefined) throw new UsageError('needs --since REV|TIME');
      const from = point(since);
      const until = str('until') === undefined ? state.lastMain : point(str('until') as string);
      const items = await drive(disappearedSteps(state, from, until));
      return withFooter(formatDisappeared(items, json), json, `${items.length} disappeared after revision ${from}, up to ${until}`);
    }
    case 'waste': {
      const stoppedDays = nonNegativeNumber(str('stopped-days') ?? '30', '--stopped-days');
      const idleDays = nonNegativeNumber(str('idle-days') ?? '30', '--idle-days');
      const nowText = str('now');
      const nowMs = nowText === undefined ? Date.now() : parseTime(nowText);
      if (nowMs === null) throw new QueryError('bad-point', `--now "${nowText}" is not a time (2026-11-20T10:00Z)`);
      const by = str('by') ?? 'rule';
      if (by !== 'rule' && by !== 'owner' && by !== 'account') throw new UsageError(`--by takes owner, account or rule, not "${by}"`);
      const limit = str('limit') === undefined ? undefined : parseWasteLimit(str('limit') as string, '--limit');
      const pricesFile = str('prices');
      const prices = pricesFile === undefined ? DEFAULT_PRICES : loadPriceFile(pricesFile, cwd);
      const report = await wasteReportPaused(state, { stoppedDays, idleDays, nowMs, prices }, drive);
      return formatWaste(limit === undefined ? report : cutWaste(report, limit), json, by as WasteGrouping);
    }
    case 'sources': {
      const rows = values['self'] === true ? [selfReport(state)] : sourcesReport(state);
      return withFooter(formatSources(rows, json), json, `${rows.length} source(s) at revision ${state.lastMain}`);
    }
  }
}

/** `list`: the whole list, one page of it (--limit, --after), or its counts (--counts). */
async function runList(state: QueryState, args: ParsedArgs, at: number | undefined, drive: Drive, sourceOf?: (key: string) => string | undefined): Promise<string[]> {
  const { values, json } = args;
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const filter = filterFrom(values);
  const where = describe(state, at ?? state.lastMain);
  if (values['counts'] === true) {
    if (str('limit') !== undefined || str('after') !== undefined) throw new UsageError('--counts takes no --limit or --after');
    return formatSummary(await drive(summarySteps(state, filter, at)), json, where);
  }
  if (str('limit') === undefined) {
    if (str('after') !== undefined) throw new UsageError('--after needs --limit');
    const records = await drive(listResourcesSteps(state, filter, at));
    return withFooter(formatRecords(records, json, sourceOf), json, `${records.length} resource(s) ${where}`);
  }
  const limit = parseLimit(str('limit') as string, '--limit');
  const after = str('after');
  const page = await drive(pageSteps(state, filter, after === undefined ? { limit } : { limit, after }, at));
  if (json) return [...formatRecords(page.resources, true, sourceOf), JSON.stringify({ next: page.next })];
  const next = page.next === null ? 'last page' : `next page: --after ${page.next}`;
  return withFooter(formatRecords(page.resources, false, sourceOf), false, `${page.resources.length} resource(s) ${where}; ${next}`);
}

function describe(state: QueryState, main: number): string {
  return `at revision ${main} (${formatTime(state.times.timeOf(main))})`;
}

function withFooter(lines: string[], json: boolean, footer: string): string[] {
  if (json) return lines;
  if (lines.length <= 1) return [footer]; // a table with only its header: say so plainly
  lines.push(footer);
  return lines;
}

async function write(io: QueryIo, lines: readonly string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += LINES_PER_WRITE) {
    io.stdout(`${lines.slice(i, i + LINES_PER_WRITE).join('\n')}\n`);
    if (io.writable !== undefined) await io.writable();
  }
}

/** One line on stderr and the exit code; unexpected errors too, without a stack. */
function fail(name: QueryCommandName, err: unknown, io: QueryIo): number {
  const prefix = `elava ${name}`;
  if (err instanceof UsageError) {
    io.stderr(`${prefix}: ${err.message} (see elava ${name} --help)\n`);
    return QUERY_EXIT_USAGE;
  }
  const q = asQueryError(err);
  if (q !== null) {
    io.stderr(`${prefix}: ${q.message}\n`);
    return QUERY_EXIT_CODES[q.code];
  }
  io.stderr(`${prefix}: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

function asQueryError(err: unknown): QueryError | null {
  if (err instanceof QueryError) return err;
  if (err instanceof PriceFileError) return new QueryError('bad-filter', err.message);
  if (isMvccError(err, 'MVCC_COMPACTED')) return new QueryError('compacted', err.message);
  if (isMvccError(err, 'MVCC_FUTURE_REV')) return new QueryError('future', err.message);
  if (isWalError(err) || isSnapshotError(err) || isProjectionError(err)) return new QueryError('damaged-log', err.message);
  return null;
}
