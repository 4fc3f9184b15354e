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
  const r = new Replayer(projections, options);
  for (const entry of entries) if (!r.feed(entry)) break;
  return r.finish();
}

/**
 * The same fold, giving the event loop a turn every `yieldEveryEvents` events, so that a
 * daemon recovering a large log keeps answering /healthz and /readyz while it replays.
 */
export async function replayYielding(
  entries: Iterable<LogEntry>, projections: readonly Projection[], options: ReplayOptions & { yieldEveryEvents: number },
): Promise<ReplayResult> {
  assert.ok(Number.isSafeInteger(options.yieldEveryEvents) && options.yieldEveryEvents > 0, 'yieldEveryEvents > 0');
  const r = new Replayer(projections, options);
  let sinceYield = 0;
  for (const entry of entries) {
    if (!r.feed(entry)) break;
    if (++sinceYield < options.yieldEveryEvents) continue;
    sinceYield = 0;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return r.finish();
}

/** One replay's running state: feed() entries in log order, then finish(). */
class Replayer {
  private readonly afterMain: number;
  private readonly untilMain: number;
  private readonly every: number;
  private readonly onProgress: ((progress: ReplayProgress) => void) | undefined;
  private readonly result: ReplayResult = { events: 0, commits: 0, skipped: 0, lastMain: -1, lastSub: -1, uncommittedEvents: 0 };
  private prevMain = -1;
  private prevSub = -1;
  private inCommit = 0;
  private location: RecordLocation | null = null;

  constructor(private readonly projections: readonly Projection[], options: ReplayOptions) {
    this.afterMain = options.afterMain ?? -1;
    this.untilMain = options.untilMain ?? Number.MAX_SAFE_INTEGER;
    this.every = options.progressEveryEvents ?? PROGRESS_EVERY_EVENTS_DEFAULT;
    assert.ok(Number.isSafeInteger(this.every) && this.every > 0, 'progressEveryEvents must be a positive integer');
    this.onProgress = options.onProgress;
  }

  /** Applies one entry; false once past `untilMain` (the caller stops feeding). */
  feed(entry: LogEntry): boolean {
    const result = this.result;
    if (entry.main <= this.afterMain) {
      result.skipped++;
      return true;
    }
    if (entry.main > this.untilMain) return false;
    if (entry.kind === 'commit') {
      // A commit ends the events just seen (same main), or is empty and moves main forward.
      const matches = this.inCommit > 0 ? entry.main === this.prevMain : entry.main > this.prevMain;
      if (!matches || entry.eventCount !== this.inCommit) badCommit(entry.main, entry.eventCount, this.inCommit, entry);
      if (this.inCommit === 0) {
        this.prevMain = entry.main;
        this.prevSub = -1;
      }
      result.commits++;
      this.inCommit = 0;
      return true;
    }
    // Events rise strictly, and a new main starts exactly when a commit has just ended.
    const startsCommit = this.inCommit === 0;
    const newMain = entry.main !== this.prevMain;
    if (compareRevisionParts(entry.main, entry.sub, this.prevMain, this.prevSub) <= 0 || startsCommit !== newMain) {
      throw new ProjectionError('PROJECTION_BAD_LOG', `event ${entry.main}.${entry.sub} out of order after ${this.prevMain}.${this.prevSub}`, {
        location: entry.location,
      });
    }
    const projections = this.projections;
    for (let i = 0; i < projections.length; i++) (projections[i] as Projection).apply(entry);
    this.prevMain = entry.main;
    this.prevSub = entry.sub;
    this.location = entry.location;
    this.inCommit++;
    result.events++;
    if (this.onProgress !== undefined && result.events % this.every === 0) this.report();
    return true;
  }

  finish(): ReplayResult {
    const result = this.result;
    result.lastMain = this.prevMain;
    result.lastSub = this.prevSub;
    result.uncommittedEvents = this.inCommit;
    if (this.onProgress !== undefined) this.report();
    return result;
  }

  private report(): void {
    const r = this.result;
    this.onProgress?.({ events: r.events, commits: r.commits, main: this.prevMain, location: this.location });
  }
}

function badCommit(main: number, expected: number, seen: number, entry: LogEntry): never {
  throw new ProjectionError('PROJECTION_BAD_LOG', `commit ${main} ends with ${expected} events, ${seen} seen`, {
    location: entry.location,
  });
}
