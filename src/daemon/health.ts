/**
 * `GET /v1/health`: how the daemon is doing, for the console's health page and for people
 * with curl. Every scope's last listing outcome (from the scope-status projection, so it
 * survives restarts), the cycles this process ran (durations; kept in memory, the newest
 * HEALTH_CYCLES_KEPT), the log's fdatasync latency histograms, its size and segments, and
 * the newest checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HEALTH_CYCLES_KEPT } from '../limits.js';
import { findProjection } from '../projection/builtins.js';
import { CommitTimes } from '../projection/commit-times.js';
import type { Projection } from '../projection/projection.js';
import { ScopeStatusProjection, type ScopeOutcome } from '../projection/scope-status.js';
import { listCheckpoints } from '../checkpoint/checkpoint-name.js';
import { nodeFileSystem } from '../wal/file-system.js';
import type { FsyncHistogram } from '../wal/metrics.js';
import type { Wal } from '../wal/wal.js';
import type { CycleReport } from './cycle.js';

export interface CycleSummary {
  cycle: number;
  revision: number | null;
  aborted: boolean;
  endedMs: number;
  durationMs: number;
  scopes: number;
  failedScopes: number;
  appeared: number;
  changed: number;
  disappeared: number;
}

export interface HistogramView {
  /** Upper bounds in seconds; `counts` has one more entry, for +Inf. Not cumulative. */
  boundsSeconds: number[];
  counts: number[];
  count: number;
  sumSeconds: number;
  /** Of the most recent samples (up to 4096); null when there are none. */
  p50Seconds: number | null;
  p99Seconds: number | null;
}

export interface LogView {
  segments: number;
  diskBytes: number;
  appendedBytes: number | null;
  currentSegment: string;
}

export interface HealthReport {
  revision: number;
  /** When this daemon process started; null when read from a data directory (elava health). */
  startedMs: number | null;
  scopes: Array<ScopeOutcome & { timeMs: number | null }>;
  scopeTotals: { complete: number; failed: number; suspect: number };
  cycles: CycleSummary[];
  fsync: HistogramView | null;
  prepareFsync: HistogramView | null;
  /** `appendedBytes`: by this process (null when read from a data directory). */
  log: LogView | null;
  checkpoint: { file: string; coversMain: number; timeMs: number | null; bytes: number } | null;
}

/** The newest cycles of this process, oldest first, at most HEALTH_CYCLES_KEPT. */
export class CycleHistory {
  private readonly kept: CycleSummary[] = [];

  record(report: CycleReport): void {
    const { cycle, revision, aborted, durationMs, scopes, appeared, changed, disappeared } = report;
    this.kept.push({
      cycle, revision, aborted, endedMs: Date.now(), durationMs: Math.round(durationMs), scopes,
      failedScopes: report.failedScopes.length, appeared, changed, disappeared,
    });
    if (this.kept.length > HEALTH_CYCLES_KEPT) this.kept.shift();
  }

  list(): CycleSummary[] {
    return [...this.kept];
  }
}

export interface HealthSources {
  dataDir: string;
  startedMs: number | null;
  /** The daemon's open log; null: read the directory (segments, sizes) instead. */
  wal(): Wal | null;
  projections(): readonly Projection[];
  cycles(): CycleSummary[];
}

export function healthReport(src: HealthSources): HealthReport {
  const projections = src.projections();
  const times = findProjection(projections, CommitTimes);
  const outcomes = findProjection(projections, ScopeStatusProjection)?.list() ?? [];
  const scopeTotals = { complete: 0, failed: 0, suspect: 0 };
  for (const o of outcomes) scopeTotals[o.status]++;
  const wal = src.wal();
  return {
    revision: wal?.lastMain ?? times?.lastMain ?? 0,
    startedMs: src.startedMs,
    scopes: outcomes.map((o) => ({ ...o, timeMs: times?.timeOf(o.main) ?? null })),
    scopeTotals,
    cycles: src.cycles(),
    fsync: wal === null ? null : histogramView(wal.fsyncHistogram),
    prepareFsync: wal === null ? null : histogramView(wal.prepareFsyncHistogram),
    log: logView(wal, src.dataDir),
    checkpoint: newestCheckpoint(src.dataDir, times ?? null),
  };
}

function histogramView(h: FsyncHistogram): HistogramView {
  const p = (q: number): number | null => (h.count === 0 ? null : h.recentPercentileSeconds(q));
  return {
    boundsSeconds: [...h.boundsSeconds], counts: [...h.counts], count: h.count,
    sumSeconds: h.sumSeconds, p50Seconds: p(50), p99Seconds: p(99),
  };
}

function logView(wal: Wal | null, dir: string): LogView {
  const segments = fs.readdirSync(wal?.dir ?? dir).filter((n) => n.endsWith('.wal')).sort();
  let diskBytes = 0;
  for (const name of segments) {
    try {
      diskBytes += fs.statSync(path.join(wal?.dir ?? dir, name)).size;
    } catch {
      // removed by compaction between readdir and stat
    }
  }
  if (wal === null) {
    const newest = segments[segments.length - 1] ?? '-';
    return { segments: segments.length, diskBytes, appendedBytes: null, currentSegment: newest };
  }
  const stats = wal.stats();
  const { segments: count, bytesAppended: appendedBytes, currentSegment } = stats;
  return { segments: count, diskBytes, appendedBytes, currentSegment };
}

function newestCheckpoint(dir: string, times: CommitTimes | null): HealthReport['checkpoint'] {
  const newest = listCheckpoints(nodeFileSystem, dir)[0];
  if (newest === undefined) return null;
  let bytes = 0;
  try {
    bytes = fs.statSync(path.join(dir, newest.name)).size;
  } catch {
    return null; // replaced by a newer one between the listing and the stat
  }
  const timeMs = times?.timeOf(newest.coversMain) ?? null;
  return { file: newest.name, coversMain: newest.coversMain, timeMs, bytes };
}
