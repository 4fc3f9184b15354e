/**
 * The projection set Elava runs: the key index, the current state, counts, commit times
 * (revision <-> time for queries), the log's own control state, what the
 * mass-disappearance guard withholds, each scope's last listing outcome (health),
 * (in an aggregator's log) the fan-in sources, and since when each resource has been in
 * its waste condition (the waste report's ages).
 * Recovery, rebuild and checkpoints default to it. The key index comes first: it hands each
 * event the key's one string (adoptKeyString) before the others keep it.
 */
import { CommitTimes } from './commit-times.js';
import { ConditionSince } from './condition-since.js';
import { ControlState } from './control-state.js';
import { Counts } from './counts.js';
import { CurrentState } from './current-state.js';
import { KeyIndexProjection } from './key-index-projection.js';
import type { Projection } from './projection.js';
import { ScopeStatusProjection } from './scope-status.js';
import { Sources } from './sources.js';
import { WithheldDisappearances } from './withheld.js';

export function builtInProjections(): Projection[] {
  const keyIndex = new KeyIndexProjection();
  return [
    keyIndex,
    new CurrentState(keyIndex), // these three by the key index's slots (key-slots.ts)
    new Counts(keyIndex),
    new CommitTimes(),
    new ControlState(),
    new WithheldDisappearances(),
    new ScopeStatusProjection(),
    new Sources(),
    new ConditionSince(keyIndex),
  ];
}

/** The one projection of class `cls` in `projections`, or undefined. */
export function findProjection<T extends Projection>(projections: readonly Projection[], cls: abstract new (...args: never[]) => T): T | undefined {
  for (const p of projections) if (p instanceof cls) return p;
  return undefined;
}
