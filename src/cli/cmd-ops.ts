/**
 * Operations on a data directory: checkpoint, compact, rebuild (these take the writer
 * lock, so they are refused while a daemon runs) and verify (read-only, no lock).
 */
import pino from 'pino';
import type { Logger } from 'pino';
import { compact, resumeCompaction, type CompactionResult } from '../store/compaction.js';
import { parseDurationMs } from '../daemon/duration.js';
import { DaemonError } from '../daemon/errors.js';
import { createLogger } from '../daemon/logger.js';
import { daemonProjections, recoverProjections } from '../daemon/recover.js';
import { rebuild } from '../store/rebuild.js';
import { takeCheckpoint } from '../store/take-checkpoint.js';
import { verify } from '../store/verify.js';
import { Wal } from '../wal/wal.js';
import { parseArgs, UsageError, type FlagKind } from './args.js';
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
  const wal = openForOps(dir, logger);
  try {
    const state = recoverProjections(dir, logger);
    const info = await takeCheckpoint(wal, state.projections, dir, { reason: 'demand', logger });
    print(io, flags, info, `checkpoint ${info.file} covers revision ${info.coversMain} (${info.bodyBytes} bytes, ${Math.round(info.ms)} ms)`);
    return EXIT_OK;
  } finally {
    await wal.close();
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
  const wal = openForOps(dir, logger);
  try {
    const state = recoverProjections(dir, logger);
    if (state.pendingCompactionMain !== null) {
      const resumed = await resumeCompaction(wal, state.projections, dir, { logger });
      if (resumed !== null) io.err(`elava: finished the interrupted compaction at revision ${resumed.atMain}`);
    }
    const atMain = before !== undefined ? parseRevision(before) : revisionBefore(dir, keepCutoffMs(keep as string));
    if (atMain === null) {
      print(io, flags, { compacted: false, reason: 'nothing older than the cutoff' }, `nothing to compact: no revision is older than ${keep}`);
      return EXIT_OK;
    }
    const result: CompactionResult = await compact(wal, state.projections, dir, atMain, { logger });
    print(io, flags, result, `compacted at revision ${result.atMain}: ${result.segmentsDeleted.length} segments deleted, base ${result.baseCheckpoint ?? 'none'}`);
    return EXIT_OK;
  } finally {
    await wal.close();
  }
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
  const wal: Wal = openForOps(dir, logger);
  try {
    const result = rebuild(dir, { logger, projections: daemonProjections });
    const info = await takeCheckpoint(wal, result.projections, dir, { reason: 'demand', logger });
    const summary = { revision: result.lastMain, hash: result.hash, eventsReplayed: result.stats.eventsReplayed + result.stats.historyEventsReplayed, checkpoint: info.file, ms: Math.round(result.stats.ms) };
    print(io, flags, summary, `rebuilt state at revision ${summary.revision} from ${summary.eventsReplayed} events in ${summary.ms} ms; state hash ${summary.hash}; checkpoint ${info.file}`);
    return EXIT_OK;
  } finally {
    await wal.close();
  }
}

export async function verifyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parse(argv, io, VERIFY_HELP);
  if (flags === null) return EXIT_OK;
  const dir = dataDirOf(flags, io);
  requireLog(dir);
  let result;
  try {
    result = verify(dir, { logger: opsLogger(), projections: daemonProjections });
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
