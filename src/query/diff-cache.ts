/**
 * The last few diff windows the daemon walked (diff.ts: which keys appeared, changed and
 * disappeared, and at which entries): the changes page asks for the same window again when
 * a filter changes, on a reload, or from a second person, and the keys of a diff between
 * two fixed revisions never change (the log below the newest revision is immutable). Compaction is the one thing that changes what may be read: the cache is
 * emptied when the compaction point moves (reads below it then fail as they must).
 */
import assert from 'node:assert/strict';
import { DIFF_CACHE_ENTRIES } from '../limits.js';
import { diffWindow, type DiffWindow } from './diff.js';
import type { QueryState } from './query-state.js';

export class DiffCache {
  private readonly entries = new Map<string, DiffWindow>();
  private compactedMain = -1;

  /** diffWindow(state, fromMain, toMain), from the cache when it holds that window. */
  get(state: QueryState, fromMain: number, toMain: number): DiffWindow {
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
    const diff = diffWindow(state, fromMain, toMain);
    this.entries.set(key, diff);
    if (this.entries.size > DIFF_CACHE_ENTRIES) {
      this.entries.delete(this.entries.keys().next().value as string); // least recently used
    }
    assert.ok(this.entries.size <= DIFF_CACHE_ENTRIES);
    return diff;
  }
}
