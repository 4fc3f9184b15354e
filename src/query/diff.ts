/**
 * What changed between two revisions, and what disappeared in a window.
 *
 * Both walk the key index once (in steps the daemon pauses between, steps.ts), skipping at
 * once every key whose newest entry is at or below the start (most keys, for a short
 * window). A key that changed and changed back within the window is not reported by the
 * diff; one that disappeared and came back is reported as changed (its record at both
 * ends), and by `disappearedBetween` as disappeared.
 *
 * A diff is found in two steps. `diffWindow` walks the index and says which keys appeared,
 * may have changed, and disappeared, and at which entries, reading nothing from the log
 * (a page of the console asks for a day of changes and shows 500 of them). The answer
 * (diff-filter.ts) then reads only the records it needs: those it shows, and those a
 * filter or the changed-back rule must look at.
 *
 * `certain`: a key whose two ends are consecutive puts of its history was changed by one
 * `changed` event, and the change detector writes one only for a record that differs from
 * the key's previous one (src/changes/detect.ts), so it changed and its records need not be
 * compared to know it. That holds for the log one daemon writes; not below the retention
 * mark (downsampling drops entries between puts that remain) nor in an aggregator's log
 * (events of several sources interleave), where the records are compared.
 */
import type { FieldChange } from '../model/events.js';
import type { ResourceRecord } from '../model/resource.js';
import type { IndexedRevision, KeyIndex } from '../mvcc/key-index.js';
import { QueryError } from './errors.js';
import { checkRevision } from './point.js';
import type { QueryState } from './query-state.js';
import { readLoggedInSteps, type KeyRevision } from './read-back.js';
import { runSteps, type Steps } from './steps.js';
import { WINDOW_KEYS_PER_STEP } from '../limits.js';

export interface ChangedResource {
  key: string;
  before: ResourceRecord;
  after: ResourceRecord;
  diff: FieldChange[];
}

export interface RevisionDiff {
  appeared: ResourceRecord[];
  changed: ChangedResource[];
  disappeared: Array<{ key: string; last: ResourceRecord }>;
}

export interface Disappearance {
  key: string;
  main: number;
  timeMs: number | null;
  /** The record just before it disappeared. */
  last: ResourceRecord;
}

/**
 * A key that may be in the diff, and the puts visible at the window's two ends, each as
 * its parts (revision, segment, offset), copied from the key index when walked: one object
 * a key, where an entry and a location object for each end made five (a day at a million
 * resources keeps ~870 k of them while the daemon caches the window). `windowPut` gives an
 * end as an entry.
 */
export interface WindowKey {
  readonly key: string;
  /** The put visible at the start; segment null: the key did not exist then (it appeared). */
  readonly beforeMain: number;
  readonly beforeSub: number;
  readonly beforeSegment: string | null;
  readonly beforeOffset: number;
  /** The put visible at the end; segment null: the key does not exist then (it disappeared). */
  readonly afterMain: number;
  readonly afterSub: number;
  readonly afterSegment: string | null;
  readonly afterOffset: number;
  /** The end's put was the key's newest entry when the window was walked. */
  readonly afterNewest: boolean;
  /** The key's slot in the key index when the window was walked (read-back.ts currentRecord). */
  readonly slot: number;
  /** Changed for certain (see the header); false: compare the records. */
  readonly certain: boolean;
}

/** The put `k` saw at the window's start (`before`) or end, as an entry; null when there was none. */
export function windowPut(k: WindowKey, end: 'before' | 'after'): IndexedRevision | null {
  const before = end === 'before';
  const segment = before ? k.beforeSegment : k.afterSegment;
  if (segment === null) return null;
  return {
    main: before ? k.beforeMain : k.afterMain,
    sub: before ? k.beforeSub : k.afterSub,
    tombstone: false,
    location: { segment, offsetBytes: before ? k.beforeOffset : k.afterOffset },
  };
}

/** The keys of a diff between two revisions, by kind, ascending by key; no record read. */
export interface DiffWindow {
  readonly fromMain: number;
  readonly toMain: number;
  /** The state's newest and compacted revision when walked: `afterNewest` holds while they do. */
  readonly walkedAtMain: number;
  readonly walkedCompactedMain: number;
  readonly appeared: readonly WindowKey[];
  readonly changed: readonly WindowKey[];
  readonly disappeared: readonly WindowKey[];
}

/** The keys that appeared, may have changed, and disappeared between `fromMain` and `toMain`. */
export function diffWindow(state: QueryState, fromMain: number, toMain: number): DiffWindow {
  return runSteps(diffWindowSteps(state, fromMain, toMain));
}

/**
 * diffWindow as steps (steps.ts): `perStep` keys a step, each step a fresh walk after the
 * last key. `walkedAtMain` is the newest revision when the walk began: a commit during the
 * walk makes every `afterNewest` be checked again (diff-filter.ts asks whether it holds).
 */
export function* diffWindowSteps(state: QueryState, fromMain: number, toMain: number, perStep = WINDOW_KEYS_PER_STEP): Steps<DiffWindow> {
  checkWindow(state, fromMain, toMain);
  const walkedAtMain = state.lastMain;
  const walkedCompactedMain = state.compactedMain;
  const appeared: WindowKey[] = [];
  const changed: WindowKey[] = [];
  const disappeared: WindowKey[] = [];
  // One daemon's own log, above the retention mark: consecutive puts differ (header).
  const trusted = state.sources.size === 0;
  const trustedFrom = state.downsampledBeforeMain;
  yield* walkKeyIndexes(state, perStep, (ki) => {
    if (ki.lastMain() <= fromMain) return;
    // Entry indices (-1: nothing visible), so a key needs no entry object unless listed.
    const a = ki.visibleAt(fromMain);
    const b = ki.visibleAt(toMain);
    if (a === b) return;
    const w: WindowKey = {
      key: ki.key,
      beforeMain: a < 0 ? 0 : ki.mainOf(a), beforeSub: a < 0 ? 0 : ki.subOf(a),
      beforeSegment: a < 0 ? null : ki.segmentOf(a), beforeOffset: a < 0 ? 0 : ki.offsetOf(a),
      afterMain: b < 0 ? 0 : ki.mainOf(b), afterSub: b < 0 ? 0 : ki.subOf(b),
      afterSegment: b < 0 ? null : ki.segmentOf(b), afterOffset: b < 0 ? 0 : ki.offsetOf(b),
      afterNewest: b === ki.length - 1, slot: ki.keySlot,
      certain: trusted && a >= 0 && b === a + 1 && ki.mainOf(a) >= trustedFrom,
    };
    if (a < 0) appeared.push(w);
    else if (b < 0) disappeared.push(w);
    else changed.push(w);
  });
  return { fromMain, toMain, walkedAtMain, walkedCompactedMain, appeared, changed, disappeared };
}

/** Every disappearance with sinceMain < main ≤ untilMain, in revision order. */
export function disappearedBetween(state: QueryState, sinceMain: number, untilMain: number): Disappearance[] {
  return runSteps(disappearedSteps(state, sinceMain, untilMain));
}

/**
 * disappearedBetween as steps (steps.ts): the walk `perStep` keys a step (a fresh walk after
 * the last key each time), then the last records read from the log in log order. Entries up
 * to `untilMain` do not change between steps; a commit adds only later ones.
 */
export function* disappearedSteps(state: QueryState, sinceMain: number, untilMain: number, perStep = WINDOW_KEYS_PER_STEP): Steps<Disappearance[]> {
  checkWindow(state, sinceMain, untilMain);
  const tombstones: IndexedRevision[] = [];
  const lastPuts: KeyRevision[] = [];
  yield* walkKeyIndexes(state, perStep, (ki) => {
    if (ki.lastMain() <= sinceMain) return;
    const history = ki.history();
    for (let i = 1; i < history.length; i++) {
      const e = history[i] as IndexedRevision;
      if (!e.tombstone || e.main <= sinceMain || e.main > untilMain) continue;
      tombstones.push(e);
      lastPuts.push({ key: ki.key, revision: history[i - 1] as IndexedRevision });
    }
  });
  // The put before a tombstone is never a live key's newest entry: all are read from the log.
  const records = new Array<ResourceRecord>(lastPuts.length);
  yield* readLoggedInSteps(state, lastPuts, (r, i) => (records[i] = r));
  const order = tombstones.map((_, i) => i);
  order.sort((a, b) => (tombstones[a] as IndexedRevision).main - (tombstones[b] as IndexedRevision).main || (tombstones[a] as IndexedRevision).sub - (tombstones[b] as IndexedRevision).sub);
  return order.map((i): Disappearance => {
    const main = (tombstones[i] as IndexedRevision).main;
    return { key: (lastPuts[i] as KeyRevision).key, main, timeMs: state.times.timeOf(main), last: records[i] as ResourceRecord };
  });
}

/** Every key's KeyIndex, ascending, `perStep` a step, each step a fresh walk from the first key not yet visited. */
function* walkKeyIndexes(state: QueryState, perStep: number, visit: (ki: KeyIndex) => void): Steps<void> {
  let from: string | undefined;
  for (;;) {
    let walked = 0;
    for (const ki of state.index.keyIndexes(from)) {
      if (++walked > perStep) {
        from = ki.key;
        break;
      }
      visit(ki);
    }
    if (walked <= perStep) return;
    yield;
  }
}

function checkWindow(state: QueryState, fromMain: number, toMain: number): void {
  checkRevision(state, fromMain);
  checkRevision(state, toMain);
  if (fromMain > toMain) throw new QueryError('bad-point', `the window runs backwards: ${fromMain} is after ${toMain}`);
}
