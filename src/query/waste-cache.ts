/**
 * The last waste report the daemon answered, for the waste page's reloads and regroupings:
 * a report depends only on the revision, the compaction point, `stoppedDays` and "now".
 * Without an explicit now, the daemon computes ages as of the start of the current minute
 * (the report's `nowMs` says which), so every load within that minute and revision is
 * answered at once; a page shows ages to a tenth of a day.
 */
import { wasteReport, type WasteReport } from './waste.js';
import type { QueryState } from './query-state.js';

const MINUTE_MS = 60_000;

export class WasteCache {
  private last: { key: string; report: WasteReport } | null = null;

  /** `nowMs` null: as of the current minute. */
  get(state: QueryState, stoppedDays: number, nowMs: number | null): WasteReport {
    const now = nowMs ?? Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    const key = `${state.lastMain}:${state.compactedMain}:${stoppedDays}:${now}`;
    if (this.last !== null && this.last.key === key) return this.last.report;
    const report = wasteReport(state, { stoppedDays, nowMs: now });
    this.last = { key, report };
    return report;
  }
}
