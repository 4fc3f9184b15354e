/**
 * The aggregator's write path, in one place: open the aggregator's own data directory (the
 * writer lock, recovery of the projections from checkpoint + tail, a resumed compaction),
 * commit source commits as local commits, and say which (source, revision) pairs are
 * already applied. It is wired the way the daemon wires its log and projections today
 * (src/daemon/daemon.ts, cycle.ts, open-log.ts, recover.ts); when the log gets one owner of
 * its write side (a Store), only this file changes.
 *
 * Invariant: a source commit is applied at most once. `lastSourceMain(S)` comes from the
 * `sources` projection, which is folded from the log itself, so it holds across restarts;
 * commits handed to `commit()` in one call share one fdatasync (the log's group commit) and
 * are applied to the projections in order, only once durable.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { resumeCompaction } from '../store/compaction.js';
import { applyCommit } from '../daemon/cycle.js';
import { logOpenError } from '../daemon/open-log.js';
import { recoverProjections } from '../daemon/recover.js';
import { BROKEN_COPIES_KEPT, FSYNC_WARN_MS } from '../limits.js';
import type { ElavaEvent, SourceCommit } from '../model/events.js';
import { findProjection } from '../projection/builtins.js';
import type { Projection } from '../projection/projection.js';
import { Sources } from '../projection/sources.js';
import { checkpointFloorMain } from '../checkpoint/checkpoint-name.js';
import { CheckpointPolicy } from '../checkpoint/checkpoint-policy.js';
import { takeCheckpoint } from '../store/take-checkpoint.js';
import { nodeFileSystem } from '../wal/file-system.js';
import { Wal } from '../wal/wal.js';
import { FaninError } from './errors.js';

export interface AggregateLogOptions {
  logger: Logger;
  /** Create the directory (0700) when missing; its parent must exist. */
  create: boolean;
  checkpointEveryEvents?: number;
  segmentSizeBytes?: number;
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
    readonly wal: Wal,
    readonly projections: Projection[],
    readonly sources: Sources,
    private readonly options: AggregateLogOptions,
  ) {
    this.policy = new CheckpointPolicy(options.checkpointEveryEvents !== undefined ? { everyEvents: options.checkpointEveryEvents } : {});
  }

  /** Throws DaemonError (lock held, damage, no directory) or FaninError. */
  static async open(dir: string, options: AggregateLogOptions): Promise<AggregateLog> {
    if (options.create && !fs.existsSync(dir)) {
      const parent = path.dirname(path.resolve(dir));
      if (!fs.existsSync(parent)) throw new FaninError('FANIN_CONFIG', `data directory ${dir}: its parent ${parent} does not exist`);
    }
    let wal: Wal;
    try {
      wal = Wal.open({
        dir, create: options.create, knownDurableMain: checkpointFloorMain(nodeFileSystem, dir),
        fsyncWarnMs: FSYNC_WARN_MS, brokenCopiesKept: BROKEN_COPIES_KEPT, logger: options.logger,
        ...(options.segmentSizeBytes !== undefined ? { segmentSizeBytes: options.segmentSizeBytes } : {}),
      });
    } catch (err) {
      throw logOpenError(dir, err, ' (one aggregator per data directory)');
    }
    try {
      const recovered = recoverProjections(dir, options.logger);
      if (recovered.pendingCompactionMain !== null) await resumeCompaction(wal, recovered.projections, dir, { logger: options.logger });
      const sources = findProjection(recovered.projections, Sources);
      if (sources === undefined) throw new Error('the built-in projections include Sources');
      return new AggregateLog(dir, wal, recovered.projections, sources, options);
    } catch (err) {
      await wal.close().catch(() => undefined);
      throw err;
    }
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
  async commit(commits: readonly LocalCommit[], timeMs: number): Promise<number[]> {
    const appends = commits.map((c) => {
      const events: ElavaEvent[] = [c.marker, ...c.events];
      return { events, done: this.wal.append({ main: this.wal.nextMain, timeMs, events }) };
    });
    const mains: number[] = [];
    for (const a of appends) {
      let placement;
      try {
        placement = await a.done;
      } catch (err) {
        throw new FaninError('FANIN_LOG', `cannot append to the aggregate log in ${this.dir}: ${(err as Error).message}`, { cause: err });
      }
      applyCommit(this.projections, a.events, placement, timeMs);
      mains.push(placement.main);
    }
    if (this.policy.isDue(this.wal.stats())) await this.checkpoint('policy');
    return mains;
  }

  /** Checkpoints if anything was written since the last one, then closes the log. */
  async close(): Promise<void> {
    if (!this.wal.isFenced && this.wal.stats().eventsAppended > this.eventsAtCheckpoint) {
      await this.checkpoint('shutdown').catch((err: unknown) => this.options.logger.error({ err }, 'shutdown checkpoint failed; the next start replays more of the log'));
    }
    await this.wal.close();
  }

  private async checkpoint(reason: 'policy' | 'shutdown'): Promise<void> {
    await takeCheckpoint(this.wal, this.projections, this.dir, { reason, logger: this.options.logger });
    const stats = this.wal.stats();
    this.policy.checkpointTaken(stats);
    this.eventsAtCheckpoint = stats.eventsAppended;
  }
}
