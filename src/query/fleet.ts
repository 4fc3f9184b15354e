/**
 * The whole fleet as it was at a revision: every key visible there, with its record. At
 * the newest revision that is the current state, from memory. Otherwise the key index says
 * which revision each key showed; keys unchanged since are answered from memory, the rest
 * are read from the log in log order (read-back.ts), as steps the daemon pauses between
 * (steps.ts).
 */
import type { ResourceRecord } from '../model/resource.js';
import { checkRevision } from './point.js';
import type { QueryState } from './query-state.js';
import { visitPastRecords } from './read-back.js';
import { runSteps, type Steps } from './steps.js';

/** Every resource alive at `atMain`, ascending by key. */
export function fleetAt(state: QueryState, atMain: number): ResourceRecord[] {
  return runSteps(fleetAtSteps(state, atMain));
}

export function* fleetAtSteps(state: QueryState, atMain: number): Steps<ResourceRecord[]> {
  checkRevision(state, atMain);
  if (atMain === state.lastMain) return state.current.list();
  const out: (ResourceRecord | undefined)[] = [];
  yield* visitPastRecords(state, atMain, (record, position) => {
    while (out.length <= position) out.push(undefined); // kept packed: positions arrive out of order
    out[position] = record;
  });
  return out as ResourceRecord[];
}
