/**
 * A set of revisions: etcd's `available` map. Compaction and keep fill it with, for every
 * key, the revision that stays visible at the compaction point; the compaction base (and the
 * decision of which log records must survive) is built from it. Not on a hot path.
 */
import type { Revision } from './revision.js';
import { compareRevision } from './revision.js';

export class RevisionSet {
  /** main → subs of that main. */
  private readonly byMain = new Map<number, Set<number>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(main: number, sub: number): void {
    let subs = this.byMain.get(main);
    if (subs === undefined) {
      subs = new Set<number>();
      this.byMain.set(main, subs);
    }
    if (!subs.has(sub)) {
      subs.add(sub);
      this.count++;
    }
  }

  delete(main: number, sub: number): boolean {
    const subs = this.byMain.get(main);
    if (subs === undefined || !subs.delete(sub)) return false;
    if (subs.size === 0) this.byMain.delete(main);
    this.count--;
    return true;
  }

  has(main: number, sub: number): boolean {
    return this.byMain.get(main)?.has(sub) ?? false;
  }

  /** Every revision, ascending. */
  toSortedArray(): Revision[] {
    const out: Revision[] = [];
    for (const [main, subs] of this.byMain) {
      for (const sub of subs) out.push({ main, sub });
    }
    out.sort(compareRevision);
    return out;
  }
}
