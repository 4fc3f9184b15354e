/**
 * One page of a SIMULATED Compute aggregated list. The listing is every resource of the
 * project's reachable zones (regions, for addresses: `regions/<r>`, then `global`) in
 * (location, name) order; a page takes up to `size` of them, and
 * the cursor's `after` is `<zone>\0<name>` of the last one returned. Every reachable zone
 * with nothing on the page appears with a NO_RESULTS_ON_PAGE warning, as Compute does.
 */

import { type PageCursor } from './page-cursor.js';
import { gceAddressJson, gceDiskJson, gceInstanceJson, noResultsWarning } from './gcp-render.js';
import type { SimResource, SimWorld } from './world.js';

const SEP = '\u0000';

export interface AggregatedPage {
  items: Record<string, unknown>;
  count: number;
  page: number;
  next: PageCursor | null;
}

export type SimAggregatedKind = 'gce.instance' | 'gce.disk' | 'gce.address';

const LIST_KEYS: Record<SimAggregatedKind, string> = { 'gce.instance': 'instances', 'gce.disk': 'disks', 'gce.address': 'addresses' };
const RENDER: Record<SimAggregatedKind, (r: SimResource) => Record<string, unknown>> = {
  'gce.instance': gceInstanceJson, 'gce.disk': gceDiskJson, 'gce.address': gceAddressJson,
};

/** The aggregated-list key of a location: `zones/<z>`, `regions/<r>`, or `global`. */
function scopeKeyOf(kind: SimAggregatedKind, location: string): string {
  if (location === 'global') return 'global';
  return kind === 'gce.address' ? `regions/${location}` : `zones/${location}`;
}

export function aggregatedPage(
  world: SimWorld, kind: SimAggregatedKind, project: string,
  zones: readonly string[], cursor: PageCursor | null, size: number,
): AggregatedPage {
  const [afterZone, afterName] = cursor === null ? ['', ''] : splitAfter(cursor.after);
  const listKey = LIST_KEYS[kind];
  const render = RENDER[kind];
  const items: Record<string, unknown> = {};
  let count = 0;
  let last: string | null = null;
  let more = false;
  for (const zone of [...zones].sort()) {
    const all = cursor !== null && zone < afterZone ? [] : world.list(kind, project, zone);
    const start = cursor !== null && zone === afterZone ? firstAfter(all, afterName) : 0;
    const take = all.slice(start, start + (size - count));
    if (start + take.length < all.length) more = true;
    if (take.length === 0) {
      items[scopeKeyOf(kind, zone)] = noResultsWarning(scopeKeyOf(kind, zone));
      continue;
    }
    items[scopeKeyOf(kind, zone)] = { [listKey]: take.map(render) };
    count += take.length;
    last = `${zone}${SEP}${(take[take.length - 1] as SimResource).id}`;
  }
  const page = cursor?.page ?? 1;
  return { items, count, page, next: more && last !== null ? { page: page + 1, after: last } : null };
}

function splitAfter(after: string): [string, string] {
  const i = after.indexOf(SEP);
  return i < 0 ? [after, ''] : [after.slice(0, i), after.slice(i + 1)];
}

function firstAfter(sorted: readonly SimResource[], name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as SimResource).id <= name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
