/**
 * Folds log entries into projections. Entries must come in log order (strictly increasing
 * revisions); each event is handed to every projection, in the order given, before the next
 * event. Entries at or below `afterMain` are skipped: that is how a checkpoint's tail is
 * replayed on top of its restored state.
 *
 * Replay streams: it holds nothing but counters, so memory is bounded by the projections,
 * not by the log. It therefore cannot hold back the events of a commit until its end; the
 * log reader must stop at the last complete commit (the WAL's repair guarantees this), and
 * replay reports any events after the last commit end as `uncommittedEvents`.
 */
import assert from 'node:assert/strict';
import { compareRevisionParts } from '../mvcc/revision.js';
import type { LogEntry, RecordLocation } from '../wal/types.js';
import { ProjectionError } from './errors.js';
import type { Projection } from './projection.js';

export interface ReplayProgress {
  /** Events applied so far. */
  events: number;
  commits: number;
  /** Revision main of the latest entry seen. */
  main: number;
  /** Where the latest event applied sits in the log (null before any). */
  location: RecordLocation | null;
}

export interface ReplayOptions {
  /** Skip every entry whose main is ≤ this (default: replay everything). */
  afterMain?: number;
  /** Stop before the first entry whose main is > this (default: to the end). */
  untilMain?: number;
  /** Called every `progressEveryEvents` applied events and once at the end. */
  onProgress?: (progress: ReplayProgress) => void;
  progressEveryEvents?: number;
}

export interface ReplayResult {
  events: number;
  commits: number;
  /** Entries skipped because they were at or below `afterMain`. */
  skipped: number;
  /** The last revision applied (-1/-1 when nothing was). */
  lastMain: number;
  lastSub: number;
  /** Events after the last commit end: a torn commit the reader should not have yielded. */
  uncommittedEvents: number;
}

const PROGRESS_EVERY_EVENTS_DEFAULT = 1_000_000;

export function replay(entries: Iterable<LogEntry>, projections: readonly Projection[], options: ReplayOptions = {}): ReplayResult {
  const afterMain = options.afterMain ?? -1;
  const untilMain = options.untilMain ?? Number.MAX_SAFE_INTEGER;
  const every = options.progressEveryEvents ?? PROGRESS_EVERY_EVENTS_DEFAULT;
  assert.ok(Number.isSafeInteger(every) && every > 0, 'progressEveryEvents must be a positive integer');
  const onProgress = options.onProgress;
  const result: ReplayResult = { events: 0, commits: 0, skipped: 0, lastMain: -1, lastSub: -1, uncommittedEvents: 0 };
  let prevMain = -1;
  let prevSub = -1;
  let inCommit = 0;
  let location: RecordLocation | null = null;
  for (const entry of entries) {
    if (entry.main <= afterMain) {
      result.skipped++;
      continue;
    }
    if (entry.main > untilMain) break;
    if (entry.kind === 'commit') {
      // A commit ends the events just seen (same main), or is empty and moves main forward.
      const matches = inCommit > 0 ? entry.main === prevMain : entry.main > prevMain;
      if (!matches || entry.eventCount !== inCommit) badCommit(entry.main, entry.eventCount, inCommit, entry);
      if (inCommit === 0) {
        prevMain = entry.main;
        prevSub = -1;
      }
      result.commits++;
      inCommit = 0;
      continue;
    }
    if (compareRevisionParts(entry.main, entry.sub, prevMain, prevSub) <= 0 || (inCommit === 0) !== (entry.main !== prevMain)) {
      throw new ProjectionError('PROJECTION_BAD_LOG', `event ${entry.main}.${entry.sub} out of order after ${prevMain}.${prevSub}`, {
        location: entry.location,
      });
    }
    for (let i = 0; i < projections.length; i++) (projections[i] as Projection).apply(entry);
    prevMain = entry.main;
    prevSub = entry.sub;
    location = entry.location;
    inCommit++;
    result.events++;
    if (onProgress !== undefined && result.events % every === 0) onProgress({ events: result.events, commits: result.commits, main: prevMain, location });
  }
  result.lastMain = prevMain;
  result.lastSub = prevSub;
  result.uncommittedEvents = inCommit;
  if (onProgress !== undefined) onProgress({ events: result.events, commits: result.commits, main: prevMain, location });
  return result;
}

function badCommit(main: number, expected: number, seen: number, entry: LogEntry): never {
  throw new ProjectionError('PROJECTION_BAD_LOG', `commit ${main} ends with ${expected} events, ${seen} seen`, {
    location: entry.location,
  });
}
