/**
 * Reads back the event a key-index entry points at: from the log by its location, or —
 * when compaction deleted the segment it sat in — from the compaction base, by revision.
 * History queries and compaction (which copies visible events into the next base) use it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IndexedRevision } from '../mvcc/key-index.js';
import type { StructureTable } from '../wal/codec.js';
import { nodeFileSystem, type WalFileSystem } from '../wal/file-system.js';
import { PointReader } from '../wal/read-at.js';
import type { BaseEvent } from '../checkpoint/checkpoint-body.js';

export class EventSource {
  private readonly byRevision = new Map<string, BaseEvent>();
  /** Keeps segment files open and one decoder between reads (a history read touches few files). */
  private readonly reader: PointReader;

  constructor(
    readonly logDir: string,
    structures: StructureTable,
    base: readonly BaseEvent[] | null,
    wfs?: WalFileSystem,
  ) {
    for (const e of base ?? []) this.byRevision.set(`${e[0]}.${e[1]}`, e);
    this.reader = new PointReader(logDir, { fs: wfs ?? nodeFileSystem, structures });
  }

  /** Closes the segment files kept open. */
  close(): void {
    this.reader.close();
  }

  /** The payload of the event at `revision` (key is for the caller's error messages). */
  read(_key: string, revision: IndexedRevision): unknown {
    const fromBase = this.byRevision.get(`${revision.main}.${revision.sub}`);
    if (fromBase !== undefined) return fromBase[5];
    return this.reader.read(revision.location, { main: revision.main, sub: revision.sub });
  }

  /** The commit time of a base event, if the base holds that revision. */
  baseTimeMs(main: number, sub: number): number | undefined {
    return this.byRevision.get(`${main}.${sub}`)?.[2];
  }

  /** Whether the segment a location names is still on disk. */
  segmentExists(segment: string): boolean {
    return fs.existsSync(path.join(this.logDir, segment));
  }
}
