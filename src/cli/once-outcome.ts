/**
 * What `elava daemon --once` ends with: an exit code that tells a cron job or CI step how
 * the cycle went, and the one summary line that says it.
 *
 *   0   every scope was listed (or the cycle was stopped by a signal: a clean stop)
 *   10  the cycle committed, some scopes failed (their resources keep their last state)
 *   11  the cycle committed, every scope failed (no credentials, endpoint down, ...)
 *
 * 1 and 2 keep their meaning (operating error, bad config) and come from elsewhere.
 */
import type { CycleReport } from '../daemon/cycle.js';
import { EXIT_ALL_SCOPES_FAILED, EXIT_OK, EXIT_SOME_SCOPES_FAILED } from './io.js';

export interface OnceOutcome {
  exitCode: number;
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

export function onceOutcome(report: CycleReport | null): OnceOutcome {
  if (report === null || report.aborted) {
    return {
      exitCode: EXIT_OK,
      level: 'info',
      fields: { once: true, cycle: report?.cycle ?? null, aborted: true, exitCode: EXIT_OK },
      message: `--once: stopped before the cycle finished; nothing committed; exit ${EXIT_OK}`,
    };
  }
  const failed = report.failedScopes.length;
  const { cycle, revision, scopes } = report;
  let exitCode = EXIT_OK;
  if (failed > 0) exitCode = failed < scopes ? EXIT_SOME_SCOPES_FAILED : EXIT_ALL_SCOPES_FAILED;
  const reasons: Record<string, number> = {};
  for (const f of report.failedScopes) reasons[f.reason] = (reasons[f.reason] ?? 0) + 1;
  const why = Object.entries(reasons).map(([reason, n]) => `${reason} ${n}`).join(', ');
  const outcome = failed === 0
    ? 'every scope listed'
    : `${failed} of ${scopes} scopes failed (${why})`;
  return {
    exitCode,
    level: failed === 0 ? 'info' : exitCode === EXIT_ALL_SCOPES_FAILED ? 'error' : 'warn',
    fields: {
      once: true, cycle, revision, scopes,
      failedScopes: failed, reasons, events: report.events, exitCode,
    },
    message: `--once: cycle ${cycle} committed as revision ${revision}: ${outcome}; `
      + `exit ${exitCode}`,
  };
}
