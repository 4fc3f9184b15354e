/**
 * Operations on a data directory: checkpoint, compact, rebuild (these take the writer
 * lock, so they are refused while a daemon runs) and verify (read-only, no lock).
 */
import pino from 'pino';
import type { Logger } from 'pino';
import type { CompactionResult } from '../store/compaction.js';
import { parseDurationMs } from '../daemon/duration.js';
import { DaemonError } from '../daemon/errors.js';
import { createLogger } from '../daemon/logger.js';
import { ProgressReporter } from '../store/progress.js';
import { verify } from '../store/verify.js';
import { parseArgs, UsageError, type FlagKind } from './args.js';
import { compactViaDaemon } from './compact-via-daemon.js';
import { dataDirOf, openForOps, requireLog } from './data-dir.js';
import { CHECKPOINT_HELP, COMPACT_HELP, REBUILD_HELP, VERIFY_HELP } from './help.js';
import { revisionBefore } from './keep-revision.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './io.js';

const EXIT_LOG_DAMAGED = 3;
const EXIT_STATE_MISMATCH = 4;

const COMMON: Array<[string, FlagKind]> = [['help', 'boolean'], ['data-dir', 'string'], ['json', 'boolean']];

function opsLogger(): Logger {
  return createLogger('warn', pino.destination(2));
}

function parse(argv: readonly string[], io: CliIo, help: string, extra: Array<[string, FlagKind]> = []): Map<string, string> | null {
  const { flags, positionals } = parseArgs(argv, new Map([...COMMON, ...extra]));
  if (flags.has('help')) {
    io.out(help);
    return null;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return flags;
}

function print(io: CliIo, flags: Map<string, string>, json: object, text: string): void {
  io.out(flags.has('json') ? JSON.stringify(json) : text);
}

export async function checkpointCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parse(argv, io, CHECKPOINT_HELP);
  if (flags === null) return EXIT_OK;
  const dir = dataDirOf(flags, io);
  const logger = opsLogger();
  const store = await openForOps(dir, logger);
  try {
    const info = await store.checkpoint('demand');
    print(io, flags, info, `checkpoint ${info.file} covers revision ${info.coversMain} (${info.bodyBytes} bytes, ${Math.round(info.ms)} ms)`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

export async function compactCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parse(argv, io, COMPACT_HELP, [['keep', 'string'], ['before', 'string']]);
  if (flags === null) return EXIT_OK;
  const keep = flags.get('keep');
  const before = flags.get('before');
  if ((keep === undefined) === (before === undefined)) throw new UsageError('give exactly one of --keep DURATION or --before REV');
  const dir = dataDirOf(flags, io);
  const logger = opsLogger();
  let store;
  try {
    store = await openForOps(dir, logger);
  } catch (err) {
    if (!(err instanceof DaemonError) || err.code !== 'DATA_DIR_LOCKED') throw err;
    return askDaemon(io, flags, dir, err, { ...(before !== undefined ? { before } : {}), ...(keep !== undefined ? { keep } : {}) });
  }
  try {
    if (store.resumedCompaction !== null) {
      io.err(`elava: finished the interrupted compaction at revision ${store.resumedCompaction.atMain}`);
    }
    const atMain = before !== undefined ? parseRevision(before) : revisionBefore(dir, keepCutoffMs(keep as string));
    if (atMain === null) {
      print(io, flags, { compacted: false, reason: 'nothing older than the cutoff' }, `nothing to compact: no revision is older than ${keep}`);
      return EXIT_OK;
    }
    const result: CompactionResult = await store.compact(atMain);
    print(io, flags, result, `compacted at revision ${result.atMain}: ${result.segmentsDeleted.length} segments deleted, base ${result.baseCheckpoint ?? 'none'}`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

/** The daemon holds the lock: it compacts between its cycles (see compact-via-daemon.ts). */
async function askDaemon(io: CliIo, flags: Map<string, string>, dir: string, locked: DaemonError, target: { before?: string; keep?: string }): Promise<number> {
  if (target.before !== undefined) parseRevision(target.before);
  if (target.keep !== undefined) keepCutoffMs(target.keep);
  const { status, body } = await compactViaDaemon(dir, locked, target, io.env['ELAVA_HTTP_TOKEN']);
  if (status !== 200) {
    io.err(`elava compact: the running daemon refused [${String(body['error'] ?? status)}]: ${String(body['message'] ?? '')}`);
    return EXIT_FAILURE;
  }
  const deleted = Array.isArray(body['segmentsDeleted']) ? body['segmentsDeleted'].length : 0;
  const text = body['compacted'] === false
    ? `nothing to compact: no revision is older than ${target.keep ?? target.before}`
    : `the running daemon compacted at revision ${String(body['atMain'])}: ${deleted} segments deleted, base ${String(body['baseCheckpoint'] ?? 'none')}`;
  print(io, flags, body, text);
  return EXIT_OK;
}

function parseRevision(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < 1) throw new UsageError(`--before ${JSON.stringify(text)} is not a revision (a positive integer)`);
  return Number(text);
}

function keepCutoffMs(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null) throw new UsageError(`--keep ${JSON.stringify(text)} is not a duration (e.g. 30d, 12h)`);
  return Date.now() - ms;
}

export async function rebuildCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parse(argv, io, REBUILD_HELP);
  if (flags === null) return EXIT_OK;
  const dir = dataDirOf(flags, io);
  const logger = opsLogger();
  const reporter = new ProgressReporter('rebuild', logger);
  let store;
  try {
    store = await openForOps(dir, logger, { rebuild: true, onProgress: reporter.onProgress });
  } finally {
    reporter.done();
  }
  try {
    const stats = store.recovery;
    const revision = store.lastMain;
    const hash = store.hash(); // the rebuilt state, before the checkpoint marker moves it
    const info = await store.checkpoint('demand');
    const summary = { revision, hash, eventsReplayed: stats.eventsReplayed + stats.historyEventsReplayed, checkpoint: info.file, ms: Math.round(stats.ms) };
    print(io, flags, summary, `rebuilt state at revision ${summary.revision} from ${summary.eventsReplayed} events in ${summary.ms} ms; state hash ${summary.hash}; checkpoint ${info.file}`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

export async function verifyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parse(argv, io, VERIFY_HELP);
  if (flags === null) return EXIT_OK;
  const dir = dataDirOf(flags, io);
  requireLog(dir);
  let result;
  try {
    result = await verify(dir, { logger: opsLogger() });
  } catch (err) {
    throw new DaemonError('RECOVERY_FAILED', `cannot verify ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (!result.log.ok) {
    const what = result.log.damaged ? 'log damaged' : 'cannot read the log';
    print(io, flags, result, `${what} [${result.log.code}]: ${result.log.message}`);
    return result.log.damaged ? EXIT_LOG_DAMAGED : EXIT_FAILURE;
  }
  const s = result.state;
  const text = s === null ? 'log reads end to end' : s.match
    ? `verified: log reads end to end to revision ${result.log.lastMain}${result.log.torn ? ' (torn tail, repaired on next open)' : ''}; recovered state (checkpoint ${s.checkpoint ?? 'none'}) = rebuild, hash ${s.recoveredHash}`
    : `MISMATCH: recovered state (checkpoint ${s.checkpoint ?? 'none'}) hash ${s.recoveredHash} != rebuild ${s.rebuiltHash}`;
  print(io, flags, result, text);
  return result.ok ? EXIT_OK : s !== null && !s.match ? EXIT_STATE_MISMATCH : EXIT_FAILURE;
}
