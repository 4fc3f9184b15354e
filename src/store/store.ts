/**
 * The Store: the one owner of Elava's state on disk and in memory (etcd's mvcc `store` is
 * the model). It holds the log, the projections, checkpoints, compaction and retention;
 * the daemon, every operations command, the query commands and the tests open state
 * through it, and nothing else wires the log to the projections.
 *
 *   open()    reads the log once: the newest usable checkpoint is restored and the tail
 *             after it is replayed through the same reader that verifies it (the writer's
 *             open: lock, torn-tail repair), giving the event loop a turn every few
 *             thousand events and reporting progress, so a daemon stays reachable. An
 *             unfinished compaction is resumed (writer only).
 *   commit()  THE one way state advances: the log assigns the revision, and once the
 *             commit is durable every projection is fed each event at the place the log
 *             put it. Scan cycles, checkpoint markers, compaction and retention markers
 *             all go through it, so no commit is ever re-read from disk to be applied.
 *
 * Invariants: projections never run ahead of the log (they advance only after fdatasync);
 * a refused append leaves them where they were; a read-only store never writes a byte.
 */
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import type { ElavaEvent } from '../model/events.js';
import { builtInProjections, findProjection } from '../projection/builtins.js';
import { ControlState } from '../projection/control-state.js';
import type { Projection } from '../projection/projection.js';
import { stateHash } from '../projection/state-hash.js';
import { checkpointFloorMain } from '../checkpoint/checkpoint-name.js';
import type { StructureTable } from '../wal/codec.js';
import { nodeFileSystem, type WalFileSystem } from '../wal/file-system.js';
import type { LogDamage } from '../wal/damage.js';
import type { CommitPlacement, LogEvent } from '../wal/types.js';
import { Wal, type WalOptions } from '../wal/wal.js';
import { compactState, type CompactOptions, type CompactionResult } from './compaction.js';
import { eventFrameKey, eventFrameTag } from '../projection/event-frame-key.js';
import { baseOnlyFilter } from './rebuild.js';
import { recoverWith, type RecoveredState, type RecoveryProgress, type RecoveryStats } from './recover.js';
import type { CommitHold, StateWriter } from './state-writer.js';
import { takeCheckpoint, type CheckpointInfo, type CheckpointReason } from './take-checkpoint.js';

export interface StoreOptions {
  /** Queries: no lock, nothing written, damage ends the log (default false: the writer). */
  readOnly?: boolean;
  /** Writer: create the directory (0700) when missing. */
  create?: boolean;
  /** Replay the whole kept history, using no checkpoint but a compaction base (rebuild). */
  rebuild?: boolean;
  /** Read-only: state exact for this one resource key only (see RecoverOptions.onlyKey). */
  onlyKey?: string;
  logger?: Logger;
  onProgress?: (progress: RecoveryProgress) => void;
  /** A fresh projection set; default builtInProjections() (a ControlState is added if missing). */
  projections?: () => Projection[];
  segmentSizeBytes?: number;
  fsyncWarnMs?: number;
  brokenCopiesKept?: number;
  /** The file-system seam, for fault-injection tests. */
  fs?: WalFileSystem;
}

export class Store implements StateWriter {
  readonly dir: string;
  readonly wfs: WalFileSystem;
  readonly recovery: RecoveryStats;
  /** The compaction a crash had interrupted and open() finished (null: none). */
  resumedCompaction: CompactionResult | null = null;
  private readonly wal: Wal | null;
  private readonly logger: Logger | undefined;
  private readonly state: RecoveredState;
  private closed = false;
  /** While a checkpoint holds commits back: what the next commit waits for (null: go). */
  private held: Promise<void> | null = null;
  private holding = false;
  /** Commits handed to the log and not yet applied or refused. */
  private inFlight = 0;
  /** Woken when inFlight falls to 0 (a hold waiting for the state to stand still). */
  private readonly drained: (() => void)[] = [];

  private constructor(dir: string, options: StoreOptions, state: RecoveredState, wal: Wal | null) {
    this.dir = dir;
    this.wfs = options.fs ?? nodeFileSystem;
    this.logger = options.logger;
    this.state = state;
    this.recovery = state.stats;
    this.wal = wal;
  }

  /** Opens `dir` (see the file comment). Throws WalError/SnapshotError/ProjectionError. */
  static async open(dir: string, options: StoreOptions = {}): Promise<Store> {
    const recoverOptions = {
      projections: options.projections ?? builtInProjections,
      readOnly: options.readOnly ?? false,
      ...(options.fs ? { fs: options.fs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onlyKey !== undefined ? { onlyKey: options.onlyKey } : {}),
    };
    assert.ok(options.onlyKey === undefined || options.readOnly === true, 'a state for one key is read-only');
    const usable = options.rebuild ? baseOnlyFilter() : () => true;
    if (options.readOnly) {
      const store = new Store(dir, options, await recoverWith(dir, recoverOptions, usable), null);
      store.startBackgroundSteps();
      return store;
    }
    const walOptions = writerOptions(dir, options);
    const opening = Wal.begin(walOptions);
    let wal: Wal;
    let state: RecoveredState;
    try {
      state = await recoverWith(dir, {
        ...recoverOptions,
        finalReader: (fromMain, payloads) => opening.reader(fromMain, { decode: true, emit: true, payloads }),
      }, usable);
      wal = Wal.finish(walOptions, opening, state.reader, state.structures);
    } catch (err) {
      opening.abort();
      throw err;
    }
    assert.equal(wal.lastMain, state.lastMain, 'state and log end at the same revision');
    const store = new Store(dir, options, state, wal);
    store.startBackgroundSteps();
    if (state.pendingCompactionMain !== null) store.resumedCompaction = await store.resumeCompaction();
    return store;
  }

  /**
   * Runs the projections' background steps (Projection.backgroundStep), one round per
   * turn of the event loop, until none is left or the store closes. The timers are
   * unref'd: a command that answers and exits is never kept waiting for them.
   */
  private startBackgroundSteps(): void {
    let pending = this.state.projections.filter((p) => p.backgroundStep !== undefined);
    const round = (): void => {
      if (this.closed) return;
      pending = pending.filter((p) => !(p.backgroundStep as () => boolean).call(p));
      if (pending.length > 0) setTimeout(round, 0).unref();
    };
    round();
  }

  get readOnly(): boolean {
    return this.wal === null;
  }

  /** The log (writer only): metrics read its histograms and counters. */
  get log(): Wal {
    assert.ok(this.wal !== null, 'a read-only store has no writer');
    return this.wal;
  }

  get projections(): readonly Projection[] {
    return this.state.projections;
  }

  /** The last durable revision main (read-only: the last whole commit when opened). */
  get lastMain(): number {
    return this.wal?.lastMain ?? this.state.lastMain;
  }

  /** The payload structure table: decodes every record of this log. */
  get structures(): StructureTable {
    return this.wal?.structures ?? this.state.structures;
  }

  /** Read-only stores: the damage the log was read up to (null: none). */
  get damage(): LogDamage | null {
    return this.state.stats.damage;
  }

  get pendingCompactionMain(): number | null {
    return this.control().pendingCompaction();
  }

  /**
   * Appends one commit and, once it is durable, feeds every event to every projection at
   * its place in the log. Rejects (WalError) when the log refuses it; state is unchanged.
   */
  async commit(events: readonly ElavaEvent[], timeMs: number = Date.now()): Promise<CommitPlacement> {
    assert.ok(!this.closed, 'commit on an open store');
    assert.ok(Number.isSafeInteger(timeMs) && timeMs >= 0, 'commit time is a whole number of ms');
    if (this.held === null) return this.commitNow(events, timeMs);
    // Held back (a checkpoint is writing): queued behind the hold and every commit made
    // before this one, so the log still numbers them in the order they were made.
    const turn = this.held;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.held = mine;
    await turn;
    if (this.held === mine) this.held = null; // last in the queue: later commits go straight through
    try {
      return this.commitNow(events, timeMs);
    } finally {
      done();
    }
  }

  /** See StateWriter.holdCommits. */
  async holdCommits(): Promise<CommitHold> {
    assert.ok(!this.holding, 'one commit hold at a time');
    this.holding = true;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const turn = this.held;
    this.held = gate;
    await turn; // commits queued before the hold start first
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
    let released = false;
    return {
      commit: (events, timeMs = Date.now()) => {
        assert.ok(!released, 'a released hold commits nothing');
        return this.commitNow(events, timeMs);
      },
      release: () => {
        if (released) return;
        released = true;
        this.holding = false;
        if (this.held === gate) this.held = null;
        open();
      },
    };
  }

  /** Writes a checkpoint of every projection and commits its marker. */
  checkpoint(reason: CheckpointReason, options: { skipMarker?: boolean } = {}): Promise<CheckpointInfo> {
    return takeCheckpoint(this, { reason, ...options, ...(this.logger ? { logger: this.logger } : {}) });
  }

  /** Compacts history below `atMain` (etcd-style), online: between commits, not during one. */
  compact(atMain: number, options: Omit<CompactOptions, 'logger'> = {}): Promise<CompactionResult> {
    return compactState(this, atMain, { ...options, ...(this.logger ? { logger: this.logger } : {}) });
  }

  /** Finishes a compaction a crash interrupted; null when none is pending. */
  async resumeCompaction(options: Omit<CompactOptions, 'logger'> = {}): Promise<CompactionResult | null> {
    const pending = this.pendingCompactionMain;
    if (pending === null) return null;
    this.logger?.warn({ atMain: pending }, 'a compaction was scheduled and not finished (crash?); finishing it now');
    return this.compact(pending, options);
  }

  /** Deletes log segments wholly at or below `atMain` (compaction, once its base is durable). */
  purgeBelow(atMain: number, limit?: number): string[] {
    return this.log.purgeBelow(atMain, limit);
  }

  /** A hash of every projection's state: equal states, equal hashes. */
  hash(): string {
    return stateHash(this.state.projections);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.wal?.close();
  }

  private control(): ControlState {
    const control = findProjection(this.state.projections, ControlState);
    assert.ok(control !== undefined, 'the projection set has a ControlState');
    return control;
  }

  private async commitNow(events: readonly ElavaEvent[], timeMs: number): Promise<CommitPlacement> {
    this.inFlight++;
    try {
      const placement = await this.log.append({ timeMs, events });
      this.apply(events, placement, timeMs);
      return placement;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.drained.splice(0)) wake();
    }
  }

  private apply(events: readonly ElavaEvent[], placement: CommitPlacement, timeMs: number): void {
    assert.equal(placement.offsetsBytes.length, events.length + 1, 'one offset per event, then the commit record');
    const projections = this.state.projections;
    for (let sub = 0; sub < events.length; sub++) {
      const event: LogEvent = {
        kind: 'event',
        main: placement.main,
        sub,
        timeMs,
        payload: events[sub],
        location: { segment: placement.segment, offsetBytes: placement.offsetsBytes[sub] as number },
      };
      for (let i = 0; i < projections.length; i++) (projections[i] as Projection).apply(event);
    }
  }
}

function writerOptions(dir: string, options: StoreOptions): WalOptions {
  const wfs = options.fs ?? nodeFileSystem;
  return {
    dir,
    create: options.create ?? false,
    knownDurableMain: floorOrZero(wfs, dir),
    // Each change event's key and kind go into its frame, readable without its payload.
    eventKey: eventFrameKey,
    eventTag: eventFrameTag,
    ...(options.segmentSizeBytes !== undefined ? { segmentSizeBytes: options.segmentSizeBytes } : {}),
    ...(options.fsyncWarnMs !== undefined ? { fsyncWarnMs: options.fsyncWarnMs } : {}),
    ...(options.brokenCopiesKept !== undefined ? { brokenCopiesKept: options.brokenCopiesKept } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    fs: wfs,
  };
}

/** The checkpoint floor of an existing directory; 0 when it does not exist yet. */
function floorOrZero(wfs: WalFileSystem, dir: string): number {
  try {
    return checkpointFloorMain(wfs, dir);
  } catch {
    return 0; // a missing or unreadable directory: Wal.begin reports it properly
  }
}
