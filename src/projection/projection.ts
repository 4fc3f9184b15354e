/**
 * A projection folds log events into in-memory state that can always be thrown away and
 * rebuilt by replaying the log. `version` changes whenever the meaning of its state
 * changes; a checkpoint written by another version is ignored and the projection is
 * rebuilt by replay instead (the upgrade path).
 *
 * `apply` is the replay hot path (millions of events per second overall): no per-event
 * closures, spreads or intermediate arrays. Events arrive in log order, each exactly once.
 */
import type { LogEvent } from '../wal/types.js';
import type { CanonicalKey } from './canonical-keys.js';

/** Anything a hash can be fed through; node:crypto's Hash fits. */
export interface HashSink {
  update(data: string | Uint8Array): unknown;
}

export interface Projection {
  readonly name: string;
  readonly version: number;
  apply(event: LogEvent): void;
  /** The whole state as plain data that msgpackr can encode (no classes, no functions). */
  snapshot(): unknown;
  /**
   * Replaces the state with a snapshot() result; throws PROJECTION_BAD_SNAPSHOT if
   * malformed. A projection that keeps resource keys stores `canonical(key)` for each (the
   * key index's string, see canonical-keys.ts; default: the key as decoded).
   */
  restore(data: unknown, canonical?: CanonicalKey): void;
  /** Feeds the state to `sink` in a canonical order: equal states feed equal bytes. */
  hashState(sink: HashSink): void;
  /**
   * Optional, for large states: the snapshot as a series of parts (each plain data, as
   * snapshot()), which a checkpoint writes and reads back one at a time; `itemsPerPart`
   * (keys or records) defaults to CHECKPOINT_PART_ITEMS; `ascending`, when given, lists
   * every key the projection holds, in order (AscendingKeys). Without it a projection's
   * snapshot is one part, snapshot() itself (see snapshot-parts.ts).
   */
  snapshotParts?(itemsPerPart?: number, ascending?: AscendingKeys): Iterable<unknown>;
  /**
   * With snapshotParts whose parts are ranges of resource keys, ascending: a part's first
   * key (null for an empty part), so that a reader wanting one key restores one part.
   */
  partFirstKey?(part: unknown): string | null;
  /** With snapshotParts: takes its parts back in order; finish() replaces the state. */
  restorer?(canonical?: CanonicalKey): PartRestorer;
  /**
   * Optional: work a restore leaves that only makes later operations faster (the key
   * index's map of keys), done after open one bounded step per turn of the event loop
   * (Store); true once none is left. Every answer is the same before, during and after.
   */
  backgroundStep?(): boolean;
  /**
   * The projection whose key slots this one keeps its state by (key-slots.ts): it must be
   * fed every event first, so recovery restores this one after it, and rebuilds the two
   * together when either cannot be restored.
   */
  readonly keyedBy?: Projection;
}

/**
 * Every resource key the state knows, ascending (the key index's keys: a superset of any
 * other projection's). A projection whose parts are key ranges may walk it instead of
 * sorting its own keys (snapshot-parts.ts ascendingChunks).
 */
export type AscendingKeys = () => Iterable<string>;

/** Restores a snapshot given part by part (PROJECTION_BAD_SNAPSHOT on a malformed part). */
export interface PartRestorer {
  add(part: unknown): void;
  finish(): void;
}
