/**
 * What checkpoints and compaction need of the state's owner (the Store): its projections,
 * where it stands, and the one way to advance it. They commit their markers through
 * `commit`, like any scan cycle, and never re-read the log to apply them; a checkpoint
 * holds other commits back while it writes (`holdCommits`).
 */
import type { ElavaEvent } from '../model/events.js';
import type { Projection } from '../projection/projection.js';
import type { StructureTable } from '../wal/codec.js';
import type { WalFileSystem } from '../wal/file-system.js';
import type { CommitPlacement } from '../wal/types.js';

/** Commits held back: the holder's own commits go first, through `commit`. */
export interface CommitHold {
  commit(events: readonly ElavaEvent[], timeMs?: number): Promise<CommitPlacement>;
  /** Lets the held commits go, in the order they were made. */
  release(): void;
}

export interface StateWriter {
  /** The data directory: checkpoints live here, and so does the log. */
  readonly dir: string;
  readonly wfs: WalFileSystem;
  readonly projections: readonly Projection[];
  /** The last durable revision main; every projection has applied it. */
  readonly lastMain: number;
  readonly structures: StructureTable;
  commit(events: readonly ElavaEvent[], timeMs?: number): Promise<CommitPlacement>;
  /**
   * Waits for the commits in flight to be applied, then holds every later `commit` back
   * (queued, in order) until the hold is released, so a checkpoint written over many turns
   * of the event loop sees the state stand still. One hold at a time.
   */
  holdCommits(): Promise<CommitHold>;
  /** Deletes log segments wholly at or below `atMain` (once a durable base covers them). */
  purgeBelow(atMain: number, limit?: number): string[];
}
