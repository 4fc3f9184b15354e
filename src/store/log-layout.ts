/**
 * What recovery needs to know about the log before choosing a checkpoint: where it starts.
 * Compaction deletes the oldest segments (those wholly at or below its base revision), so
 * the first segment present may not be sequence 0. Then the log holds every commit after
 * `firstSegment.firstMain - 1` and nothing before: a checkpoint covering less than that
 * cannot be used (its tail is gone), and replay from scratch must start from a compaction
 * base instead of the log's beginning.
 */
import path from 'node:path';
import { listSegments } from '../wal/segment.js';
import type { SegmentName } from '../wal/segment-name.js';
import type { WalFileSystem } from '../wal/file-system.js';

export interface LogLayout {
  logDir: string;
  segments: SegmentName[];
  /** True when compaction deleted the oldest segments. */
  prefixDeleted: boolean;
  /** Checkpoints (and bases) covering less than this are unusable. */
  minCoversMain: number;
  /** Bytes of every segment file, in order (the last one is preallocated: an overestimate). */
  segmentBytes: number[];
  /** What readers of this layout do at damage: throw (the writer's side) or end the log there (read-only). */
  onDamage: 'throw' | 'stop';
}

export function logLayout(wfs: WalFileSystem, logDir: string, onDamage: 'throw' | 'stop' = 'throw'): LogLayout {
  const segments = listSegments(wfs, logDir);
  const first = segments[0];
  const prefixDeleted = first !== undefined && first.sequence > 0;
  return {
    logDir,
    segments,
    prefixDeleted,
    minCoversMain: prefixDeleted && first ? first.firstMain - 1 : 0,
    segmentBytes: segments.map((s) => wfs.statSync(path.join(logDir, s.name)).size),
    onDamage,
  };
}

/** Bytes of log before `offsetBytes` of `segment` (for progress by bytes). */
export function bytesBefore(layout: LogLayout, segment: string, offsetBytes: number): number {
  let total = 0;
  for (let i = 0; i < layout.segments.length; i++) {
    if ((layout.segments[i] as SegmentName).name === segment) return total + offsetBytes;
    total += layout.segmentBytes[i] ?? 0;
  }
  return 0; // a base event's location in a deleted segment: before the log
}

export function totalBytes(layout: LogLayout): number {
  let total = 0;
  for (const b of layout.segmentBytes) total += b;
  return total;
}
