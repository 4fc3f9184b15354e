/**
 * The last few diff windows the daemon walked (diff.ts: which keys appeared, changed and
 * disappeared, and at which entries): the changes page asks for the same window again when
 * a filter changes, on a reload, or from a second person, and the keys of a diff between
 * two fixed revisions never change (the log below the newest revision is immutable).
 * Two things change what may be read: compaction (reads below its point must then fail) and
 * retention's downsampling (a window's `certain` flags trust only history above its mark),
 * so the cache is emptied when either mark moves.
 */
import { DIFF_CACHE_ENTRIES } from '../limits.js';
import { diffWindowSteps, type DiffWindow } from './diff.js';
import type { QueryState } from './query-state.js';
import { RecentAnswers } from './recent-answers.js';
import { historyMark, type Steps } from './steps.js';

export class DiffCache {
  private readonly windows = new RecentAnswers<DiffWindow>(DIFF_CACHE_ENTRIES);

  /** diffWindow(state, fromMain, toMain), from the cache when it holds that window; else its steps run by `drive`. */
  async get(state: QueryState, fromMain: number, toMain: number, drive: (steps: Steps<DiffWindow>) => Promise<DiffWindow>): Promise<DiffWindow> {
    return this.windows.get(historyMark(state), `${fromMain}:${toMain}`, () => drive(diffWindowSteps(state, fromMain, toMain)));
  }
}
