/**
 * A revision names one event in the log: `main` numbers commits (one scan cycle is one
 * commit), `sub` orders the events inside a commit. Both are plain safe integers, never
 * bigint: 2^53 commits is more than any deployment will reach, and plain numbers keep the
 * hot paths (replay, index puts) free of allocation.
 *
 * Order is lexicographic: (main, sub). A revision with `sub` 0 is the first event of its
 * commit, so `{ main: m, sub: 0 }` is the lowest revision of commit `m`.
 */
import assert from 'node:assert/strict';

export interface Revision {
  readonly main: number;
  readonly sub: number;
}

export const ZERO_REVISION: Revision = Object.freeze({ main: 0, sub: 0 });

/** Programmer error unless `value` is a safe integer ≥ 0. */
export function assertRevisionPart(value: number, what: string): void {
  // Branch first: a template-literal message would allocate on every call of a hot path.
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    assert.fail(`${what} must be a safe integer >= 0, got ${value}`);
  }
}

export function assertRevision(rev: Revision): void {
  assertRevisionPart(rev.main, 'revision main');
  assertRevisionPart(rev.sub, 'revision sub');
}

export function revision(main: number, sub = 0): Revision {
  assertRevisionPart(main, 'revision main');
  assertRevisionPart(sub, 'revision sub');
  return { main, sub };
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareRevision(a: Revision, b: Revision): number {
  if (a.main !== b.main) return a.main < b.main ? -1 : 1;
  if (a.sub !== b.sub) return a.sub < b.sub ? -1 : 1;
  return 0;
}

/** Same order as compareRevision, on unpacked parts (no object needed on hot paths). */
export function compareRevisionParts(aMain: number, aSub: number, bMain: number, bSub: number): number {
  if (aMain !== bMain) return aMain < bMain ? -1 : 1;
  if (aSub !== bSub) return aSub < bSub ? -1 : 1;
  return 0;
}

export function revisionGreaterThan(a: Revision, b: Revision): boolean {
  return compareRevision(a, b) > 0;
}

export function revisionEquals(a: Revision, b: Revision): boolean {
  return a.main === b.main && a.sub === b.sub;
}

/** `main.sub`, as etcd prints revisions in its docs (e.g. `4.0`). */
export function formatRevision(rev: Revision): string {
  return `${rev.main}.${rev.sub}`;
}
