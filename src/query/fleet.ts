/**
 * The whole fleet as it was at a revision: every key visible there, with its record. At
 * the newest revision that is the current state, from memory. Otherwise the key index says
 * which revision each key showed; keys unchanged since are answered from memory, the rest
 * are read from the log in log order (read-back.ts).
 */
import type { ResourceRecord } from '../model/resource.js';
import { checkRevision } from './point.js';
import type { QueryState } from './query-state.js';
import { readRecords, type KeyRevision } from './read-back.js';

/** Every resource alive at `atMain`, ascending by key. */
export function fleetAt(state: QueryState, atMain: number): ResourceRecord[] {
  checkRevision(state, atMain);
  if (atMain === state.lastMain) return state.current.list();
  const visible: KeyRevision[] = [];
  for (const v of state.index.range('', undefined, atMain)) visible.push(v);
  return readRecords(state, visible);
}
