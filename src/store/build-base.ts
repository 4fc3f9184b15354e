/**
 * The compaction base at `atMain`: for every key visible at atMain, the event visible for
 * it (revision, commit time, original location, payload), ascending by revision. With it
 * and the log after atMain, replay rebuilds any projection, so the segments wholly at or
 * below atMain can go. Payloads come from the log, or from the previous base for events
 * whose segments an earlier compaction already deleted. Holds the base in memory once
 * (about the size of the current state); compaction is rare.
 */
import type { TreeIndex } from '../mvcc/tree-index.js';
import type { BaseEvent } from '../checkpoint/checkpoint-body.js';
import type { EventSource } from './event-source.js';
import type { WalFileSystem } from '../wal/file-system.js';
import { LogReader } from '../wal/reader.js';
import type { IndexedRevision } from '../mvcc/key-index.js';

export function buildBase(index: TreeIndex, atMain: number, source: EventSource, wfs: WalFileSystem): BaseEvent[] {
  const visible: Array<{ key: string; revision: IndexedRevision }> = [];
  for (const v of index.range('', undefined, atMain)) visible.push(v);
  visible.sort((a, b) => a.revision.main - b.revision.main || a.revision.sub - b.revision.sub);
  const times = commitTimes(visible, source, wfs);
  return visible.map(({ key, revision: r }): BaseEvent => [r.main, r.sub, times.get(r.main) ?? source.baseTimeMs(r.main, r.sub) ?? 0, r.location.segment, r.location.offsetBytes, source.readRevision(key, r)]);
}

/** Commit times of the mains in `visible` that the log still holds (one scan, no decoding). */
function commitTimes(visible: ReadonlyArray<{ revision: IndexedRevision }>, source: EventSource, wfs: WalFileSystem): Map<number, number> {
  const wanted = new Set<number>();
  for (const v of visible) if (source.baseTimeMs(v.revision.main, v.revision.sub) === undefined) wanted.add(v.revision.main);
  const times = new Map<number, number>();
  if (wanted.size === 0) return times;
  const first = Math.min(...wanted);
  const reader = new LogReader(source.dir, { fs: wfs, fromMain: first, decode: false });
  for (const entry of reader.entries()) {
    if (entry.kind === 'commit' && wanted.has(entry.main)) {
      times.set(entry.main, entry.timeMs);
      if (times.size === wanted.size) break;
    }
  }
  return times;
}
