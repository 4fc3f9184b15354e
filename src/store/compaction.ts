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
 * A crash anywhere leaves the log saying "scheduled, not finished"; recovery reports it and
 * resumeCompaction (or compact with the same atMain) redoes 1-5 from where they stopped:
 * a durable base is reused, deletion picks up the remaining segments. The compacted
 * revision only ever moves forward: compacting at or below it is MVCC_COMPACTED, above the
 * current revision MVCC_FUTURE_REV.
 *
 * Precondition, as for checkpoints: no append in flight.
 */
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import type { CompactionFinished, CompactionScheduled } from '../model/events.js';
import { MvccError } from '../mvcc/errors.js';
import { findProjection } from '../projection/builtins.js';
import { KeyIndexProjection } from '../projection/key-index-projection.js';
import type { Projection } from '../projection/projection.js';
import { catchUp, controlOf } from './catch-up.js';
import { SnapshotError } from '../checkpoint/errors.js';
import { EventSource } from './event-source.js';
import { findBase, markerDurable } from './replayable-history.js';
import { logLayout } from './log-layout.js';
import { pruneCheckpoints } from '../checkpoint/prune-checkpoints.js';
import { takeCheckpoint } from './take-checkpoint.js';
import { nodeFileSystem, type WalFileSystem } from '../wal/file-system.js';
import type { Wal } from '../wal/wal.js';
import { buildBase } from './build-base.js';
import { deleteSegmentsBelow } from '../wal/purge.js';

/** Where a test wants compaction to stop, as if the process died there. */
export type CompactionCrashPoint = 'after-scheduled' | 'after-base' | 'mid-deletion' | 'before-finished';

export interface CompactOptions {
  logger?: Logger;
  fs?: WalFileSystem;
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

export async function compact(wal: Wal, projections: readonly Projection[], dir: string, atMain: number, options: CompactOptions = {}): Promise<CompactionResult> {
  const started = performance.now();
  const wfs = options.fs ?? nodeFileSystem;
  assert.equal(wal.nextMain, wal.lastMain + 1, 'compact needs no append in flight');
  const keyIndex = findProjection(projections, KeyIndexProjection);
  assert.ok(keyIndex !== undefined, 'compaction needs the key index projection');
  const control = controlOf(projections);
  catchUp(wal.dir, projections, wfs);
  const pending = control.pendingCompaction();
  const resumed = pending === atMain;
  const result: CompactionResult = { atMain, resumed, baseCheckpoint: null, segmentsDeleted: [], checkpointsRemoved: [], finished: false, ms: 0 };
  if (pending !== null && !resumed) {
    throw new SnapshotError('SNAPSHOT_BAD_COMPACTION', `compaction at ${pending} is unfinished; resume it before compacting at ${atMain}`);
  }
  if (!resumed) {
    checkTarget(atMain, keyIndex, wal);
    const scheduled: CompactionScheduled = { type: 'compaction-scheduled', atMain };
    await wal.append({ main: wal.nextMain, timeMs: Date.now(), events: [scheduled] });
    catchUp(wal.dir, projections, wfs); // the key index compacts as it applies the marker
    if (options.crashAt === 'after-scheduled') return done(result, started);
  }
  keyIndex.compactTo(atMain);
  result.baseCheckpoint = await ensureBase(wal, projections, dir, atMain, wfs, options.logger);
  if (options.crashAt === 'after-base') return done(result, started);
  result.segmentsDeleted = deleteSegmentsBelow(wfs, wal.dir, atMain, options.crashAt === 'mid-deletion' ? 1 : undefined);
  if (options.crashAt === 'mid-deletion') return done(result, started);
  result.checkpointsRemoved = pruneCheckpoints(wfs, dir, { minCoversMain: logLayout(wfs, wal.dir).minCoversMain });
  if (options.crashAt === 'before-finished') return done(result, started);
  const finished: CompactionFinished = { type: 'compaction-finished', atMain };
  await wal.append({ main: wal.nextMain, timeMs: Date.now(), events: [finished] });
  catchUp(wal.dir, projections, wfs);
  result.finished = true;
  done(result, started);
  options.logger?.info({ ...result }, 'compaction finished');
  return result;
}

/** Finishes a compaction a crash interrupted (recovery reports it); null when none is pending. */
export async function resumeCompaction(wal: Wal, projections: readonly Projection[], dir: string, options: CompactOptions = {}): Promise<CompactionResult | null> {
  catchUp(wal.dir, projections, options.fs ?? nodeFileSystem);
  const pending = controlOf(projections).pendingCompaction();
  if (pending === null) return null;
  options.logger?.warn({ atMain: pending }, 'resuming an unfinished compaction');
  return compact(wal, projections, dir, pending, options);
}

function checkTarget(atMain: number, keyIndex: KeyIndexProjection, wal: Wal): void {
  const index = keyIndex.index;
  const details = { main: atMain, compactedMain: index.compactedMain, currentMain: wal.lastMain };
  if (!Number.isSafeInteger(atMain) || atMain < 1) throw new SnapshotError('SNAPSHOT_BAD_COMPACTION', `bad compaction revision ${atMain}`);
  if (atMain <= index.compactedMain) throw new MvccError('MVCC_COMPACTED', `revision ${atMain} is already compacted (base ${index.compactedMain})`, details);
  if (atMain > index.currentMain) throw new MvccError('MVCC_FUTURE_REV', `cannot compact at ${atMain}, after current ${index.currentMain}`, details);
}

/** The durable base checkpoint for atMain: reused when an earlier run wrote it, else written. */
async function ensureBase(wal: Wal, projections: readonly Projection[], dir: string, atMain: number, wfs: WalFileSystem, logger: Logger | undefined): Promise<string> {
  const layout = logLayout(wfs, wal.dir);
  const ctx = { dir, wfs, readOnly: false, logger, broken: [] };
  const previous = findBase(ctx, layout);
  if (previous !== null && previous.atMain === atMain && markerDurable(layout, previous.file, previous.body.coversMain, wfs)) return previous.file;
  const keyIndex = findProjection(projections, KeyIndexProjection) as KeyIndexProjection;
  const caught = catchUp(wal.dir, projections, wfs);
  const priorBase = previous !== null && previous.atMain < atMain ? previous.events : null;
  const source = new EventSource(wal.dir, caught.structures, priorBase, wfs);
  let events;
  try {
    events = buildBase(keyIndex.index, atMain, source, wfs);
  } finally {
    source.close();
  }
  const info = await takeCheckpoint(wal, projections, dir, { base: { atMain, events }, reason: 'compaction', fs: wfs, ...(logger ? { logger } : {}) });
  return info.file;
}

function done(result: CompactionResult, started: number): CompactionResult {
  result.ms = performance.now() - started;
  return result;
}
