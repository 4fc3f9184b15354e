/**
 * Where a compaction asked of the daemon goes: `before=REV` (that revision), or
 * `keep=DURATION` (the newest scan commit at or before now − DURATION; null when every
 * commit is newer). The same rules `elava compact` applies to a stopped daemon's log.
 */
import { findProjection } from '../projection/builtins.js';
import { CommitTimes } from '../projection/commit-times.js';
import type { Store } from '../store/store.js';
import { parseDurationMs } from './duration.js';

export function compactTarget(params: URLSearchParams, store: Store): { atMain: number | null } | { error: string } {
  const before = params.get('before');
  const keep = params.get('keep');
  if ((before === null) === (keep === null)) return { error: 'give exactly one of before=REV or keep=DURATION' };
  if (before !== null) {
    if (!/^\d+$/.test(before) || !Number.isSafeInteger(Number(before)) || Number(before) < 1) {
      return { error: `before=${JSON.stringify(before)} is not a revision (a positive integer)` };
    }
    return { atMain: Number(before) };
  }
  const ms = parseDurationMs(keep as string);
  if (ms === null) return { error: `keep=${JSON.stringify(keep)} is not a duration (e.g. 30d, 12h)` };
  const times = findProjection(store.projections, CommitTimes);
  return { atMain: times?.mainAtOrBefore(Date.now() - ms) ?? null };
}
