/**
 * "Since when" answers for the waste report, from the key index's history — what no
 * stateless inventory can say. Every answer is a time plus `atLeast`: false when Elava saw
 * the moment happen (the revision where the condition became true, the tombstone of what
 * went away), true when the condition already held at the start of the history Elava
 * holds (first sight, or history compacted away), so the true age is longer.
 */
import type { ResourceRecord } from '../model/resource.js';
import type { IndexedRevision, KeyIndex } from '../mvcc/key-index.js';
import type { ConditionSince } from '../projection/condition-since.js';
import type { QueryState } from './query-state.js';
import { WASTE_RECORDS_PER_STEP } from '../limits.js';
import { readLoggedRecords, recordAt, type KeyRevision } from './read-back.js';
import { eachInSteps, runSteps, type Steps } from './steps.js';

export const DAY_MS = 86_400_000;

export interface Since {
  ms: number | null;
  atLeast: boolean;
}

/** The entries of the key's open generation (the live one), oldest first. */
export function openGeneration(state: QueryState, key: string): IndexedRevision[] {
  return state.index.keyIndex(key)?.openGeneration() ?? [];
}

/** When the current generation of `key` was first seen. */
export function firstSeen(state: QueryState, key: string): Since {
  return timeOfMain(state, state.index.keyIndex(key)?.openGenerationFirstMain(), false);
}

/** Days from `sinceMs` to `nowMs`, to a tenth (display only: thresholds compare milliseconds). */
export function days(nowMs: number, sinceMs: number | null): number | null {
  if (sinceMs === null) return null;
  return Math.round(((nowMs - sinceMs) / DAY_MS) * 10) / 10;
}

/** Since when `holds` has been true of the key's records, walking back from the newest. */
export function sinceWhen(state: QueryState, key: string, holds: (r: ResourceRecord) => boolean): Since {
  return sinceWhenMany(state, [{ key, holds }])[0] as Since;
}

/** What `sinceWhenMany` answers: since when `holds` has been true of `key`'s records. */
export interface SinceRequest {
  readonly key: string;
  readonly holds: (r: ResourceRecord) => boolean;
}

/**
 * `sinceWhen` for many keys at once, equal to it key by key. The walk back goes in rounds:
 * round k looks at the k-th newest entry of every key still walking, and reads all of
 * those records in one batch, in log order (readLoggedRecords), instead of one seek per
 * record; a whole-fleet report then reads each segment forward about once per round, and
 * most keys stop after one or two rounds.
 */
export function sinceWhenMany(state: QueryState, requests: readonly SinceRequest[]): Since[] {
  const answers = new Array<Since>(requests.length);
  // Per request still walking: its key index, where its open generation starts, and the
  // earliest entry found so far for which the condition holds.
  const walks: Array<{ i: number; ki: KeyIndex; start: number; earliest: number }> = [];
  requests.forEach((q, i) => {
    const ki = state.index.keyIndex(q.key);
    // The newest entry of a live key (a non-empty open generation) is its current record.
    const current = ki?.isLive() === true ? state.current.get(q.key) : undefined;
    if (ki === undefined || current === undefined || !q.holds(current)) {
      answers[i] = { ms: null, atLeast: false };
      return;
    }
    walks.push({ i, ki, start: ki.openGenerationStart(), earliest: ki.length - 1 });
  });
  let walking = walks.filter((w) => w.earliest > w.start);
  while (walking.length > 0) {
    const records = readLoggedRecords(state, walking.map((w): KeyRevision => ({ key: w.ki.key, revision: w.ki.entry(w.earliest - 1) })));
    walking = walking.filter((w, j) => {
      if (!(requests[w.i] as SinceRequest).holds(records[j] as ResourceRecord)) return false;
      w.earliest--;
      return w.earliest > w.start;
    });
  }
  for (const w of walks) answers[w.i] = timeOfMain(state, w.ki.mainOf(w.earliest), w.earliest === w.start);
  return answers;
}

/**
 * Since when each of `records` (current records meeting `holds`, one of the aged
 * conditions of src/model/waste-conditions.ts) has met it: kept by the ConditionSince
 * projection as events were applied, so no log is read; sinceWhenMany walks the log for
 * any the state does not keep (a projection set without it). Equal to sinceWhenMany
 * (test/query/waste-ages.test.ts). `firstSeenOut`, when given, gets each one's firstSeen
 * (firstSeen's answer): the run's start when it began at first sight, else from the key
 * index.
 */
export function conditionAges(
  state: QueryState, records: readonly ResourceRecord[], holds: (r: ResourceRecord) => boolean, firstSeenOut?: Since[],
): Since[] {
  return runSteps(conditionAgesSteps(state, records, holds, firstSeenOut));
}

/** conditionAges as steps (steps.ts) of `perStep` records. */
export function* conditionAgesSteps(
  state: QueryState, records: readonly ResourceRecord[], holds: (r: ResourceRecord) => boolean, firstSeenOut?: Since[],
  perStep = WASTE_RECORDS_PER_STEP,
): Steps<Since[]> {
  const kept = state.conditionSince;
  const answers = new Array<Since>(records.length);
  const walk: number[] = [];
  yield* eachInSteps(records, perStep, (record, i) => {
    const key = record.key;
    const main = kept?.sinceMain(key);
    // A run begun at first sight began at the lifetime's first main: no key index lookup.
    const fromFirstSight = main !== undefined && (kept as ConditionSince).sinceFirstSight(key);
    const firstMain = fromFirstSight ? main : state.index.keyIndex(key)?.openGenerationFirstMain();
    if (firstSeenOut !== undefined) firstSeenOut[i] = timeOfMain(state, firstMain, false);
    if (main === undefined) walk.push(i);
    else answers[i] = timeOfMain(state, main, main === firstMain);
  });
  if (walk.length > 0) {
    const walked = sinceWhenMany(state, walk.map((i) => ({ key: (records[i] as ResourceRecord).key, holds })));
    walk.forEach((i, j) => (answers[i] = walked[j] as Since));
  }
  return answers;
}

/** The time of `entry`; at the start of the known history the time is a lower bound. */
export function timeOfEntry(state: QueryState, entry: IndexedRevision | undefined, atHistoryStart: boolean): Since {
  return timeOfMain(state, entry?.main, atHistoryStart);
}

/** timeOfEntry by the entry's main alone (undefined: no entry). */
function timeOfMain(state: QueryState, main: number | undefined, atHistoryStart: boolean): Since {
  if (main === undefined) return { ms: null, atLeast: false };
  const ms = state.times.timeOf(main);
  if (ms !== null && main > state.compactedMain) return { ms, atLeast: atHistoryStart };
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
  if (since !== null && !since.atLeast) return since;
  const createdMs = typeof createdIso === 'string' ? Date.parse(createdIso) : NaN;
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
