/**
 * Answers that reach into history the retention policy thinned (revisions below
 * `downsampledBeforeMain`, src/store/retention-policy.ts) are exact only at day ends: there
 * each resource kept its first revision, its end, and its last revision of each UTC day.
 * Such answers say so: a note for people, a field for scripts.
 */
import type { QueryState } from './query-state.js';

export interface Granularity {
  /** Revisions below this are kept one per resource lifetime per day. */
  dayGranularityBeforeRevision: number;
  note: string;
}

/** Null when none of `mains` (revisions an answer reads) falls in the thinned history. */
export function granularityOf(state: QueryState, mains: readonly number[]): Granularity | null {
  const before = state.downsampledBeforeMain;
  if (before === 0 || !mains.some((m) => m < before)) return null;
  const time = state.times.timeOf(before);
  const when = time === null ? '' : ` (${new Date(time).toISOString()})`;
  return {
    dayGranularityBeforeRevision: before,
    note: `history before revision ${before}${when} is kept at day granularity (retention): there, answers show each resource as it was at the end of each day`,
  };
}
