/**
 * Rebuild: fresh projections from the whole kept history, ignoring every checkpoint except
 * a compaction base (once the log below a compaction is deleted, the base checkpoint is
 * where history begins; projections whose version differs from the base's are replayed
 * from its events). Progress goes to stderr on a terminal, to the logger otherwise.
 */
import type { Logger } from 'pino';
import { stateHash } from '../projection/state-hash.js';
import type { Projection } from '../projection/projection.js';
import type { WalFileSystem } from '../wal/file-system.js';
import { SNAP_FLAG_BASE, readSnapFlags } from '../checkpoint/snap-file.js';
import { ProgressReporter } from './progress.js';
import { recoverWith, type CheckpointFilter, type RecoveredState, type RecoverOptions } from './recover.js';

export interface RebuildOptions {
  projections?: () => Projection[];
  logger?: Logger;
  /** Default true; false reports nothing. */
  progress?: boolean;
  /** Where progress goes on a terminal; default process.stderr. */
  stream?: NodeJS.WriteStream;
  readOnly?: boolean;
  logDir?: string;
  fs?: WalFileSystem;
}

export interface RebuildResult extends RecoveredState {
  /** stateHash() of the rebuilt projections. */
  hash: string;
}

export async function rebuild(dir: string, options: RebuildOptions = {}): Promise<RebuildResult> {
  const reporter = options.progress === false ? null : new ProgressReporter('rebuild', options.logger, options.stream);
  const recover: RecoverOptions = { readOnly: options.readOnly ?? false };
  if (options.projections) recover.projections = options.projections;
  if (options.logger) recover.logger = options.logger;
  if (options.logDir) recover.logDir = options.logDir;
  if (options.fs) recover.fs = options.fs;
  if (reporter) recover.onProgress = reporter.onProgress;
  try {
    const state = await recoverWith(dir, recover, baseOnlyFilter());
    return { ...state, hash: stateHash(state.projections) };
  } finally {
    reporter?.done();
  }
}

/**
 * The checkpoints a rebuild may start from: none while the log is whole, else only the
 * newest compaction base (where the kept history begins).
 */
export function baseOnlyFilter(): CheckpointFilter {
  let baseSeen = false;
  return (c, layout, ctx) => {
    if (!layout.prefixDeleted || baseSeen) return false;
    const isBase = ((readSnapFlags(ctx.wfs, ctx.dir, c.name) ?? 0) & SNAP_FLAG_BASE) !== 0;
    baseSeen = isBase;
    return isBase;
  };
}
