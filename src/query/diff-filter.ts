/**
 * The answer to a diff window (diff.ts): narrowed by the list filters (type, owner,
 * provider, account, region, tag, state, untagged), with totals per kind, and cut to a
 * number of items per kind for a page that shows a window with millions of changes. A
 * change matches when its record before or after matches (a resource that lost its owner
 * shows under that owner's filter); an appearance by its record; a disappearance by its
 * last record.
 *
 * Records are read in two batches, each in log order: first those the totals need (none
 * without a filter, when every change is certain; with one, each key's record after, and
 * its record before when the after does not match), then those of the items shown. The
 * newest record of a key is the current state's and is not read. A change taken as
 * certain whose records turn out equal (a log the change detector did not write) makes
 * the whole answer be computed again comparing every pair.
 */
import assert from 'node:assert/strict';
import { diffRecords } from '../changes/diff.js';
import { DIFF_ITEMS_PER_KIND_MAX } from '../limits.js';
import type { FieldChange } from '../model/events.js';
import type { ResourceRecord } from '../model/resource.js';
import type { IndexedRevision } from '../mvcc/key-index.js';
import { diffWindow, windowPut, type ChangedResource, type DiffWindow, type RevisionDiff, type WindowKey } from './diff.js';
import { QueryError } from './errors.js';
import { matchesList } from './page.js';
import type { QueryState } from './query-state.js';
import { currentRecord, latestRecord, LoggedEntries, readEntriesInSteps } from './read-back.js';
import { runSteps, type Steps } from './steps.js';
import { checkFilter, type ListFilter } from './resources.js';

export interface DiffTotals {
  appeared: number;
  changed: number;
  disappeared: number;
}

export interface FilteredDiff extends RevisionDiff {
  /** Matches per kind, before any cut. */
  totals: DiffTotals;
  /** True when a kind held more than the limit and was cut. */
  truncated: boolean;
}

/** Appeared, changed and disappeared between `fromMain` and `toMain` (fromMain ≤ toMain), whole. */
export function diffRevisions(state: QueryState, fromMain: number, toMain: number): RevisionDiff {
  const { appeared, changed, disappeared } = filterDiff(state, diffWindow(state, fromMain, toMain), {});
  return { appeared, changed, disappeared };
}

/** `window` narrowed to `filter`; each kind cut to `limitPerKind` items when given. */
export function filterDiff(
  state: QueryState, window: DiffWindow, filter: ListFilter, limitPerKind?: number,
): FilteredDiff {
  return runSteps(filterDiffSteps(state, window, filter, limitPerKind));
}

/**
 * filterDiff as steps (steps.ts): its log reads, `perStep` records a step (default
 * PAST_RECORDS_READ_BATCH_MAX), with pauses between.
 */
export function* filterDiffSteps(
  state: QueryState, window: DiffWindow, filter: ListFilter, limitPerKind?: number, perStep?: number,
): Steps<FilteredDiff> {
  const l = limitPerKind;
  assert.ok(l === undefined || (Number.isSafeInteger(l) && l >= 1 && l <= DIFF_ITEMS_PER_KIND_MAX));
  checkFilter(filter);
  return yield* answer(state, window, filter, limitPerKind ?? Number.MAX_SAFE_INTEGER, true, perStep);
}

function* answer(state: QueryState, w: DiffWindow, filter: ListFilter, max: number, trustCertain: boolean, perStep?: number): Steps<FilteredDiff> {
  const all = Object.values(filter).every((v) => v === undefined);
  const reads = new Reads(state, w, perStep);
  // Step 1: what deciding each item needs.
  const appearedAt = w.appeared.map((k) => (all ? NONE : reads.after(k)));
  const goneAt = w.disappeared.map((k) => (all ? NONE : reads.before(k)));
  const changedAfter = new Int32Array(w.changed.length).fill(NONE);
  const changedBefore = new Int32Array(w.changed.length).fill(NONE);
  const certain = (k: WindowKey): boolean => trustCertain && k.certain;
  w.changed.forEach((k, i) => {
    if (certain(k) && all) return;
    const now = reads.now(k);
    if (certain(k) && now !== undefined && matchesList(now, filter)) return;
    changedAfter[i] = reads.after(k);
    changedBefore[i] = reads.before(k);
  });
  yield* reads.run();
  // Step 2: which items match; the first `max` of each kind are shown.
  const shownAppeared = firstMatches(w.appeared, max, (_, i) => all || matchesList(reads.got(appearedAt[i] as number), filter));
  const shownGone = firstMatches(w.disappeared, max, (_, i) => all || matchesList(reads.got(goneAt[i] as number), filter));
  const diffs = new Map<number, FieldChange[]>();
  const shownChanged = firstMatches(w.changed, max, (k, i) => {
    if (changedBefore[i] === NONE) return true; // certain, and no filter or its record after matches
    const before = reads.got(changedBefore[i] as number);
    const after = reads.got(changedAfter[i] as number);
    const diff = diffRecords(before, after);
    if (diff.length === 0 || !(matchesList(before, filter) || matchesList(after, filter))) return false;
    diffs.set(i, diff);
    return true;
  });
  // Step 3: the records of what is shown that step 1 did not read.
  const at = (slot: number, want: () => number): number => (slot === NONE ? want() : slot);
  const appearedSlots = shownAppeared.indices.map((i) => at(appearedAt[i] as number, () => reads.after(w.appeared[i] as WindowKey)));
  const goneSlots = shownGone.indices.map((i) => at(goneAt[i] as number, () => reads.before(w.disappeared[i] as WindowKey)));
  // Each shown change's record slots, before and after: two numbers, not a pair array each.
  const changedSlots = new Int32Array(shownChanged.indices.length * 2);
  shownChanged.indices.forEach((i, j) => {
    const k = w.changed[i] as WindowKey;
    changedSlots[j * 2] = at(changedBefore[i] as number, () => reads.before(k));
    changedSlots[j * 2 + 1] = at(changedAfter[i] as number, () => reads.after(k));
  });
  yield* reads.run();
  const changed: ChangedResource[] = [];
  for (let j = 0; j < shownChanged.indices.length; j++) {
    const i = shownChanged.indices[j] as number;
    const b = changedSlots[j * 2] as number;
    const a = changedSlots[j * 2 + 1] as number;
    const before = reads.got(b);
    const after = reads.got(a);
    const diff = diffs.get(i) ?? diffRecords(before, after);
    // A certain change with equal records: the log breaks the rule `certain` rests on.
    if (diff.length === 0) return yield* answer(state, w, filter, max, false, perStep);
    changed.push({ key: (w.changed[i] as WindowKey).key, before, after, diff });
  }
  const totals = { appeared: shownAppeared.total, changed: shownChanged.total, disappeared: shownGone.total };
  return {
    appeared: appearedSlots.map((s) => reads.got(s)),
    changed,
    disappeared: goneSlots.map((s, j) => ({ key: (w.disappeared[shownGone.indices[j] as number] as WindowKey).key, last: reads.got(s) })),
    totals,
    truncated: totals.appeared > max || totals.changed > max || totals.disappeared > max,
  };
}

const NONE = -1;

/** How many of `keys` match, and the indices of the first `max` that do. */
function firstMatches(keys: readonly WindowKey[], max: number, matches: (k: WindowKey, i: number) => boolean): { total: number; indices: number[] } {
  const indices: number[] = [];
  let total = 0;
  for (let i = 0; i < keys.length; i++) {
    if (!matches(keys[i] as WindowKey, i)) continue;
    total++;
    if (indices.length < max) indices.push(i);
  }
  return { total, indices };
}

/**
 * Records asked for by slot, read together by `run()` (in log order, in steps): a window's
 * key's record after is the current state's while it is the key's newest entry; every record
 * before is an older entry, read from the log.
 */
class Reads {
  private readonly records: Array<ResourceRecord | undefined> = [];
  /** The puts to read from the log, as columns (an entry made only in the step that reads it), and each one's record slot here. */
  private logged = new LoggedEntries();
  private loggedSlots: number[] = [];
  private maybeNewest: WindowKey[] = [];
  private maybeNewestSlots: number[] = [];

  constructor(private readonly state: QueryState, private readonly window: DiffWindow, private readonly perStep?: number) {}

  /**
   * The key's record after, when it is in memory (the current state's); else undefined.
   * Asked anew each time: between two steps the daemon may commit or compact, and then the
   * window's `afterNewest` no longer holds.
   */
  now(k: WindowKey): ResourceRecord | undefined {
    const fresh = this.state.lastMain === this.window.walkedAtMain && this.state.compactedMain === this.window.walkedCompactedMain;
    return fresh && k.afterNewest ? currentRecord(this.state, k.key, k.slot) : undefined;
  }

  after(k: WindowKey): number {
    const slot = this.records.length;
    const now = this.now(k);
    this.records.push(now);
    if (now === undefined) {
      // Not known to be the newest now: run() looks it up (current state or log).
      this.maybeNewest.push(k);
      this.maybeNewestSlots.push(slot);
    }
    return slot;
  }

  before(k: WindowKey): number {
    const slot = this.records.length;
    this.records.push(undefined);
    const segment = k.beforeSegment ?? assert.fail(`${k.key} had no put at the window's start`);
    this.logged.addPut(k.key, k.beforeMain, k.beforeSub, segment, k.beforeOffset);
    this.loggedSlots.push(slot);
    return slot;
  }

  /** Reads what was asked: records still the key's newest from memory at once, the rest from the log in steps. */
  *run(): Steps<void> {
    const entries = this.logged;
    const slots = this.loggedSlots;
    for (let j = 0; j < this.maybeNewest.length; j++) {
      const k = this.maybeNewest[j] as WindowKey;
      const latest = latestRecord(this.state, k.key, windowPut(k, 'after') as IndexedRevision, undefined, k.slot);
      if (latest !== undefined) this.records[this.maybeNewestSlots[j] as number] = latest;
      else {
        const segment = k.afterSegment ?? assert.fail(`${k.key} had no put at the window's end`);
        entries.addPut(k.key, k.afterMain, k.afterSub, segment, k.afterOffset);
        slots.push(this.maybeNewestSlots[j] as number);
      }
    }
    this.logged = new LoggedEntries();
    this.loggedSlots = [];
    this.maybeNewest = [];
    this.maybeNewestSlots = [];
    yield* readEntriesInSteps(this.state, entries, (r, j) => (this.records[slots[j] as number] = r), this.perStep);
  }

  got(slot: number): ResourceRecord {
    const r = this.records[slot];
    if (r === undefined) assert.fail(`record ${slot} was not read`);
    return r;
  }
}

/** An items-per-kind limit from text: a whole number 1..DIFF_ITEMS_PER_KIND_MAX. */
export function parseDiffLimit(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > DIFF_ITEMS_PER_KIND_MAX) {
    const range = `a whole number from 1 to ${DIFF_ITEMS_PER_KIND_MAX}`;
    throw new QueryError('bad-filter', `${option} needs ${range}, not "${text}"`);
  }
  return n;
}
