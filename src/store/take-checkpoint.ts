/**
 * Taking a checkpoint:
 *   1. bring the projections up to the end of the log (catch-up);
 *   2. write every projection's snapshot, the covered revision and the structure table to
 *      `checkpoint-%016x.snap` (temp file, fsync, rename, directory fsync);
 *   3. append the marker {type:'checkpoint', file, coversMain} in a commit of its own, and
 *      feed it to the projections like any other event;
 *   4. prune older checkpoints.
 * A checkpoint counts only once its marker is durable: recovery ignores a file whose
 * marker never reached the log (a crash between 2 and 3).
 *
 * Precondition: no append in flight (the daemon calls this between scan cycles), so the
 * state written is exactly the state at the covered revision.
 */
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import type { CheckpointTaken } from '../model/events.js';
import type { Projection } from '../projection/projection.js';
import { nodeFileSystem, type WalFileSystem } from '../wal/file-system.js';
import type { Wal } from '../wal/wal.js';
import { catchUp } from './catch-up.js';
import { encodeBaseEvents, encodeCheckpointBody, type BaseEvent, type CheckpointBody } from '../checkpoint/checkpoint-body.js';
import { checkpointFileName } from '../checkpoint/checkpoint-name.js';
import { pruneCheckpoints } from '../checkpoint/prune-checkpoints.js';
import { SNAP_FLAG_BASE, writeSnapFile } from '../checkpoint/snap-file.js';

export type CheckpointReason = 'policy' | 'shutdown' | 'demand' | 'compaction';

export interface TakeCheckpointOptions {
  reason?: CheckpointReason;
  logger?: Logger;
  fs?: WalFileSystem;
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

export async function takeCheckpoint(wal: Wal, projections: readonly Projection[], dir: string, options: TakeCheckpointOptions = {}): Promise<CheckpointInfo> {
  const started = performance.now();
  const wfs = options.fs ?? nodeFileSystem;
  assert.equal(wal.nextMain, wal.lastMain + 1, 'takeCheckpoint needs no append in flight');
  const caught = catchUp(wal.dir, projections, wfs);
  const coversMain = wal.lastMain;
  assert.equal(caught.logLastMain, coversMain, 'the log on disk must end where the writer does');
  const body: CheckpointBody = {
    format: 1,
    coversMain,
    createdMs: Date.now(),
    structures: caught.structures,
    projections: projections.map((p) => ({ name: p.name, version: p.version, state: p.snapshot() })),
    base: options.base ? { atMain: options.base.atMain, events: encodeBaseEvents(options.base.events) } : null,
  };
  assert.equal(new Set(body.projections.map((p) => p.name)).size, projections.length, 'projection names must be unique');
  const bytes = encodeCheckpointBody(body);
  const file = checkpointFileName(coversMain);
  writeSnapFile(wfs, dir, file, bytes, options.base ? SNAP_FLAG_BASE : 0);
  if (options.skipMarker) return { file, coversMain, markerMain: null, bodyBytes: bytes.length, ms: performance.now() - started };
  const marker: CheckpointTaken = { type: 'checkpoint', file, coversMain };
  const markerMain = wal.nextMain;
  await wal.append({ main: markerMain, timeMs: Date.now(), events: [marker] });
  catchUp(wal.dir, projections, wfs);
  const removed = pruneCheckpoints(wfs, dir);
  const info = { file, coversMain, markerMain, bodyBytes: bytes.length, ms: performance.now() - started };
  options.logger?.info({ ...info, reason: options.reason ?? 'demand', removed }, 'checkpoint taken');
  return info;
}
