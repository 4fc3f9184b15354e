/**
 * One page of a SIMULATED Compute aggregated list. The listing is every resource of the
 * project's reachable zones in (zone, name) order; a page takes up to `size` of them, and
 * the cursor's `after` is `<zone>\0<name>` of the last one returned. Every reachable zone
 * with nothing on the page appears with a NO_RESULTS_ON_PAGE warning, as Compute does.
 */

import { type PageCursor } from './page-cursor.js';
import { gceDiskJson, gceInstanceJson, noResultsWarning } from './gcp-render.js';
import type { SimResource, SimWorld } from './world.js';

const SEP = '\u0000';

export interface AggregatedPage {
  items: Record<string, unknown>;
  count: number;
  page: number;
  next: PageCursor | null;
}

export function aggregatedPage(
  world: SimWorld, kind: 'gce.instance' | 'gce.disk', project: string,
  zones: readonly string[], cursor: PageCursor | null, size: number,
): AggregatedPage {
  const [afterZone, afterName] = cursor === null ? ['', ''] : splitAfter(cursor.after);
  const listKey = kind === 'gce.instance' ? 'instances' : 'disks';
  const render = kind === 'gce.instance' ? gceInstanceJson : gceDiskJson;
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
      items[`zones/${zone}`] = noResultsWarning(zone);
      continue;
    }
    items[`zones/${zone}`] = { [listKey]: take.map(render) };
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
