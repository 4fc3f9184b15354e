/**
 * Deletes the log segments wholly at or below `atMain`, oldest first, fsync'ing the
 * directory after each unlink: whatever a crash leaves is a contiguous run of segments
 * (the reader checks sequence gaps between present segments). A segment is wholly at or
 * below atMain when the next one starts at or below atMain + 1; the last segment is never
 * deleted. Call only once the compaction base at atMain is durable.
 */
import path from 'node:path';
import { fsyncDirectory, type WalFileSystem } from './file-system.js';
import { listSegments } from './segment.js';

/** Returns the names deleted. `limit` caps how many (tests stop half-way with it). */
export function deleteSegmentsBelow(wfs: WalFileSystem, logDir: string, atMain: number, limit = Number.MAX_SAFE_INTEGER): string[] {
  const segments = listSegments(wfs, logDir);
  const deleted: string[] = [];
  for (let i = 0; i + 1 < segments.length && deleted.length < limit; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1]!;
    if (next.firstMain - 1 > atMain) break;
    wfs.unlinkSync(path.join(logDir, seg.name));
    fsyncDirectory(wfs, logDir);
    deleted.push(seg.name);
  }
  return deleted;
}
