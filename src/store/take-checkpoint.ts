/**
 * Taking a checkpoint (the projections are already at the end of the log: the Store feeds
 * them every commit as it becomes durable):
 *   1. write every projection's snapshot (part by part), the covered revision and the
 *      structure table to `checkpoint-%016x.snap` (temp file, fsync, rename, directory fsync);
 *   2. commit the marker {type:'checkpoint', file, coversMain} through the Store, like any
 *      other commit;
 *   3. prune older checkpoints.
 * A checkpoint counts only once its marker is durable: recovery ignores a file whose
 * marker never reached the log (a crash between 1 and 2).
 *
 * Other commits wait while the file is written (StateWriter.holdCommits: it first lets the
 * commits in flight be applied), so the state written is exactly the state at the covered
 * revision, and the file is written part by part with the event loop turning in between.
 */
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import type { CheckpointTaken } from '../model/events.js';
import type { StateWriter } from './state-writer.js';
import { writeCheckpoint, type BaseEvent, type CheckpointContent } from '../checkpoint/checkpoint-body.js';
import { checkpointFileName } from '../checkpoint/checkpoint-name.js';
import { pruneCheckpoints } from '../checkpoint/prune-checkpoints.js';
import { SNAP_FLAG_BASE } from '../checkpoint/snap-file.js';
import { findProjection } from '../projection/builtins.js';
import { KeyIndexProjection } from '../projection/key-index-projection.js';
import { snapshotParts } from '../projection/snapshot-parts.js';

export type CheckpointReason = 'policy' | 'shutdown' | 'demand' | 'compaction';

export interface TakeCheckpointOptions {
  reason?: CheckpointReason;
  logger?: Logger;
  /** A compaction base to carry (compaction only). */
  base?: { atMain: number; events: readonly BaseEvent[] };
  /** Stop after writing the file, before the marker (tests simulate a crash with it). */
  skipMarker?: boolean;
}

export interface CheckpointInfo {
  file: string;
  coversMain: number;
  /** Revision main of the marker commit (null with skipMarker). */
  markerMain: number | null;
  bodyBytes: number;
  ms: number;
}

export async function takeCheckpoint(state: StateWriter, options: TakeCheckpointOptions = {}): Promise<CheckpointInfo> {
  const started = performance.now();
  // The file is written over many turns of the event loop: nothing else may commit until
  // its marker has (the state must stand still, and the marker follows what it covers).
  const hold = await state.holdCommits();
  try {
    const { file, coversMain, bodyBytes } = await writeStateCheckpoint(state, options.base ?? null);
    if (options.skipMarker) return { file, coversMain, markerMain: null, bodyBytes, ms: performance.now() - started };
    const marker: CheckpointTaken = { type: 'checkpoint', file, coversMain };
    const { main: markerMain } = await hold.commit([marker]);
    assert.equal(markerMain, coversMain + 1, 'the marker is the commit right after what it covers');
    hold.release();
    const { wfs, dir } = state;
    const removed = pruneCheckpoints(wfs, dir);
    const info = { file, coversMain, markerMain, bodyBytes, ms: performance.now() - started };
    options.logger?.info({ ...info, reason: options.reason ?? 'demand', removed }, 'checkpoint taken');
    return info;
  } finally {
    hold.release();
  }
}

/** What a checkpoint file is written from: a state standing still (takeCheckpoint holds commits). */
export type CheckpointSource = Pick<StateWriter, 'dir' | 'wfs' | 'projections' | 'lastMain' | 'structures'>;

/** Step 1 alone: the file, no marker (the scale benchmark times it on a read-only state). */
export async function writeStateCheckpoint(state: CheckpointSource, base: TakeCheckpointOptions['base'] | null): Promise<{ file: string; coversMain: number; bodyBytes: number }> {
  const { wfs, dir, projections } = state;
  assert.equal(new Set(projections.map((p) => p.name)).size, projections.length, 'projection names must be unique');
  const coversMain = state.lastMain;
  // The other projections walk the key index's keys (ascending) rather than sort their own.
  const keyIndex = findProjection(projections, KeyIndexProjection);
  const ascending = keyIndex === undefined ? undefined : () => keyIndex.index.keys();
  const content: CheckpointContent = {
    coversMain,
    createdMs: Date.now(),
    structures: state.structures,
    projections: projections.map((p) => ({ name: p.name, version: p.version, parts: snapshotParts(p, p === keyIndex ? undefined : ascending), firstKey: p.partFirstKey?.bind(p) })),
    base: base ?? null,
  };
  const file = checkpointFileName(coversMain);
  const bodyBytes = await writeCheckpoint(wfs, dir, file, content, base ? SNAP_FLAG_BASE : 0);
  return { file, coversMain, bodyBytes };
}
