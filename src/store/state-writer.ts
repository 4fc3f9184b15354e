/**
 * What checkpoints and compaction need of the state's owner (the Store): its projections,
 * where it stands, and the one way to advance it. They commit their markers through
 * `commit`, like any scan cycle, and never re-read the log to apply them.
 */
import type { ElavaEvent } from '../model/events.js';
import type { Projection } from '../projection/projection.js';
import type { StructureTable } from '../wal/codec.js';
import type { WalFileSystem } from '../wal/file-system.js';
import type { CommitPlacement } from '../wal/types.js';

export interface StateWriter {
  /** The data directory: checkpoints live here, and so does the log. */
  readonly dir: string;
  readonly wfs: WalFileSystem;
  readonly projections: readonly Projection[];
  /** The last durable revision main; every projection has applied it. */
  readonly lastMain: number;
  readonly structures: StructureTable;
  commit(events: readonly ElavaEvent[], timeMs?: number): Promise<CommitPlacement>;
  /** Deletes log segments wholly at or below `atMain` (once a durable base covers them). */
  purgeBelow(atMain: number, limit?: number): string[];
}
