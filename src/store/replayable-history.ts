/**
 * The whole history the log can still replay, as one stream of entries: the log from its
 * start when nothing was deleted, or else the newest compaction base (every key's visible
 * event at the base revision) followed by the log after it. Also: checking that a
 * checkpoint's marker is durable in the log.
 */
import type { WalFileSystem } from '../wal/file-system.js';
import { LogReader } from '../wal/reader.js';
import type { LogEntry } from '../wal/types.js';
import { baseEntries, decodeBaseEvents, type BaseEvent, type CheckpointBody } from '../checkpoint/checkpoint-body.js';
import { listCheckpoints } from '../checkpoint/checkpoint-name.js';
import { SnapshotError } from '../checkpoint/errors.js';
import { loadCheckpoint, setAside, type LoadContext } from '../checkpoint/load-checkpoint.js';
import type { LogLayout } from './log-layout.js';
import { SNAP_FLAG_BASE, readSnapFlags } from '../checkpoint/snap-file.js';

export interface BaseSource {
  file: string;
  atMain: number;
  events: BaseEvent[];
  body: CheckpointBody;
}

/** The newest valid compaction base the log can continue from, or null. */
export function findBase(ctx: LoadContext, layout: LogLayout): BaseSource | null {
  for (const c of listCheckpoints(ctx.wfs, ctx.dir)) {
    if (c.coversMain < layout.minCoversMain) return null;
    if (((readSnapFlags(ctx.wfs, ctx.dir, c.name) ?? 0) & SNAP_FLAG_BASE) === 0) continue;
    const loaded = loadCheckpoint(ctx, c.name);
    if (loaded === null) continue;
    loaded.close(); // the base is read with the meta; the projections' parts are not needed
    const body = loaded.body;
    if (body.base === null) continue;
    if (body.base.atMain < layout.minCoversMain) return null;
    try {
      return { file: c.name, atMain: body.base.atMain, events: decodeBaseEvents(body.base, c.name), body };
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      setAside(ctx, c.name, err);
    }
  }
  return null;
}

/**
 * Every entry from the beginning of what is kept. `base` is needed (and must be non-null)
 * when the log's prefix was deleted.
 */
export function historyEntries(
  layout: LogLayout, base: BaseSource | null, makeReader: (fromMain: number) => LogReader,
): { entries: Iterable<LogEntry>; reader: LogReader } {
  if (!layout.prefixDeleted) {
    const reader = makeReader(0);
    return { entries: reader.entries(), reader };
  }
  if (base === null) {
    throw new SnapshotError('SNAPSHOT_NO_BASE', `the log starts at revision ${layout.minCoversMain + 1} (older segments were compacted away) and no valid compaction base is left`);
  }
  const reader = makeReader(base.atMain + 1);
  return { entries: concat(baseEntries(base.events), reader.entries()), reader };
}

function* concat(a: Iterable<LogEntry>, b: Iterable<LogEntry>): Generator<LogEntry> {
  yield* a;
  yield* b;
}

/**
 * Whether the marker {type:'checkpoint', file, coversMain} is in the log after coversMain.
 * It is normally in the first commit after it, so the scan stops early; a missing marker
 * (a crash between the file and its marker) scans the rest of the log once.
 */
export function markerDurable(layout: LogLayout, file: string, coversMain: number, wfs: WalFileSystem): boolean {
  const reader = new LogReader(layout.logDir, { fs: wfs, fromMain: coversMain + 1, onDamage: layout.onDamage });
  for (const entry of reader.entries()) {
    if (entry.kind !== 'event' || entry.main <= coversMain) continue;
    const p = entry.payload as { type?: unknown; file?: unknown; coversMain?: unknown } | null;
    if (p !== null && typeof p === 'object' && p.type === 'checkpoint' && p.file === file && p.coversMain === coversMain) return true;
  }
  return false;
}
