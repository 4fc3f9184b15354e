/**
 * Test help for checkpoints in parts: a checkpoint's projections restored, and a
 * checkpoint rewritten with a few keys or records per part (same name and covered
 * revision, so its marker in the log stays valid), so small histories make many parts.
 */
import assert from 'node:assert/strict';
import { decodeBaseEvents, LoadedCheckpoint, writeCheckpoint } from '../../src/checkpoint/checkpoint-body.js';
import { SNAP_FLAG_BASE } from '../../src/checkpoint/snap-file.js';
import { builtInProjections, findProjection } from '../../src/projection/builtins.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import type { Projection } from '../../src/projection/projection.js';
import { partRestorer, snapshotParts } from '../../src/projection/snapshot-parts.js';
import { nodeFileSystem } from '../../src/wal/file-system.js';

/** Keys or records per part: small, so a small history makes many parts. */
export const PART_ITEMS = 7;

/** The projections restored from checkpoint `file`. */
export function restored(dir: string, file: string): { projections: Projection[]; loaded: LoadedCheckpoint } {
  const loaded = LoadedCheckpoint.open(nodeFileSystem, dir, file);
  const projections = builtInProjections();
  for (const p of projections) {
    const saved = loaded.body.projections.find((s) => s.name === p.name);
    assert.ok(saved, `checkpoint holds ${p.name}`);
    const restorer = partRestorer(p);
    for (const part of loaded.parts(saved)) restorer.add(part);
    restorer.finish();
  }
  loaded.close();
  return { projections, loaded };
}

/** Rewrites checkpoint `file` (same name and covered revision: its marker stays valid) with PART_ITEMS per part. */
export async function rewriteInSmallParts(dir: string, file: string): Promise<void> {
  const { projections, loaded } = restored(dir, file);
  const { coversMain, createdMs, structures } = loaded.body;
  // The key index's keys walked by the others, as takeCheckpoint does.
  const keyIndex = findProjection(projections, KeyIndexProjection);
  const ascending = keyIndex === undefined ? undefined : () => keyIndex.index.keys();
  const parts = (p: Projection): Iterable<unknown> => p.snapshotParts?.(PART_ITEMS, p === keyIndex ? undefined : ascending) ?? snapshotParts(p);
  const content = {
    coversMain, createdMs, structures,
    base: loaded.body.base === null ? null : { atMain: loaded.body.base.atMain, events: decodeBaseEvents(loaded.body.base, file) },
    projections: projections.map((p) => ({ name: p.name, version: p.version, parts: parts(p), firstKey: p.partFirstKey?.bind(p) })),
  };
  await writeCheckpoint(nodeFileSystem, dir, file, content, content.base === null ? 0 : SNAP_FLAG_BASE);
}
