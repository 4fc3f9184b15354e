/**
 * A diff narrowed by the list filters (type, owner, provider, account, region, tag, state,
 * untagged), with totals per kind, and cut to a number of items per kind for a page that
 * shows a window with millions of changes. A change matches when its record before or
 * after matches (a resource that lost its owner shows under that owner's filter); an
 * appearance by its record; a disappearance by its last record.
 */
import assert from 'node:assert/strict';
import { DIFF_ITEMS_PER_KIND_MAX } from '../limits.js';
import type { RevisionDiff } from './diff.js';
import { QueryError } from './errors.js';
import { matchesList } from './page.js';
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

/** `diff` narrowed to `filter`; each kind cut to `limitPerKind` items when given. */
export function filterDiff(
  diff: RevisionDiff, filter: ListFilter, limitPerKind?: number,
): FilteredDiff {
  const l = limitPerKind;
  assert.ok(l === undefined || (Number.isSafeInteger(l) && l >= 1 && l <= DIFF_ITEMS_PER_KIND_MAX));
  checkFilter(filter);
  const appeared = diff.appeared.filter((r) => matchesList(r, filter));
  const changed = diff.changed.filter(
    (c) => matchesList(c.before, filter) || matchesList(c.after, filter),
  );
  const disappeared = diff.disappeared.filter((d) => matchesList(d.last, filter));
  const totals = {
    appeared: appeared.length, changed: changed.length, disappeared: disappeared.length,
  };
  const max = limitPerKind ?? Number.MAX_SAFE_INTEGER;
  const truncated = appeared.length > max || changed.length > max || disappeared.length > max;
  return {
    appeared: appeared.slice(0, max),
    changed: changed.slice(0, max),
    disappeared: disappeared.slice(0, max),
    totals,
    truncated,
  };
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
