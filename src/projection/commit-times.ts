/**
 * When each commit happened: every commit's revision main and wall-clock time, so a query
 * can turn a time (`--at 2026-11-20T10:00Z`) into a revision and a revision into a time.
 *
 * Projections see events only (replay does not hand them commit ends), and every event
 * carries its commit's time, so a commit is recorded at its first event. A commit with no
 * events is invisible here; that is harmless, since it changes nothing a query can read
 * (every scan cycle writes at least its scope-scanned events).
 *
 * Only commits with resource or scope events are recorded (see apply).
 *
 * Compaction: a `compaction-scheduled` marker at `atMain` drops every commit at or below
 * atMain. A rebuild from a compaction base sees only some of those commits (the mains of
 * the base's events), then the same marker; dropping them all keeps the live state, the
 * rebuilt one and their hashes equal. History below the compaction point is gone anyway.
 *
 * Layout: two parallel Float64Arrays that grow by 1.5x: `mains` ascending, `timesMs` as
 * logged. Wall clocks can step backwards, so `ceilMs` holds the running maximum of the
 * times, which is what time lookups binary-search: a time resolves to the newest commit
 * such that no commit up to it is later than that time. 24 bytes a commit.
 */
import assert from 'node:assert/strict';
import type { LogEvent } from '../wal/types.js';
import type { ElavaEvent } from '../model/events.js';
import { eventOf, framedKind } from './event-payload.js';
import { ProjectionError } from './errors.js';
import type { HashSink, Projection } from './projection.js';

export interface CommitTimesSnapshot {
  /** Ascending revision mains, and each one's commit time (ms since the epoch). */
  mains: number[];
  timesMs: number[];
}

const CAPACITY_MIN = 64;

export class CommitTimes implements Projection {
  readonly name = 'commit-times';
  readonly version = 1;
  private mains = new Float64Array(CAPACITY_MIN);
  private timesMs = new Float64Array(CAPACITY_MIN);
  private ceilMs = new Float64Array(CAPACITY_MIN);
  private count = 0;

  /** Commits recorded. */
  get size(): number {
    return this.count;
  }

  /** The oldest commit recorded, or null when none is. */
  get firstMain(): number | null {
    return this.count === 0 ? null : (this.mains[0] as number);
  }

  /** The newest commit recorded, or null when none is. */
  get lastMain(): number | null {
    return this.count === 0 ? null : (this.mains[this.count - 1] as number);
  }

  /** The time of the oldest commit recorded, or null. */
  get firstTimeMs(): number | null {
    return this.count === 0 ? null : (this.timesMs[0] as number);
  }

  /** The newest commit at or before `timeMs` (no commit up to it later), or null. */
  mainAtOrBefore(timeMs: number): number | null {
    assert.ok(Number.isFinite(timeMs), 'time must be a finite number');
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ceilMs[mid] as number) <= timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : (this.mains[lo - 1] as number);
  }

  /** The oldest commit at or after `timeMs` (by the running latest time), or null. */
  mainAtOrAfter(timeMs: number): number | null {
    assert.ok(Number.isFinite(timeMs), 'time must be a finite number');
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ceilMs[mid] as number) < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.count ? null : (this.mains[lo] as number);
  }

  /**
   * The commits in [fromMain, beforeMain) that open a new period of `periodMs` (a UTC day):
   * their running latest time falls in a later period than the commit before them.
   */
  dayStarts(fromMain: number, beforeMain: number, periodMs: number): number[] {
    assert.ok(periodMs > 0 && fromMain <= beforeMain, 'a period and an ordered range');
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const main = this.mains[i] as number;
      if (main < fromMain) continue;
      if (main >= beforeMain) break;
      const period = Math.floor((this.ceilMs[i] as number) / periodMs);
      if (i === 0 || Math.floor((this.ceilMs[i - 1] as number) / periodMs) !== period) out.push(main);
    }
    return out;
  }

  /** The time of commit `main`, or null when it is not recorded (no events, or compacted). */
  timeOf(main: number): number | null {
    const i = this.indexOf(main);
    return i < 0 ? null : (this.timesMs[i] as number);
  }

  apply(log: LogEvent): void {
    // A change its frame names is no marker (and its payload is not read).
    const type = framedKind(log) !== 0 ? 'change' : (log.payload as { type?: unknown } | null)?.type;
    if (type === 'compaction-scheduled') {
      const event = eventOf(log);
      if (event.type === 'compaction-scheduled') this.dropThrough(event.atMain);
    }
    // Marker commits (checkpoint, compaction) change no resource: a time resolves to the
    // scan commit before them just as well, and leaving them out keeps this state (and
    // the state hash) independent of when maintenance happened to run.
    if (isMarkerType(type)) return;
    const n = this.count;
    if (n === 0 || (this.mains[n - 1] as number) !== log.main) this.push(log.main, log.timeMs);
  }

  snapshot(): CommitTimesSnapshot {
    return { mains: Array.from(this.mains.subarray(0, this.count)), timesMs: Array.from(this.timesMs.subarray(0, this.count)) };
  }

  restore(data: unknown): void {
    const snap = (data ?? {}) as Partial<Record<keyof CommitTimesSnapshot, unknown>>;
    const { mains, timesMs } = snap;
    if (!Array.isArray(mains) || !Array.isArray(timesMs) || mains.length !== timesMs.length) this.bad('mains and timesMs must be arrays of one length');
    this.count = 0;
    for (let i = 0; i < mains.length; i++) {
      const main: unknown = mains[i];
      const t: unknown = timesMs[i];
      if (typeof main !== 'number' || !Number.isSafeInteger(main) || main < 0 || typeof t !== 'number' || !Number.isFinite(t)) this.bad(`bad entry ${i}`);
      if (this.count > 0 && main <= (this.mains[this.count - 1] as number)) this.bad(`mains not ascending at entry ${i}`);
      this.push(main, t);
    }
  }

  hashState(sink: HashSink): void {
    const CHUNK = 4096;
    for (let start = 0; start < this.count; start += CHUNK) {
      let text = '';
      const end = Math.min(this.count, start + CHUNK);
      for (let i = start; i < end; i++) text += `${this.mains[i] as number} ${this.timesMs[i] as number}\n`;
      sink.update(text);
    }
  }

  private push(main: number, timeMs: number): void {
    const n = this.count;
    if (n > 0 && !(main > (this.mains[n - 1] as number))) assert.fail(`commit ${main} recorded after ${this.mains[n - 1]}`);
    if (n === this.mains.length) this.grow();
    const previousCeil = n === 0 ? -Infinity : (this.ceilMs[n - 1] as number);
    this.mains[n] = main;
    this.timesMs[n] = timeMs;
    this.ceilMs[n] = timeMs > previousCeil ? timeMs : previousCeil;
    this.count = n + 1;
  }

  private grow(): void {
    const capacity = Math.max(CAPACITY_MIN, Math.ceil(this.mains.length * 1.5));
    const resize = (from: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const to = new Float64Array(capacity);
      to.set(from.subarray(0, this.count));
      return to;
    };
    this.mains = resize(this.mains);
    this.timesMs = resize(this.timesMs);
    this.ceilMs = resize(this.ceilMs);
  }

  /** Drops every commit at or below `atMain` (compaction), recomputing the running maximum. */
  private dropThrough(atMain: number): void {
    let first = 0;
    while (first < this.count && (this.mains[first] as number) <= atMain) first++;
    if (first === 0) return;
    const remaining = this.count - first;
    this.mains.copyWithin(0, first, this.count);
    this.timesMs.copyWithin(0, first, this.count);
    let ceil = -Infinity;
    for (let i = 0; i < remaining; i++) {
      const t = this.timesMs[i] as number;
      if (t > ceil) ceil = t;
      this.ceilMs[i] = ceil;
    }
    this.count = remaining;
  }

  /** Index of `main` in `mains`, or -1. Binary search. */
  private indexOf(main: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.mains[mid] as number;
      if (m === main) return mid;
      if (m < main) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private bad(why: string): never {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad commit-times snapshot: ${why}`, { projection: this.name });
  }
}

/** Marker commits: everything that is not a scan cycle's record (an exhaustive switch). */
function isMarkerType(type: unknown): boolean {
  const t = type as ElavaEvent['type'];
  switch (t) {
    case 'checkpoint':
    case 'compaction-scheduled':
    case 'compaction-finished':
    case 'log-repaired':
    case 'history-downsampled':
      return true;
    case 'appeared':
    case 'changed':
    case 'disappeared':
    case 'scope-scanned':
    case 'source-commit': // a fan-in commit is a data commit of the aggregate
      return false;
    default: {
      // Exhaustive: a new event type fails to compile here. An unknown type at run time is
      // refused by eventOf in the other projections; here it counts like a scan commit.
      const unknown: never = t;
      void unknown;
      return false;
    }
  }
}
