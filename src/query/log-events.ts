/**
 * Reads back the event a key-index entry points at, for history queries: from the log by
 * its location (PointReader, which keeps a few segment files open), or, when compaction
 * deleted the segment it sat in, from the newest compaction base, by revision. The base is
 * loaded on the first read that needs it (read-only: nothing is renamed), so a log that was
 * never compacted never pays for it. Safe while the daemon appends.
 */
import { findBase } from '../store/replayable-history.js';
import type { LoadContext } from '../checkpoint/load-checkpoint.js';
import { logLayout } from '../store/log-layout.js';
import type { StructureTable } from '../wal/codec.js';
import { errnoCode } from '../wal/errors.js';
import { nodeFileSystem } from '../wal/file-system.js';
import { PointReader } from '../wal/read-at.js';
import type { RecordLocation } from '../model/record-location.js';
import { QueryError } from './errors.js';

/** What the query layer needs of an event reader; PointReader has the same shape. */
export interface EventReader {
  /** The payload of the event at `location`; `expect` checks the revision found there. */
  read(location: RecordLocation, expect?: { main: number; sub: number }): unknown;
  close(): void;
}

export class LogEvents implements EventReader {
  private readonly points: PointReader;
  /** Base payloads by `main.sub`; null until a read needs them. */
  private base: Map<string, unknown> | null = null;

  constructor(
    readonly dir: string,
    structures: StructureTable | (() => StructureTable),
  ) {
    this.points = new PointReader(dir, { structures });
  }

  read(location: RecordLocation, expect?: { main: number; sub: number }): unknown {
    try {
      return this.points.read(location, expect);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || expect === undefined) throw err;
      return this.fromBase(location, expect);
    }
  }

  close(): void {
    this.points.close();
    this.base = null;
  }

  private fromBase(location: RecordLocation, rev: { main: number; sub: number }): unknown {
    if (this.base === null) this.base = loadBase(this.dir);
    const payload = this.base.get(`${rev.main}.${rev.sub}`);
    if (payload === undefined) {
      throw new QueryError('compacted', `event ${rev.main}.${rev.sub} was compacted away (segment ${location.segment} is gone and no compaction base holds it)`);
    }
    return payload;
  }
}

function loadBase(dir: string): Map<string, unknown> {
  const ctx: LoadContext = { dir, wfs: nodeFileSystem, readOnly: true, logger: undefined, broken: [] };
  const base = findBase(ctx, logLayout(nodeFileSystem, dir));
  const byRevision = new Map<string, unknown>();
  for (const e of base?.events ?? []) byRevision.set(`${e[0]}.${e[1]}`, e[5]);
  return byRevision;
}
