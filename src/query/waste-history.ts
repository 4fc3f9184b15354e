/**
 * "Since when" answers for the waste report, from the key index's history — what no
 * stateless inventory can say. Every answer is a time plus `atLeast`: false when Elava saw
 * the moment happen (the revision where the condition became true, the tombstone of what
 * went away), true when the condition already held at the start of the history Elava
 * holds (first sight, or history compacted away), so the true age is longer.
 */
import type { ResourceRecord } from '../model/resource.js';
import type { IndexedRevision } from '../mvcc/key-index.js';
import type { QueryState } from './query-state.js';
import { recordAt } from './read-back.js';

export const DAY_MS = 86_400_000;

export interface Since {
  ms: number | null;
  atLeast: boolean;
}

/** The entries of the key's open generation (the live one), oldest first. */
export function openGeneration(state: QueryState, key: string): IndexedRevision[] {
  const history = state.index.keyIndex(key)?.history() ?? [];
  let start = history.length;
  while (start > 0 && !(history[start - 1] as IndexedRevision).tombstone) start--;
  return history.slice(start);
}

/** When the current generation of `key` was first seen. */
export function firstSeen(state: QueryState, key: string): Since {
  return timeOfEntry(state, openGeneration(state, key)[0], false);
}

/** Days from `sinceMs` to `nowMs`, to a tenth (display only: thresholds compare milliseconds). */
export function days(nowMs: number, sinceMs: number | null): number | null {
  if (sinceMs === null) return null;
  return Math.round(((nowMs - sinceMs) / DAY_MS) * 10) / 10;
}

/** Since when `holds` has been true of the key's records, walking back from the newest. */
export function sinceWhen(state: QueryState, key: string, holds: (r: ResourceRecord) => boolean): Since {
  const generation = openGeneration(state, key);
  let earliest = generation.length;
  for (let i = generation.length - 1; i >= 0; i--) {
    if (!holds(recordAt(state, key, generation[i] as IndexedRevision))) break;
    earliest = i;
  }
  return timeOfEntry(state, generation[earliest], earliest === 0);
}

/** The time of `entry`; at the start of the known history the time is a lower bound. */
export function timeOfEntry(state: QueryState, entry: IndexedRevision | undefined, atHistoryStart: boolean): Since {
  if (entry === undefined) return { ms: null, atLeast: false };
  const ms = state.times.timeOf(entry.main);
  if (ms !== null && entry.main > state.compactedMain) return { ms, atLeast: atHistoryStart };
  return { ms: state.times.firstTimeMs, atLeast: true };
}

/**
 * When a key that is not live now went away: the time of its last tombstone; null when
 * Elava never saw it (or holds no history of it), so the caller falls back to a bound.
 */
export function goneSince(state: QueryState, key: string): Since | null {
  const ki = state.index.keyIndex(key);
  const last = ki?.last();
  if (ki === undefined || last === undefined || !last.tombstone) return null;
  return timeOfEntry(state, last, false);
}

/** `since` unless a cloud timestamp says the condition held earlier: then that, at least. */
export function boundedBy(since: Since | null, createdIso: unknown): Since {
  const createdMs = typeof createdIso === 'string' ? Date.parse(createdIso) : NaN;
  if (since !== null && !since.atLeast) return since;
  const usable = Number.isFinite(createdMs) && (since === null || since.ms === null || createdMs <= since.ms);
  if (usable) return { ms: createdMs, atLeast: true };
  return since ?? { ms: null, atLeast: false };
}

/** Earliest time first (unknown last), then by key. */
export function oldestFirst(a: number | null, b: number | null, ka: string, kb: string): number {
  const ta = a ?? Infinity;
  const tb = b ?? Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export interface StoppedAcross extends Since {
  /** Starts within the stop that look like AWS's forced restart after seven days. */
  forcedRestarts: number;
}

/**
 * Since when the key has been stopped, reaching back across AWS's forced restarts: a
 * not-stopped stretch shorter than `gapMsMax` that follows a stopped stretch of at least
 * `forcedAfterMs` does not end the stop (RDS starts an instance stopped for seven days;
 * its owner, or a scheduler, stops it again). Reads each revision of the open generation.
 */
export function stoppedAcrossRestarts(
  state: QueryState,
  key: string,
  stopped: (r: ResourceRecord) => boolean,
  forcedAfterMs: number,
  gapMsMax: number,
): StoppedAcross {
  const generation = openGeneration(state, key);
  const flags = generation.map((e) => stopped(recordAt(state, key, e)));
  const timeAt = (i: number): number => state.times.timeOf((generation[i] as IndexedRevision).main) ?? 0;
  let runStart = generation.length;
  while (runStart > 0 && flags[runStart - 1] === true) runStart--;
  let restarts = 0;
  for (let guard = 0; guard < generation.length && runStart > 0; guard++) {
    let k = runStart - 1; // last entry of the not-stopped gap is k..runStart-1
    while (k >= 0 && flags[k] !== true) k--;
    if (k < 0) break;
    let prevStart = k;
    while (prevStart > 0 && flags[prevStart - 1] === true) prevStart--;
    const gapMs = timeAt(runStart) - timeAt(k + 1);
    const prevStopMs = timeAt(k + 1) - timeAt(prevStart);
    if (gapMs > gapMsMax || prevStopMs < forcedAfterMs) break;
    restarts++;
    runStart = prevStart;
  }
  const since = timeOfEntry(state, generation[runStart], runStart === 0);
  return { ...since, forcedRestarts: restarts };
}
