/**
 * Feeds projections every log event they have not seen yet, read back from the log (so
 * each carries its location). Where they stand is the ControlState's `appliedMain`: the
 * one way projections advance, whether the daemon just appended a scan cycle or a
 * checkpoint or compaction marker, so no event is ever applied twice.
 */
import assert from 'node:assert/strict';
import { findProjection } from '../projection/builtins.js';
import { ControlState } from '../projection/control-state.js';
import type { Projection } from '../projection/projection.js';
import { replay, type ReplayResult } from '../projection/replay.js';
import type { StructureTable } from '../wal/codec.js';
import { LogReader } from '../wal/reader.js';
import type { WalFileSystem } from '../wal/file-system.js';

export interface CatchUpResult {
  replay: ReplayResult;
  /** The newest structure table of the log (decodes every record up to its end). */
  structures: StructureTable;
  /** The last whole commit in the log. */
  logLastMain: number;
}

export function controlOf(projections: readonly Projection[]): ControlState {
  const control = findProjection(projections, ControlState);
  assert.ok(control !== undefined, 'the projection set needs a ControlState');
  return control;
}

export function catchUp(logDir: string, projections: readonly Projection[], fs?: WalFileSystem): CatchUpResult {
  const applied = controlOf(projections).appliedMain;
  const reader = new LogReader(logDir, fs ? { fromMain: applied + 1, fs } : { fromMain: applied + 1 });
  const result = replay(reader.entries(), projections, { afterMain: applied });
  assert.equal(result.uncommittedEvents, 0, 'the reader hands out whole commits only');
  return { replay: result, structures: reader.structures, logLastMain: reader.tail.lastMain };
}
