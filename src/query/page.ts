/**
 * Server-side paging of the resource list, and a summary (counts by type and by owner) of
 * what a filter matches: what a console showing a million resources asks for, one page at
 * a time, instead of the whole list.
 *
 * Pages are keyed by a cursor, the last key of the previous page (keys are unique and the
 * list is ascending by key), so a page is stable while resources appear and go: nothing
 * is skipped or repeated because something earlier in the list changed. At the newest
 * revision a page walks the key index from the cursor and stops after `limit` matches, so
 * an unfiltered page costs O(limit · log n) whatever the fleet's size; a selective filter
 * walks until it has found `limit` matches (at worst the whole index). At an older
 * revision the fleet at that revision is read first (as `list --at` does) and then paged.
 */
import assert from 'node:assert/strict';
import { LIST_PAGE_RESOURCES_MAX, SUMMARY_OWNERS_MAX } from '../limits.js';
import type { ResourceRecord } from '../model/resource.js';
import { matchesFilter } from '../projection/resource-filter.js';
import { QueryError } from './errors.js';
import { checkFilter, listResources, type ListFilter } from './resources.js';
import type { QueryState } from './query-state.js';

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
  const { limit } = page;
  assert.ok(Number.isSafeInteger(limit) && limit >= 1 && limit <= LIST_PAGE_RESOURCES_MAX, 'limit in range');
  checkFilter(filter);
  if (atMain !== undefined && atMain !== state.lastMain) {
    return slicePage(listResources(state, filter, atMain), page);
  }
  const out: ResourceRecord[] = [];
  const from = page.after ?? '';
  for (const visible of state.index.range(from, undefined, state.lastMain)) {
    if (visible.key === page.after) continue;
    const record = state.current.get(visible.key);
    if (record === undefined || !matchesList(record, filter)) continue;
    if (out.length === limit) return { resources: out, next: (out[out.length - 1] as ResourceRecord).key };
    out.push(record);
  }
  return { resources: out, next: null };
}

/** Counts of what `filter` matches, live now or at `atMain`: one pass, no sort of records. */
export function summarizeResources(
  state: QueryState, filter: ListFilter, atMain?: number,
): FleetSummary {
  checkFilter(filter);
  const byType = new Map<string, number>();
  const byOwner = new Map<string | null, number>();
  let total = 0;
  const past = atMain !== undefined && atMain !== state.lastMain;
  const records = past ? listResources(state, filter, atMain) : state.current.values();
  for (const r of records) {
    if (!matchesList(r, filter)) continue;
    total++;
    byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    byOwner.set(r.owner, (byOwner.get(r.owner) ?? 0) + 1);
  }
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

/** The list filter (ResourceFilter plus provider, account, region) on one record. */
export function matchesList(r: ResourceRecord, filter: ListFilter): boolean {
  if (filter.provider !== undefined && r.provider !== filter.provider) return false;
  if (filter.account !== undefined && r.account !== filter.account) return false;
  if (filter.region !== undefined && r.region !== filter.region) return false;
  return matchesFilter(r, filter);
}

function slicePage(records: readonly ResourceRecord[], page: PageRequest): ResourcePage {
  let start = 0;
  if (page.after !== undefined) {
    const after = page.after;
    while (start < records.length && (records[start] as ResourceRecord).key <= after) start++;
  }
  const resources = records.slice(start, start + page.limit);
  const more = start + page.limit < records.length;
  return { resources, next: more ? (resources[resources.length - 1] as ResourceRecord).key : null };
}

/** Unowned (null) last among equal counts, names ascending. */
function ownerOrder(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
