/**
 * Feeds the tree index from the log: appeared and changed are puts, disappeared is a
 * tombstone, each pointing at its event's location in the log. Every other event only moves
 * the index's current revision forward, so a scan cycle that changed nothing is still a
 * readable revision. A `compaction-scheduled` marker compacts the index at its `atMain`
 * (idempotently): replay then reproduces a compaction wherever it happened in the log. The
 * compaction module also calls `compactTo` directly as soon as it schedules one; compaction
 * at `atMain` commutes with every later put or tombstone (it touches only entries at or below
 * `atMain`), so doing it early or at the marker gives the same index. A
 * `history-downsampled` marker thins its window the same way on every replay.
 */
import { isMvccError } from '../mvcc/errors.js';
import { CHECKPOINT_PART_ITEMS, KEY_MAP_FILL_SLOTS_PER_STEP } from '../limits.js';
import { snapshotTreeIndex, snapshotTreeIndexParts, TreeIndexRestorer, type TreeIndexSnapshot } from '../mvcc/tree-index-snapshot.js';
import { TreeIndex } from '../mvcc/tree-index.js';
import type { IndexedRevision, KeyIndex } from '../mvcc/key-index.js';
import type { RecordLocation } from '../model/record-location.js';
import type { LogEvent } from '../wal/types.js';
import { payloadIfDecoded } from '../wal/on-demand-event.js';
import { ProjectionError } from './errors.js';
import { assertNever } from './assert-never.js';
import { adoptKeyString, eventOf, framedKind } from './event-payload.js';
import { EVENT_TAG_DISAPPEARED } from './event-frame-key.js';
import type { HashSink, PartRestorer, Projection } from './projection.js';
import type { LiveRecordLocations } from './current-state.js';
import type { KeySlots } from './key-slots.js';

export class KeyIndexProjection implements Projection, LiveRecordLocations, KeySlots {
  readonly name = 'key-index';
  readonly version: number = 1;
  private tree = new TreeIndex();
  /** The key of the change applied last (slotOfApplied). */
  private lastApplied: KeyIndex | undefined;

  /**
   * With `onlyKey` (queries about one resource, see RecoverOptions.onlyKey) the other
   * keys' puts and tombstones only move the revision: the index is exact for that key, and
   * for the revision bookkeeping, only.
   */
  constructor(private readonly options: { onlyKey?: string } = {}) {}

  get index(): TreeIndex {
    return this.tree;
  }

  apply(log: LogEvent): void {
    const framed = framedKind(log);
    if (framed !== 0) return this.applyFramed(log, framed, log.key as string);
    const event = eventOf(log);
    const onlyKey = this.options.onlyKey;
    if (onlyKey !== undefined && (event.type === 'appeared' || event.type === 'changed' || event.type === 'disappeared') && event.key !== onlyKey) {
      this.tree.observe(log);
      return;
    }
    switch (event.type) {
      case 'appeared':
      case 'changed':
        adoptKeyString(log.payload, this.applied(this.tree.put(event.key, log, log.location)));
        return;
      case 'disappeared':
        adoptKeyString(log.payload, this.applied(this.tree.tombstone(event.key, log, log.location)));
        return;
      case 'compaction-scheduled':
        this.tree.observe(log);
        this.compactTo(event.atMain);
        return;
      case 'history-downsampled':
        this.tree.observe(log);
        this.tree.downsample(event.fromMain, event.beforeMain, event.dayStartMains);
        return;
      case 'scope-scanned':
      case 'checkpoint':
      case 'compaction-finished':
      case 'log-repaired':
      case 'source-commit':
        this.tree.observe(log);
        return;
      default:
        return assertNever(event);
    }
  }

  /**
   * Compacts the index at `atMain` unless it already is at or past it. Returns whether it
   * compacted. `atMain` above the current revision is MVCC_FUTURE_REV.
   */
  compactTo(atMain: number): boolean {
    if (atMain <= this.tree.compactedMain) return false;
    this.tree.compact(atMain);
    return true;
  }

  /**
   * A change named by its frame: the payload is not read. The key string the index holds
   * is handed on in `log.key` (the next projections keep that one string, as
   * adoptKeyString does for a payload's).
   */
  private applyFramed(log: LogEvent, kind: number, key: string): void {
    const onlyKey = this.options.onlyKey;
    if (onlyKey !== undefined && key !== onlyKey) {
      this.tree.observe(log);
      return;
    }
    const ki = kind === EVENT_TAG_DISAPPEARED ? this.tree.tombstone(key, log, log.location) : this.tree.put(key, log, log.location);
    log.key = this.applied(ki);
    adoptKeyString(payloadIfDecoded(log), log.key);
  }

  slotOfApplied(key: string): number {
    const ki = this.lastApplied;
    return ki !== undefined && ki.key === key && ki.keySlot >= 0 ? ki.keySlot : this.tree.slotOf(key);
  }

  slotOf(key: string): number {
    return this.tree.slotOf(key);
  }

  keyAt(slot: number): string | undefined {
    return this.tree.atSlot(slot)?.key;
  }

  get slotLimit(): number {
    return this.tree.slotLimit;
  }

  slotFinder(): (key: string) => number {
    const walk = this.tree.keyIndexes();
    let current = walk.next();
    return (key) => {
      while (!current.done) {
        const ki = current.value;
        if (ki.key === key) {
          current = walk.next();
          return ki.keySlot;
        }
        if (ki.key > key) break; // not held, or asked out of order
        current = walk.next();
      }
      return this.tree.slotOf(key);
    };
  }

  *ascendingSlots(): Generator<readonly [string, number]> {
    for (const ki of this.tree.keyIndexes()) yield [ki.key, ki.keySlot];
  }

  /** After a restore: fills the key index's map of keys a step at a time (TreeIndex.fillKeyMap). */
  backgroundStep(): boolean {
    return this.tree.fillKeyMap(KEY_MAP_FILL_SLOTS_PER_STEP);
  }

  /** `ki`, a key just put or tombstoned, remembered (slotOfApplied); its one key string. */
  private applied(ki: KeyIndex): string {
    this.lastApplied = ki;
    return ki.key;
  }

  /**
   * Every live key with the location of its newest entry (its last record), ascending by
   * key: what the current state needs to read its records back after a replay that kept
   * none (CurrentState.deferRecords). Exact only without `onlyKey`.
   */
  *liveRecordLocations(): Generator<readonly [string, RecordLocation]> {
    if (this.options.onlyKey !== undefined) throw new Error('an index kept for one key knows no other key\'s records');
    for (const ki of this.tree.keyIndexes()) {
      if (ki.isLive()) yield [ki.key, (ki.last() as IndexedRevision).location];
    }
  }

  snapshot(): unknown {
    return snapshotTreeIndex(this.tree);
  }

  restore(data: unknown): void {
    const restorer = this.restorer();
    restorer.add(data);
    restorer.finish();
  }

  /** The snapshot in parts of `keysPerPart` keys (see snapshotTreeIndexParts). */
  snapshotParts(keysPerPart = CHECKPOINT_PART_ITEMS): Iterable<unknown> {
    return snapshotTreeIndexParts(this.tree, keysPerPart);
  }

  partFirstKey(part: unknown): string | null {
    return (part as TreeIndexSnapshot).keys[0] ?? null;
  }

  restorer(): PartRestorer {
    const restorer = new TreeIndexRestorer();
    return {
      add: (part) => this.asProjectionError(() => restorer.add(part)),
      finish: () => {
        this.tree = this.asProjectionError(() => restorer.finish());
        this.lastApplied = undefined;
      },
    };
  }

  private asProjectionError<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      if (isMvccError(err, 'MVCC_BAD_SNAPSHOT')) {
        throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', err.message, { projection: this.name });
      }
      throw err;
    }
  }

  hashState(sink: HashSink): void {
    const cursor = this.tree.cursor();
    sink.update(`cursor ${cursor.lastMain}.${cursor.lastSub} compacted ${cursor.compactedMain}\n`);
    for (const ki of this.tree.keyIndexes()) {
      sink.update(ki.key);
      for (const r of ki.history()) {
        sink.update(` ${r.main}.${r.sub}${r.tombstone ? 't' : ''}@${r.location.segment}:${r.location.offsetBytes}`);
      }
      sink.update('\n');
    }
  }
}
