/**
 * Which checkpoint files to keep: the newest CHECKPOINTS_KEPT, plus the newest one that
 * holds a compaction base (the only way to rebuild a projection from scratch once the log
 * below that base is deleted). Older bases and checkpoints are removed, then the directory
 * is fsync'd once.
 */
import path from 'node:path';
import { CHECKPOINTS_KEPT } from '../limits.js';
import { fsyncDirectory, type WalFileSystem } from '../wal/file-system.js';
import { listCheckpoints } from './checkpoint-name.js';
import { SNAP_FLAG_BASE, readSnapFlags } from './snap-file.js';

export interface PruneOptions {
  keep?: number;
  /** Also remove checkpoints covering less than this (the log no longer holds their tail). */
  minCoversMain?: number;
}

/** Removes unneeded checkpoint files; returns the names removed. */
export function pruneCheckpoints(wfs: WalFileSystem, dir: string, options: PruneOptions = {}): string[] {
  const keep = options.keep ?? CHECKPOINTS_KEPT;
  const minCovers = options.minCoversMain ?? 0;
  const all = listCheckpoints(wfs, dir);
  let baseKept = false;
  const removed: string[] = [];
  all.forEach((c, i) => {
    const isBase = !baseKept && ((readSnapFlags(wfs, dir, c.name) ?? 0) & SNAP_FLAG_BASE) !== 0;
    if (isBase) baseKept = true;
    if (isBase || (i < keep && c.coversMain >= minCovers)) return;
    wfs.unlinkSync(path.join(dir, c.name));
    removed.push(c.name);
  });
  if (removed.length > 0) fsyncDirectory(wfs, dir);
  return removed;
}
