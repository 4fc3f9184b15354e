/**
 * The live fleet sorted into the lists the waste rules walk: each resource type's records,
 * and the unowned. One pass over the current state serves every rule (each pass over
 * 100 k records costs ~30 ms on the build machine, most of it reaching the records).
 */
import type { ResourceRecord, ResourceType } from '../model/resource.js';
import { WASTE_RECORDS_PER_STEP } from '../limits.js';
import type { QueryState } from './query-state.js';
import type { Steps } from './steps.js';

export interface WasteFleet {
  /** The live records of `type`, in no particular order. */
  of(type: ResourceType): readonly ResourceRecord[];
  /** The live records whose owner is null. */
  readonly unowned: readonly ResourceRecord[];
}

const NONE: readonly ResourceRecord[] = [];

/**
 * The fleet's lists, as steps (steps.ts) of `perStep` records; only inside steps run
 * atNewest (a commit during a pause ends the walk there).
 */
export function* wasteFleetSteps(state: QueryState, perStep = WASTE_RECORDS_PER_STEP): Steps<WasteFleet> {
  const byType = new Map<ResourceType, ResourceRecord[]>();
  const unowned: ResourceRecord[] = [];
  let looked = 0;
  for (const r of state.current.values()) {
    if (looked > 0 && looked % perStep === 0) yield;
    looked++;
    const list = byType.get(r.type);
    if (list === undefined) byType.set(r.type, [r]);
    else list.push(r);
    if (r.owner === null) unowned.push(r);
  }
  return { of: (type) => byType.get(type) ?? NONE, unowned };
}
