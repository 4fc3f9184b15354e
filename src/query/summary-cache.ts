/**
 * The fleet counts at older revisions the daemon answered. The console's fleet page asks for
 * the counts with every page it shows; at an older revision they read the whole fleet there
 * (seconds at a million resources, page.ts), and they never change: the log below the newest
 * revision is immutable. Two things change what may be read: compaction (reads below its
 * point must then fail) and retention's downsampling (history below its mark is thinned),
 * so the cache is emptied when either mark moves. Counts at the newest revision come from
 * memory and change with every cycle: never cached.
 */
import { SUMMARY_CACHE_ENTRIES } from '../limits.js';
import { summarizeResources, summarySteps, type FleetSummary } from './page.js';
import type { QueryState } from './query-state.js';
import { RecentAnswers } from './recent-answers.js';
import type { ListFilter } from './resources.js';
import { historyMark, type Steps } from './steps.js';

export class SummaryCache {
  private readonly summaries = new RecentAnswers<FleetSummary>(SUMMARY_CACHE_ENTRIES);

  /**
   * summarizeResources(state, filter, atMain), from the cache for an older revision it holds;
   * else its steps (steps.ts) run by `drive` (the daemon pauses between them).
   */
  async get(state: QueryState, filter: ListFilter, atMain: number | undefined, drive: (steps: Steps<FleetSummary>) => Promise<FleetSummary>): Promise<FleetSummary> {
    if (atMain === undefined || atMain === state.lastMain) return summarizeResources(state, filter, atMain);
    return this.summaries.get(historyMark(state), `${atMain}:${filterKey(filter)}`, () => drive(summarySteps(state, filter, atMain)));
  }
}

const FIELDS = ['provider', 'account', 'region', 'type', 'owner', 'state', 'untagged', 'keyPrefix'] as const;

/** One string per filter: an absent field and a null one (`owner: null`, unowned) differ. */
function filterKey(filter: ListFilter): string {
  const parts: unknown[] = FIELDS.map((name) => (filter[name] === undefined ? [] : [filter[name]]));
  parts.push(filter.tag === undefined ? [] : [filter.tag.key, filter.tag.value ?? null]);
  return JSON.stringify(parts);
}
