/**
 * The last few diffs the daemon answered, by window: the changes page asks for the same
 * window again when a filter changes, on a reload, or from a second person, and a diff
 * between two fixed revisions never changes (the log below the newest revision is
 * immutable). Compaction is the one thing that changes what may be read: the cache is
 * emptied when the compaction point moves (reads below it then fail as they must).
 */
import assert from 'node:assert/strict';
import { DIFF_CACHE_ENTRIES } from '../limits.js';
import { diffRevisions, type RevisionDiff } from './diff.js';
import type { QueryState } from './query-state.js';

export class DiffCache {
  private readonly entries = new Map<string, RevisionDiff>();
  private compactedMain = -1;

  /** diffRevisions(state, fromMain, toMain), from the cache when it holds that window. */
  get(state: QueryState, fromMain: number, toMain: number): RevisionDiff {
    if (state.compactedMain !== this.compactedMain) {
      this.entries.clear();
      this.compactedMain = state.compactedMain;
    }
    const key = `${fromMain}:${toMain}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key); // most recently used last
      this.entries.set(key, hit);
      return hit;
    }
    const diff = diffRevisions(state, fromMain, toMain);
    this.entries.set(key, diff);
    if (this.entries.size > DIFF_CACHE_ENTRIES) {
      this.entries.delete(this.entries.keys().next().value as string); // least recently used
    }
    assert.ok(this.entries.size <= DIFF_CACHE_ENTRIES);
    return diff;
  }
}
