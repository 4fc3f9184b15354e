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
import { readLoggedRecords, recordAt, type KeyRevision } from './read-back.js';

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
  return timeOfEntry(state, state.index.keyIndex(key)?.openGenerationFirst(), false);
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
 * those records in one batch, in log order (readRecords), instead of one seek per record;
 * a whole-fleet report then reads each segment forward about once per round, and most
 * keys stop after one or two rounds.
 */
export function sinceWhenMany(state: QueryState, requests: readonly SinceRequest[], memo?: SinceMemo): Since[] {
  const answers = new Array<Since | undefined>(requests.length);
  const generations = new Array<IndexedRevision[]>(requests.length);
  const earliest = new Array<number>(requests.length);
  // The newest entry of a live key (a non-empty open generation) is its current record.
  let walking: number[] = [];
  memo?.begin(state);
  requests.forEach((q, i) => {
    const known = memo?.get(state, q.key);
    if (known !== undefined) {
      answers[i] = known;
      return;
    }
    const g = openGeneration(state, q.key);
    generations[i] = g;
    earliest[i] = g.length;
    const current = g.length > 0 ? state.current.get(q.key) : undefined;
    if (current === undefined || !q.holds(current)) return;
    earliest[i] = g.length - 1;
    if (g.length > 1) walking.push(i);
  });
  for (let back = 2; walking.length > 0; back++) {
    const wanted = walking.map((i): KeyRevision => {
      const g = generations[i] as IndexedRevision[];
      return { key: (requests[i] as SinceRequest).key, revision: g[g.length - back] as IndexedRevision };
    });
    const records = readLoggedRecords(state, wanted);
    const next: number[] = [];
    for (let j = 0; j < walking.length; j++) {
      const i = walking[j] as number;
      if (!(requests[i] as SinceRequest).holds(records[j] as ResourceRecord)) continue;
      const at = (generations[i] as IndexedRevision[]).length - back;
      earliest[i] = at;
      if (at > 0) next.push(i);
    }
    walking = next;
  }
  const out = requests.map((q, i) => {
    const known = answers[i];
    if (known !== undefined) return known;
    const e = earliest[i] as number;
    const since = timeOfEntry(state, (generations[i] as IndexedRevision[])[e], e === 0);
    memo?.set(state, q.key, since);
    return since;
  });
  memo?.end();
  return out;
}

/**
 * sinceWhenMany's answers for one condition, kept from one report to the next: a key's
 * answer holds as long as its history is the same. History only grows at the end (every
 * new entry moves the key's newest main and its length), except where compaction or
 * retention rewrites it, and then every answer is dropped. After a scan cycle only the
 * keys it touched are walked again. It holds the answers of the last call only, so it
 * never outgrows one report.
 */
export class SinceMemo {
  private last = new Map<string, MemoEntry>();
  private next = new Map<string, MemoEntry>();
  private history = '';

  /** Starts a call: drops every answer when compaction or downsampling rewrote history. */
  begin(state: QueryState): void {
    const history = `${state.dir}:${state.compactedMain}:${state.downsampledBeforeMain}`;
    if (history !== this.history) this.last.clear();
    this.history = history;
    this.next = new Map();
  }

  get(state: QueryState, key: string): Since | undefined {
    const known = this.last.get(key);
    if (known === undefined) return undefined;
    const ki = state.index.keyIndex(key);
    if (ki === undefined || ki.lastMain() !== known.lastMain || ki.length !== known.length) return undefined;
    this.next.set(key, known);
    return known.since;
  }

  set(state: QueryState, key: string, since: Since): void {
    const ki = state.index.keyIndex(key);
    if (ki !== undefined) this.next.set(key, { lastMain: ki.lastMain(), length: ki.length, since });
  }

  /** Ends a call: what it asked about is what the next one may reuse. */
  end(): void {
    this.last = this.next;
    this.next = new Map();
  }
}

interface MemoEntry {
  lastMain: number;
  length: number;
  since: Since;
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
