/**
 * What change detection asks of the live state (CurrentStateView): records by slot and
 * counts by scope, from the current-state projection, and the live keys of one scope, as
 * a prefix scan of the key index (`provider/account/region/type/` is every key's prefix in
 * that scope). And the guard's settings with what it withholds (DetectOptions), from the withheld projection,
 * with the daemon's memory of the last listings.
 */
import assert from 'node:assert/strict';
import type { CurrentStateView, DetectOptions } from '../changes/detect.js';
import type { ListingMemory } from '../changes/listing-memory.js';
import { WithheldDisappearances } from '../projection/withheld.js';
import type { DaemonConfig } from './config.js';
import { findProjection } from '../projection/builtins.js';
import { CurrentState } from '../projection/current-state.js';
import { KeyIndexProjection } from '../projection/key-index-projection.js';
import type { Projection } from '../projection/projection.js';
import { scopePrefix } from '../model/scope.js';

export function currentStateView(projections: readonly Projection[]): CurrentStateView {
  const current = findProjection(projections, CurrentState);
  const keyIndex = findProjection(projections, KeyIndexProjection);
  assert.ok(current !== undefined && keyIndex !== undefined, 'the daemon runs the built-in projections');
  return {
    slotOf: (key) => current.slotOf(key),
    keyAt: (slot) => current.keyAt(slot),
    recordAt: (slot) => current.recordAt(slot),
    get slotLimit() {
      return current.slotLimit;
    },
    liveInScope: (scope) => current.liveInScope(scopePrefix(scope)),
    keysInScope: (scope) => keyIndex.index.liveKeysWithPrefix(scopePrefix(scope)),
  };
}

export function detectOptions(
  config: Pick<DaemonConfig, 'guard'>,
  projections: readonly Projection[],
  memory: ListingMemory,
): DetectOptions {
  const withheld = findProjection(projections, WithheldDisappearances);
  assert.ok(withheld !== undefined, 'the daemon runs the built-in projections');
  return { guard: config.guard, withheldIn: (scope) => withheld.withheldIn(scope), memory };
}
