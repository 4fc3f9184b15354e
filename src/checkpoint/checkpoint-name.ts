/**
 * Checkpoint file names: `checkpoint-%016x.snap`, the hex revision main the checkpoint
 * covers. A damaged one is set aside as `.broken`; one being written carries `.tmp`.
 */
import assert from 'node:assert/strict';
import type { WalFileSystem } from '../wal/file-system.js';
import { SnapshotError } from './errors.js';

const CHECKPOINT_NAME = /^checkpoint-([0-9a-f]{16})\.snap$/;
export const CHECKPOINT_BROKEN_SUFFIX = '.broken';

export interface CheckpointName {
  name: string;
  coversMain: number;
}

export function checkpointFileName(coversMain: number): string {
  assert.ok(Number.isSafeInteger(coversMain) && coversMain >= 0, `bad checkpoint revision ${coversMain}`);
  return `checkpoint-${coversMain.toString(16).padStart(16, '0')}.snap`;
}

export function parseCheckpointName(name: string): CheckpointName | null {
  const m = CHECKPOINT_NAME.exec(name);
  if (m === null || m[1] === undefined) return null;
  const coversMain = Number.parseInt(m[1], 16);
  return Number.isSafeInteger(coversMain) ? { name, coversMain } : null;
}

/** The checkpoints in `dir`, newest (highest covered revision) first. */
export function listCheckpoints(wfs: WalFileSystem, dir: string): CheckpointName[] {
  let names: string[];
  try {
    names = wfs.readdirSync(dir);
  } catch (err) {
    throw new SnapshotError('SNAPSHOT_IO', `cannot list ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const out: CheckpointName[] = [];
  for (const n of names) {
    const parsed = parseCheckpointName(n);
    if (parsed !== null) out.push(parsed);
  }
  return out.sort((a, b) => b.coversMain - a.coversMain);
}

/**
 * The highest revision a checkpoint in `dir` covers (0 when there is none). A checkpoint
 * is renamed into place only after everything it covers is durable in the log, so the log
 * must still hold every commit up to here: the torn-write rule never cuts below it.
 */
export function checkpointFloorMain(wfs: WalFileSystem, dir: string): number {
  let names: string[];
  try {
    names = wfs.readdirSync(dir);
  } catch {
    return 0; // the log's own open reports an unreadable directory
  }
  let floor = 0;
  for (const n of names) floor = Math.max(floor, parseCheckpointName(n)?.coversMain ?? 0);
  return floor;
}
