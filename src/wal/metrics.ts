/**
 * fdatasync latency, kept as a histogram with doubling buckets (1 ms .. 8.192 s, exported
 * later as `wal_fsync_duration_seconds`) plus a ring of recent samples for exact
 * percentiles in logs and benchmarks. Nothing else lives here.
 */
import { FSYNC_BUCKET_COUNT, FSYNC_BUCKET_FIRST_SECONDS } from '../limits.js';

const RECENT_SAMPLES_MAX = 4096;

export class FsyncHistogram {
  /** Upper bounds of the buckets, in seconds; a last +Inf bucket is implied. */
  readonly boundsSeconds: readonly number[];
  /** Counts per bucket (not cumulative); one more entry than bounds, for +Inf. */
  readonly counts: number[];
  count = 0;
  sumSeconds = 0;
  private readonly recent = new Float64Array(RECENT_SAMPLES_MAX);
  private recentNext = 0;
  private recentFilled = 0;

  constructor() {
    const bounds: number[] = [];
    for (let i = 0; i < FSYNC_BUCKET_COUNT; i++) bounds.push(FSYNC_BUCKET_FIRST_SECONDS * 2 ** i);
    this.boundsSeconds = bounds;
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < this.boundsSeconds.length && seconds > this.boundsSeconds[i]!) i++;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.count++;
    this.sumSeconds += seconds;
    this.recent[this.recentNext] = seconds;
    this.recentNext = (this.recentNext + 1) % RECENT_SAMPLES_MAX;
    if (this.recentFilled < RECENT_SAMPLES_MAX) this.recentFilled++;
  }

  /** A percentile (0..100) of the most recent samples, in seconds; NaN when none. */
  recentPercentileSeconds(p: number): number {
    if (this.recentFilled === 0) return Number.NaN;
    const sorted = Array.from(this.recent.subarray(0, this.recentFilled)).sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank]!;
  }
}
