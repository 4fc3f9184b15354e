/**
 * The last waste report the daemon answered, for the waste page's reloads and regroupings
 * and the `/metrics` scrapes: a report depends only on the revision, the compaction point,
 * the day thresholds and "now". Without an explicit now, the daemon computes ages as of the
 * start of the current minute (the report's `nowMs` says which), so every load within that
 * minute and revision is answered at once; a page shows ages to a tenth of a day. Ages come
 * from the ConditionSince projection, so a new report (a new revision, minute or threshold)
 * reads no history.
 *
 * A report is computed in steps the daemon pauses between (at 1 M resources it held the
 * event loop 3.4 s in one piece); two asks for the same report while it is computed share it.
 */
import { WASTE_REPORT_ATTEMPTS_MAX } from '../limits.js';
import { wasteReportSteps, type WasteOptions, type WasteReport } from './waste.js';
import type { QueryState } from './query-state.js';
import type { PriceTable } from '../cost/prices.js';
import { isQueryError } from './errors.js';
import { NewestMoved, runSteps, type Drive, type Steps } from './steps.js';

const MINUTE_MS = 60_000;

/**
 * The waste report at the newest revision, its steps run by `drive`. A commit during a pause
 * (it moves the newest revision), or a compaction (it moves the history's start), begins the
 * report again; the last of WASTE_REPORT_ATTEMPTS_MAX attempts runs in one piece, so commits
 * every few seconds cannot keep it from ever ending.
 */
export async function wasteReportPaused(state: QueryState, options: WasteOptions, drive: Drive): Promise<WasteReport> {
  return (await readReport(state, options, drive)).report;
}

/** wasteReportPaused, with the revision the report was read at. */
async function readReport(state: QueryState, options: WasteOptions, drive: Drive): Promise<{ report: WasteReport; atMain: number }> {
  for (let attempt = 1; ; attempt++) {
    const steps = withRevision(state, wasteReportSteps(state, options));
    if (attempt >= WASTE_REPORT_ATTEMPTS_MAX) return runSteps(steps);
    try {
      return await drive(steps);
    } catch (err) {
      // A commit, or a compaction (the driver's check, steps.ts), moved what it was reading.
      if (!(err instanceof NewestMoved) && !isQueryError(err, 'compacted')) throw err;
    }
  }
}

/** `steps` (run atNewest) with the revision they read: the newest when they began. */
function* withRevision<T>(state: QueryState, steps: Steps<T>): Steps<{ report: T; atMain: number }> {
  const atMain = state.lastMain;
  return { report: yield* steps, atMain };
}

export class WasteCache {
  private last: { key: string; report: WasteReport } | null = null;
  private pending: { key: string; read: Promise<{ report: WasteReport; atMain: number }> } | null = null;

  /** `nowMs` null: as of the current minute. The price table is the daemon's, fixed. */
  async get(state: QueryState, rules: { stoppedDays: number; idleDays: number; prices: PriceTable }, nowMs: number | null, drive: Drive): Promise<WasteReport> {
    const now = nowMs ?? Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    const rest = `${state.compactedMain}:${rules.stoppedDays}:${rules.idleDays}:${now}`;
    const key = `${state.lastMain}:${rest}`;
    if (this.last !== null && this.last.key === key) return this.last.report;
    if (this.pending !== null && this.pending.key === key) return (await this.pending.read).report;
    const pending = { key, read: readReport(state, { ...rules, nowMs: now }, drive) };
    this.pending = pending;
    try {
      const { report, atMain } = await pending.read;
      // Kept under the revision it was read at: a commit during it began it again, later.
      this.last = { key: `${atMain}:${rest}`, report };
      return report;
    } finally {
      if (this.pending === pending) this.pending = null;
    }
  }
}
