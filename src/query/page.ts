/**
 * Server-side paging of the resource list, and a summary (counts by type and by owner) of
 * what a filter matches: what a console showing a million resources asks for, one page at
 * a time, instead of the whole list.
 *
 * Pages are keyed by a cursor, the last key of the previous page (keys are unique and the
 * list is ascending by key), so a page is stable while resources appear and go: nothing
 * is skipped or repeated because something earlier in the list changed. A page walks the
 * key index from the cursor and stops once it has found `limit` matches and one more (to
 * know whether there is a next page), so an unfiltered page costs O(limit · log n)
 * whatever the fleet's size; a selective filter walks until it has found them (at worst
 * the whole index). At the newest revision the records are the current state's. At an
 * older one they are read as the walk goes, in reads of the page's size doubling up to
 * PAST_RECORDS_READ_BATCH_MAX (each read in log order): a page no longer reads the whole
 * fleet at that revision first (at a million resources that held the daemon ~8 s a page).
 * A summary at an older revision reads the whole fleet, in log order, holding one read's
 * records at a time (visitPastRecords). Both are steps (steps.ts) the daemon pauses between.
 */
import assert from 'node:assert/strict';
import { LIST_PAGE_RESOURCES_MAX, PAST_RECORDS_READ_BATCH_MAX, SUMMARY_OWNERS_MAX } from '../limits.js';
import type { ResourceRecord } from '../model/resource.js';
import { matchesFilter } from '../projection/resource-filter.js';
import { QueryError } from './errors.js';
import { checkRevision } from './point.js';
import { checkFilter, type ListFilter } from './resources.js';
import type { QueryState } from './query-state.js';
import { readRecords, visitPastRecords, type KeyRevision } from './read-back.js';
import { runSteps, type Steps } from './steps.js';

export interface PageRequest {
  /** Resources on the page, 1 .. LIST_PAGE_RESOURCES_MAX. */
  limit: number;
  /** The page starts after this key (exclusive); undefined: from the first key. */
  after?: string;
}

export interface ResourcePage {
  resources: ResourceRecord[];
  /** The cursor of the next page (the last key on this one), or null on the last page. */
  next: string | null;
}

export interface FleetSummary {
  /** Resources the filter matches. */
  total: number;
  /** Matches per resource type, ascending by type. */
  byType: Array<{ type: string; count: number }>;
  /** Matches per owner (null: unowned), most first; at most SUMMARY_OWNERS_MAX named. */
  byOwner: Array<{ owner: string | null; count: number }>;
  /** Matches whose owner is not among `byOwner` (beyond SUMMARY_OWNERS_MAX owners). */
  otherOwners: number;
}

/** A page size from text (`--limit`, `?limit=`): a whole number 1..LIST_PAGE_RESOURCES_MAX. */
export function parseLimit(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > LIST_PAGE_RESOURCES_MAX) {
    const range = `a whole number from 1 to ${LIST_PAGE_RESOURCES_MAX}`;
    throw new QueryError('bad-filter', `${option} needs ${range}, not "${text}"`);
  }
  return n;
}

/** One page of the resources matching `filter`, live now or at `atMain`. */
export function pageResources(
  state: QueryState, filter: ListFilter, page: PageRequest, atMain?: number,
): ResourcePage {
  return runSteps(pageSteps(state, filter, page, atMain));
}

/** pageResources as steps (steps.ts): a pause after each read at an older revision. */
export function* pageSteps(
  state: QueryState, filter: ListFilter, page: PageRequest, atMain?: number,
): Steps<ResourcePage> {
  const { limit } = page;
  assert.ok(Number.isSafeInteger(limit) && limit >= 1 && limit <= LIST_PAGE_RESOURCES_MAX, 'limit in range');
  checkFilter(filter);
  const out: ResourceRecord[] = [];
  // The walk starts at the cursor itself (skipped), then `limit` matches and one more.
  if (!isPast(state, atMain)) return addMatches(liveRecords(state, page.after ?? ''), filter, page, out) ?? { resources: out, next: null };
  // At an older revision: the records are read as the walk goes, `limit` + 2 keys at first,
  // then twice as many each time up to PAST_RECORDS_READ_BATCH_MAX (readRecords: the current
  // state's where the entry is a live key's newest, the rest from the log in log order). Each
  // read is a step, its walk a fresh one after the last key read.
  let size = Math.min(limit + 2, PAST_RECORDS_READ_BATCH_MAX);
  let from = page.after ?? '';
  for (;;) {
    const wanted: KeyRevision[] = [];
    for (const visible of state.index.range(from, undefined, atMain)) {
      wanted.push(visible);
      if (wanted.length === size) break;
    }
    const done = addMatches(readRecords(state, wanted), filter, page, out);
    if (done !== null) return done;
    if (wanted.length < size) return { resources: out, next: null };
    from = `${(wanted[wanted.length - 1] as KeyRevision).key}\u0000`; // the first key after it
    size = Math.min(size * 2, PAST_RECORDS_READ_BATCH_MAX);
    yield;
  }
}

/** Counts of what `filter` matches, live now or at `atMain`: one pass, no sort of records. */
export function summarizeResources(
  state: QueryState, filter: ListFilter, atMain?: number,
): FleetSummary {
  return runSteps(summarySteps(state, filter, atMain));
}

/** summarizeResources as steps (steps.ts): at an older revision, visitPastRecords's. */
export function* summarySteps(
  state: QueryState, filter: ListFilter, atMain?: number,
): Steps<FleetSummary> {
  checkFilter(filter);
  const byType = new Map<string, number>();
  const byOwner = new Map<string | null, number>();
  let total = 0;
  const count = (r: ResourceRecord): void => {
    if (!matchesList(r, filter)) return;
    total++;
    byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    byOwner.set(r.owner, (byOwner.get(r.owner) ?? 0) + 1);
  };
  if (isPast(state, atMain)) yield* visitPastRecords(state, atMain, count);
  else for (const r of state.current.values()) count(r);
  const owners = [...byOwner].sort((a, b) => b[1] - a[1] || ownerOrder(a[0], b[0]));
  const named = owners.slice(0, SUMMARY_OWNERS_MAX);
  let otherOwners = 0;
  for (let i = SUMMARY_OWNERS_MAX; i < owners.length; i++) {
    otherOwners += (owners[i] as [string | null, number])[1];
  }
  return {
    total,
    byType: [...byType].sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([type, count]) => ({ type, count })),
    byOwner: named.map(([owner, count]) => ({ owner, count })),
    otherOwners,
  };
}

/**
 * Adds the matches among `records` (ascending by key, from the cursor on) to `out`; the
 * finished page once `out` has `limit` and one more match exists, else null.
 */
function addMatches(records: Iterable<ResourceRecord>, filter: ListFilter, page: PageRequest, out: ResourceRecord[]): ResourcePage | null {
  for (const record of records) {
    if (record.key === page.after || !matchesList(record, filter)) continue;
    if (out.length === page.limit) return { resources: out, next: (out[out.length - 1] as ResourceRecord).key };
    out.push(record);
  }
  return null;
}

/** The list filter (ResourceFilter plus provider, account, region) on one record. */
export function matchesList(r: ResourceRecord, filter: ListFilter): boolean {
  if (filter.provider !== undefined && r.provider !== filter.provider) return false;
  if (filter.account !== undefined && r.account !== filter.account) return false;
  if (filter.region !== undefined && r.region !== filter.region) return false;
  return matchesFilter(r, filter);
}

/** Whether `atMain` asks for an older revision than the newest (checked: QueryError if unreadable). */
function isPast(state: QueryState, atMain: number | undefined): atMain is number {
  if (atMain === undefined || atMain === state.lastMain) return false;
  checkRevision(state, atMain);
  return true;
}

/** The live records from `fromKey` on (inclusive), ascending by key. */
function* liveRecords(state: QueryState, fromKey: string): Generator<ResourceRecord> {
  for (const visible of state.index.range(fromKey, undefined, state.lastMain)) {
    const record = state.current.get(visible.key);
    if (record !== undefined) yield record;
  }
}

/** Unowned (null) last among equal counts, names ascending. */
function ownerOrder(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
