/**
 * Compaction and retention, etcd-style, crash-safe by markers in the log:
 *
 *   1. append {type:'compaction-scheduled', atMain}; the key index drops history below
 *      atMain (keeping, per key, what is visible at atMain) as the marker is applied;
 *   2. write the base: a checkpoint carrying every key's visible event at atMain, and its
 *      checkpoint marker (durable from here on);
 *   3. delete the segments wholly at or below atMain, oldest first;
 *   4. remove checkpoints the shortened log can no longer continue from;
 *   5. append {type:'compaction-finished', atMain}.
 *
 * Every marker is committed through the Store, so the projections see it as it becomes
 * durable (the key index compacts as it applies `compaction-scheduled`), and segments are
 * deleted by the log itself (Wal.purgeBelow), which keeps its own counts true.
 *
 * A crash anywhere leaves the log saying "scheduled, not finished"; Store.open resumes it
 * (as does compacting again with the same atMain), redoing 1-5 from where they stopped:
 * a durable base is reused, deletion picks up the remaining segments. The compacted
 * revision only ever moves forward: compacting at or below it is MVCC_COMPACTED, above the
 * current revision MVCC_FUTURE_REV.
 *
 * Precondition, as for checkpoints: no commit in flight (the daemon compacts between cycles).
 */
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import type { CompactionFinished, CompactionScheduled } from '../model/events.js';
import { MvccError } from '../mvcc/errors.js';
import { findProjection } from '../projection/builtins.js';
import { KeyIndexProjection } from '../projection/key-index-projection.js';
import { ControlState } from '../projection/control-state.js';
import type { StructureTable } from '../wal/codec.js';
import type { WalFileSystem } from '../wal/file-system.js';
import type { BaseEvent } from '../checkpoint/checkpoint-body.js';
import { SnapshotError } from '../checkpoint/errors.js';
import { pruneCheckpoints } from '../checkpoint/prune-checkpoints.js';
import { buildBase } from './build-base.js';
import { EventSource } from './event-source.js';
import { logLayout } from './log-layout.js';
import { findBase, markerDurable } from './replayable-history.js';
import type { StateWriter } from './state-writer.js';
import { takeCheckpoint } from './take-checkpoint.js';

/** Where a test wants compaction to stop, as if the process died there. */
export type CompactionCrashPoint = 'after-scheduled' | 'after-base' | 'mid-deletion' | 'before-finished';

export interface CompactOptions {
  logger?: Logger;
  crashAt?: CompactionCrashPoint;
}

export interface CompactionResult {
  atMain: number;
  /** True when this finished a compaction an earlier run had scheduled. */
  resumed: boolean;
  baseCheckpoint: string | null;
  segmentsDeleted: string[];
  checkpointsRemoved: string[];
  /** False when stopped at a crash point. */
  finished: boolean;
  ms: number;
}

export async function compactState(state: StateWriter, atMain: number, options: CompactOptions = {}): Promise<CompactionResult> {
  const started = performance.now();
  const { projections, wfs, dir } = state;
  const keyIndex = findProjection(projections, KeyIndexProjection);
  const control = findProjection(projections, ControlState);
  assert.ok(keyIndex !== undefined && control !== undefined, 'compaction needs the key index and control state');
  const pending = control.pendingCompaction();
  const resumed = pending === atMain;
  const result: CompactionResult = { atMain, resumed, baseCheckpoint: null, segmentsDeleted: [], checkpointsRemoved: [], finished: false, ms: 0 };
  if (pending !== null && !resumed) {
    throw new SnapshotError('SNAPSHOT_BAD_COMPACTION', `compaction at ${pending} is unfinished; resume it before compacting at ${atMain}`);
  }
  if (!resumed) {
    checkTarget(atMain, keyIndex, state.lastMain);
    const scheduled: CompactionScheduled = { type: 'compaction-scheduled', atMain };
    await state.commit([scheduled]); // the key index compacts as it applies the marker
    if (options.crashAt === 'after-scheduled') return done(result, started);
  }
  keyIndex.compactTo(atMain);
  result.baseCheckpoint = await ensureBase(state, atMain, options.logger);
  if (options.crashAt === 'after-base') return done(result, started);
  result.segmentsDeleted = state.purgeBelow(atMain, options.crashAt === 'mid-deletion' ? 1 : undefined);
  if (options.crashAt === 'mid-deletion') return done(result, started);
  result.checkpointsRemoved = pruneCheckpoints(wfs, dir, { minCoversMain: logLayout(wfs, dir).minCoversMain });
  if (options.crashAt === 'before-finished') return done(result, started);
  const finished: CompactionFinished = { type: 'compaction-finished', atMain };
  await state.commit([finished]);
  result.finished = true;
  done(result, started);
  options.logger?.info({ ...result }, 'compaction finished');
  return result;
}

function checkTarget(atMain: number, keyIndex: KeyIndexProjection, lastMain: number): void {
  const index = keyIndex.index;
  const details = { main: atMain, compactedMain: index.compactedMain, currentMain: lastMain };
  if (!Number.isSafeInteger(atMain) || atMain < 1) throw new SnapshotError('SNAPSHOT_BAD_COMPACTION', `bad compaction revision ${atMain}`);
  if (atMain <= index.compactedMain) throw new MvccError('MVCC_COMPACTED', `revision ${atMain} is already compacted (base ${index.compactedMain})`, details);
  if (atMain > index.currentMain) throw new MvccError('MVCC_FUTURE_REV', `cannot compact at ${atMain}, after current ${index.currentMain}`, details);
}

/** The durable base checkpoint for atMain: reused when an earlier run wrote it, else written. */
async function ensureBase(state: StateWriter, atMain: number, logger: Logger | undefined): Promise<string> {
  const { wfs, dir } = state;
  const layout = logLayout(wfs, dir);
  const ctx = { dir, wfs, readOnly: false, logger, broken: [] };
  const previous = findBase(ctx, layout);
  if (previous !== null && previous.atMain === atMain && markerDurable(layout, previous.file, previous.body.coversMain, wfs)) return previous.file;
  const keyIndex = findProjection(state.projections, KeyIndexProjection) as KeyIndexProjection;
  const priorBase = previous !== null && previous.atMain < atMain ? previous.events : null;
  const events = readBase(keyIndex, atMain, dir, state.structures, priorBase, wfs);
  const info = await takeCheckpoint(state, { base: { atMain, events }, reason: 'compaction', ...(logger ? { logger } : {}) });
  return info.file;
}

function readBase(
  keyIndex: KeyIndexProjection, atMain: number, dir: string, structures: StructureTable,
  priorBase: readonly BaseEvent[] | null, wfs: WalFileSystem,
): BaseEvent[] {
  const source = new EventSource(dir, structures, priorBase ?? [], wfs);
  try {
    return buildBase(keyIndex.index, atMain, source, wfs);
  } finally {
    source.close();
  }
}

function done(result: CompactionResult, started: number): CompactionResult {
  result.ms = performance.now() - started;
  return result;
}
