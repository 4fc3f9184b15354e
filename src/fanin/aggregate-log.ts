/**
 * The aggregator's write path, in one place: open the aggregator's own data directory
 * through the Store (the writer lock, recovery of the projections from checkpoint + tail,
 * a resumed compaction) — or, in a daemon with [aggregate], write through the daemon's
 * Store — commit source commits as local commits, and say which (source, revision) pairs
 * are already applied.
 *
 * Who else writes: under `elava aggregate` nothing (the log is its own: checkpoints by its
 * own policy, closed with it). In a daemon the daemon does too (retention, compaction,
 * checkpoints), so each group of commits runs inside the daemon's `exclusively` and the
 * daemon decides about checkpoints (StoreHost).
 *
 * Invariant: a source commit is applied at most once. `lastSourceMain(S)` comes from the
 * `sources` projection, which is folded from the log itself, so it holds across restarts;
 * commits handed to `commit()` in one call share one fdatasync (the log's group commit) and
 * reach the projections in order, only once durable (Store.commit).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { CheckpointPolicy } from '../checkpoint/checkpoint-policy.js';
import { storeOpenError } from '../daemon/open-store.js';
import { BROKEN_COPIES_KEPT, FSYNC_WARN_MS } from '../limits.js';
import type { ElavaEvent, SourceCommit } from '../model/events.js';
import { findProjection } from '../projection/builtins.js';
import type { Projection } from '../projection/projection.js';
import { Sources } from '../projection/sources.js';
import { Store } from '../store/store.js';
import type { Wal } from '../wal/wal.js';
import { FaninError } from './errors.js';

export interface AggregateLogOptions {
  logger: Logger;
  /** Create the directory (0700) when missing; its parent must exist. */
  create: boolean;
  checkpointEveryEvents?: number;
  segmentSizeBytes?: number;
}

/** What a daemon lends the aggregate log that writes through its Store. */
export interface StoreHost {
  /** Runs `fn` with nothing else writing to the Store (no cycle, retention or compaction). */
  exclusively<T>(fn: () => Promise<T>): Promise<T>;
  /** Called inside `exclusively` after each group of commits: checkpoint when due. */
  afterCommit(): Promise<void>;
}

/** One source commit as the aggregator commits it: the marker first, then the events. */
export interface LocalCommit {
  marker: SourceCommit;
  events: readonly ElavaEvent[];
}

export class AggregateLog {
  private readonly policy: CheckpointPolicy;
  private eventsAtCheckpoint = 0;

  private constructor(
    readonly dir: string,
    readonly store: Store,
    readonly sources: Sources,
    private readonly logger: Logger,
    /** The daemon whose Store this is; null: the Store is this log's own. */
    private readonly host: StoreHost | null,
    checkpointEveryEvents: number | undefined,
  ) {
    this.policy = new CheckpointPolicy(checkpointEveryEvents !== undefined ? { everyEvents: checkpointEveryEvents } : {});
    // Over a daemon's Store, the daemon's policy counts the recovered tail.
    if (host === null) this.policy.countRecoveredTail(store.recovery.eventsReplayed);
  }

  /** Throws DaemonError (lock held, damage, no directory) or FaninError. */
  static async open(dir: string, options: AggregateLogOptions): Promise<AggregateLog> {
    if (options.create && !fs.existsSync(dir)) {
      const parent = path.dirname(path.resolve(dir));
      if (!fs.existsSync(parent)) throw new FaninError('FANIN_CONFIG', `data directory ${dir}: its parent ${parent} does not exist`);
    }
    let store: Store;
    try {
      store = await Store.open(dir, {
        create: options.create, fsyncWarnMs: FSYNC_WARN_MS, brokenCopiesKept: BROKEN_COPIES_KEPT, logger: options.logger,
        ...(options.segmentSizeBytes !== undefined ? { segmentSizeBytes: options.segmentSizeBytes } : {}),
      });
    } catch (err) {
      throw storeOpenError(dir, err, ' (one aggregator per data directory)');
    }
    const sources = findProjection(store.projections, Sources);
    if (sources === undefined) {
      await store.close();
      throw new Error('the built-in projections include Sources');
    }
    return new AggregateLog(dir, store, sources, options.logger, null, options.checkpointEveryEvents);
  }

  /** Writes through a daemon's open Store; the daemon checkpoints and closes it. */
  static over(store: Store, host: StoreHost, logger: Logger): AggregateLog {
    const sources = findProjection(store.projections, Sources);
    assert.ok(sources !== undefined, 'the built-in projections include Sources');
    return new AggregateLog(store.dir, store, sources, logger, host, undefined);
  }

  get wal(): Wal {
    return this.store.log;
  }

  get projections(): readonly Projection[] {
    return this.store.projections;
  }

  /** The last revision of `source` this log holds (0: none). */
  lastSourceMain(source: string): number {
    return this.sources.lastSourceMain(source);
  }

  /**
   * Commits each source commit as one local commit, all in one group (one fdatasync), and
   * applies them to the projections in order. Resolves with their local revisions once
   * durable. A refused append is FANIN_LOG and nothing more may be written.
   */
  commit(commits: readonly LocalCommit[], timeMs: number): Promise<number[]> {
    if (this.host === null) return this.commitNow(commits, timeMs);
    const host = this.host;
    return host.exclusively(async () => {
      const mains = await this.commitNow(commits, timeMs);
      await host.afterCommit();
      return mains;
    });
  }

  private async commitNow(commits: readonly LocalCommit[], timeMs: number): Promise<number[]> {
    // Started in one turn: the log writes them with one write and one fdatasync.
    const pending = commits.map((c) => this.store.commit([c.marker, ...c.events] as ElavaEvent[], timeMs));
    const mains: number[] = [];
    for (const p of pending) {
      try {
        mains.push((await p).main);
      } catch (err) {
        await Promise.allSettled(pending);
        throw new FaninError('FANIN_LOG', `cannot append to the aggregate log in ${this.dir}: ${(err as Error).message}`, { cause: err });
      }
    }
    if (this.host === null && this.policy.isDue(this.wal.stats())) await this.checkpoint('policy');
    return mains;
  }

  /**
   * Its own Store: checkpoints if anything was written since the last one, then closes the
   * log. A daemon's: nothing (the daemon checkpoints and closes its Store).
   */
  async close(): Promise<void> {
    if (this.host !== null) return;
    if (!this.wal.isFenced && this.wal.stats().eventsAppended > this.eventsAtCheckpoint) {
      await this.checkpoint('shutdown').catch((err: unknown) => this.logger.error({ err }, 'shutdown checkpoint failed; the next start replays more of the log'));
    }
    await this.store.close();
  }

  private async checkpoint(reason: 'policy' | 'shutdown'): Promise<void> {
    await this.store.checkpoint(reason);
    const stats = this.wal.stats();
    this.policy.checkpointTaken(stats);
    this.eventsAtCheckpoint = stats.eventsAppended;
  }
}
