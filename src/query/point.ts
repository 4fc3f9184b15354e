/**
 * A point in the log's history, as people write it: a revision (`1234`) or a time
 * (`2026-11-20T10:00Z`, `2026-11-20T10:00:30.5+02:00`, or a date `2026-11-20`, meaning its
 * midnight UTC; a time without a zone is UTC). A time resolves to the newest commit at or
 * before it: the state a reader would have seen then.
 *
 * Errors (QueryError): `bad-point` for text that is neither; `compacted` for a revision
 * below the compaction point, or a time older than the oldest commit still known when the
 * log was compacted; `before-first` for a time before the first commit of an uncompacted
 * log; `future` for a revision after the newest one. A time after the newest commit
 * resolves to the newest commit.
 */
import { QueryError } from './errors.js';
import type { QueryState } from './query-state.js';

const REVISION = /^\d+$/;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function resolvePoint(state: Pick<QueryState, 'times' | 'lastMain' | 'compactedMain'>, text: string): number {
  const t = text.trim();
  if (REVISION.test(t)) {
    // Judged as text: a number past 2^53 would print rounded, not as typed.
    if (!Number.isSafeInteger(Number(t))) throw new QueryError('bad-point', `revision ${t} is beyond the largest revision there can be (${Number.MAX_SAFE_INTEGER})`);
    return checkRevision(state, Number(t));
  }
  const timeMs = parseTime(t);
  if (timeMs === null) {
    throw new QueryError('bad-point', `"${text}" is neither a revision (1234) nor a time (2026-11-20T10:00Z or 2026-11-20)`);
  }
  return mainAtTime(state, timeMs, t);
}

/** Milliseconds since the epoch of an ISO 8601 time or date, or null when it is not one. */
export function parseTime(text: string): number | null {
  const m = ISO_TIME.exec(text);
  if (m === null) return null;
  const [, date, clock, zone] = m;
  const iso = clock === undefined ? `${date}T00:00:00Z` : `${date}T${clock}${zone === undefined ? 'Z' : zone.toUpperCase()}`;
  if (!isCalendarDate(date as string) || (clock !== undefined && !isClock(clock))) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** Date.parse rolls 2026-02-30 over to March: every form checks the date on its own. */
function isCalendarDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate(); // day 0 of the next month: this month's last
}

function isClock(clock: string): boolean {
  const [h, min, sec] = clock.split(':').map(Number) as [number, number, number | undefined];
  return h <= 23 && min <= 59 && (sec === undefined || sec < 60);
}

/** Revision `main` if it is readable; compacted / future otherwise. */
export function checkRevision(state: Pick<QueryState, 'lastMain' | 'compactedMain'>, main: number): number {
  if (!Number.isSafeInteger(main) || main < 0) throw new QueryError('bad-point', `revision ${main} is not a whole number`);
  if (main < state.compactedMain) {
    throw new QueryError('compacted', `revision ${main} is below the compaction point ${state.compactedMain}: that history was compacted away`);
  }
  if (main > state.lastMain) throw new QueryError('future', `revision ${main} is after the newest revision ${state.lastMain}`);
  return main;
}

function mainAtTime(state: Pick<QueryState, 'times' | 'lastMain' | 'compactedMain'>, timeMs: number, text: string): number {
  const main = state.times.mainAtOrBefore(timeMs);
  if (main === null) {
    const first = state.times.firstTimeMs;
    const firstText = first === null ? 'none' : new Date(first).toISOString();
    if (state.compactedMain > 0) {
      throw new QueryError('compacted', `${text} is older than the history kept (compacted at revision ${state.compactedMain}; oldest commit kept: ${firstText})`);
    }
    throw new QueryError('before-first', `${text} is before the first revision in the log (first commit: ${firstText})`);
  }
  // The newest commit at or before the time may be newer than what the index has applied
  // (a live state mid-update): the newest readable revision answers for it.
  return checkRevision(state, Math.min(main, state.lastMain));
}
