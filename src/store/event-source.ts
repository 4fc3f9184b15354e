/**
 * THE event read-back: the payload of the event a key-index entry points at. From the log
 * by its location first (PointReader keeps a few segment files open and one decoder); when
 * compaction deleted the segment it sat in (ENOENT), from the compaction base, by revision.
 * History queries, the revision hash and compaction (which copies visible events into the
 * next base) all read through it. The base is either handed over (compaction has it at
 * hand) or loaded on the first read that needs it (`'lazy'`, read-only: nothing renamed),
 * so a log that was never compacted never pays for it. Safe while the daemon appends.
 */
import type { IndexedRevision } from '../mvcc/key-index.js';
import { MvccError } from '../mvcc/errors.js';
import type { RecordLocation } from '../model/record-location.js';
import type { StructureTable } from '../wal/codec.js';
import { errnoCode } from '../wal/errors.js';
import { nodeFileSystem, type WalFileSystem } from '../wal/file-system.js';
import { PointReader } from '../wal/read-at.js';
import type { BaseEvent } from '../checkpoint/checkpoint-body.js';
import type { LoadContext } from '../checkpoint/load-checkpoint.js';
import { logLayout } from './log-layout.js';
import { findBase } from './replayable-history.js';

/** What the query layer needs of an event reader. */
export interface EventReader {
  /** The payload of the event at `location`; `expect` checks the revision found there. */
  read(location: RecordLocation, expect?: { main: number; sub: number }): unknown;
  close(): void;
}

export class EventSource implements EventReader {
  private readonly points: PointReader;
  /** Base events by `main.sub`; null until needed when the base is loaded lazily. */
  private byRevision: Map<string, BaseEvent> | null = null;

  constructor(
    readonly dir: string,
    structures: StructureTable | (() => StructureTable),
    private readonly base: readonly BaseEvent[] | 'lazy',
    private readonly wfs: WalFileSystem = nodeFileSystem,
  ) {
    this.points = new PointReader(dir, { fs: wfs, structures });
  }

  read(location: RecordLocation, expect?: { main: number; sub: number }): unknown {
    try {
      return this.points.read(location, expect);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || expect === undefined) throw err;
      const fromBase = this.baseEvents().get(`${expect.main}.${expect.sub}`);
      if (fromBase === undefined) {
        throw new MvccError('MVCC_COMPACTED', `event ${expect.main}.${expect.sub} was compacted away (segment ${location.segment} is gone and no compaction base holds it)`, { main: expect.main });
      }
      return fromBase[5];
    }
  }

  /** The payload of a key-index entry (the revision hash's and compaction's form). */
  readRevision(_key: string, revision: IndexedRevision): unknown {
    return this.read(revision.location, { main: revision.main, sub: revision.sub });
  }

  /** The commit time of a base event, if the base holds that revision. */
  baseTimeMs(main: number, sub: number): number | undefined {
    return this.baseEvents().get(`${main}.${sub}`)?.[2];
  }

  /** Closes the segment files kept open. */
  close(): void {
    this.points.close();
    this.byRevision = null;
  }

  private baseEvents(): Map<string, BaseEvent> {
    if (this.byRevision !== null) return this.byRevision;
    const events = this.base === 'lazy' ? this.loadBase() : this.base;
    this.byRevision = new Map();
    for (const e of events) this.byRevision.set(`${e[0]}.${e[1]}`, e);
    return this.byRevision;
  }

  private loadBase(): readonly BaseEvent[] {
    const ctx: LoadContext = { dir: this.dir, wfs: this.wfs, readOnly: true, logger: undefined, broken: [] };
    return findBase(ctx, logLayout(this.wfs, this.dir))?.events ?? [];
  }
}
