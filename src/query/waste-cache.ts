/**
 * The last waste report the daemon answered, for the waste page's reloads and regroupings:
 * a report depends only on the revision, the compaction point, the day thresholds and "now".
 * Without an explicit now, the daemon computes ages as of the start of the current minute
 * (the report's `nowMs` says which), so every load within that minute and revision is
 * answered at once; a page shows ages to a tenth of a day. Ages come from the
 * ConditionSince projection, so a new report (a new revision, minute or threshold) reads
 * no history.
 */
import { wasteReport, type WasteReport } from './waste.js';
import type { QueryState } from './query-state.js';
import type { PriceTable } from '../cost/prices.js';

const MINUTE_MS = 60_000;

export class WasteCache {
  private last: { key: string; report: WasteReport } | null = null;

  /** `nowMs` null: as of the current minute. The price table is the daemon's, fixed. */
  get(state: QueryState, rules: { stoppedDays: number; idleDays: number; prices: PriceTable }, nowMs: number | null): WasteReport {
    const now = nowMs ?? Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    const key = `${state.lastMain}:${state.compactedMain}:${rules.stoppedDays}:${rules.idleDays}:${now}`;
    if (this.last !== null && this.last.key === key) return this.last.report;
    const report = wasteReport(state, { ...rules, nowMs: now });
    this.last = { key, report };
    return report;
  }
}
