/**
 * Pagination for every SIMULATED listing: keyset cursors over the id-sorted listing.
 *
 * A token carries the 1-based number of the page it asks for and the last id already
 * returned. Within a tick, a token always yields the same page. Across ticks a listing
 * stays well-formed (no id twice, ascending order) but may miss ids that appeared behind
 * the cursor — like the real APIs, which promise nothing for a listing that spans changes.
 */

import assert from 'node:assert/strict';

export interface PageCursor {
  /** 1-based number of the page this cursor fetches. */
  page: number;
  /** Ids <= this were on earlier pages. */
  after: string;
}

const TOKEN_PREFIX = 'simpage1.';

export function encodeCursor(cursor: PageCursor): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify({ p: cursor.page, a: cursor.after }), 'utf8').toString('base64url');
}

/** null for a token that this simulator did not issue. */
export function decodeCursor(token: string): PageCursor | null {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 1024) return null;
  try {
    const raw: unknown = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    if (typeof raw !== 'object' || raw === null) return null;
    const { p, a } = raw as { p?: unknown; a?: unknown };
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 2 || typeof a !== 'string') return null;
    return { page: p, after: a };
  } catch {
    return null;
  }
}

export interface Page<T> {
  items: T[];
  page: number;
  next: PageCursor | null;
}

/** One page of `sorted` (ascending by `keyOf`), starting after the cursor. */
export function pageOf<T>(sorted: readonly T[], keyOf: (item: T) => string, cursor: PageCursor | null, size: number): Page<T> {
  assert.ok(Number.isInteger(size) && size > 0, 'page size must be a positive integer');
  const start = cursor === null ? 0 : firstAfter(sorted, keyOf, cursor.after);
  const items = sorted.slice(start, start + size);
  const page = cursor === null ? 1 : cursor.page;
  const last = items[items.length - 1];
  const more = start + size < sorted.length && last !== undefined;
  return { items, page, next: more ? { page: page + 1, after: keyOf(last) } : null };
}

function firstAfter<T>(sorted: readonly T[], keyOf: (item: T) => string, after: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(sorted[mid] as T) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
