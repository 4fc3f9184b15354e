/**
 * Recovery: the projections as of the end of the log, as fast as the files allow.
 *
 *   1. Checkpoints are tried newest first. One is used when it is readable (header, CRC,
 *      body), its marker is durable in the log, and the log still holds everything after
 *      it. A damaged one is set aside (`.broken`, warning) and the next older one tried; one
 *      whose marker never made it (a crash between writing it and its marker) is ignored.
 *   2. Each projection whose name and version match the checkpoint's is restored from it;
 *      any other (a new or upgraded projection) is rebuilt by replaying the whole kept
 *      history up to the checkpoint first.
 *   3. The log after the checkpoint (the tail) is replayed into all of them, streaming.
 *   Without a usable checkpoint everything is replayed from the start of the kept history.
 *
 * Memory is bounded by the projections: entries stream from the reader and are dropped.
 * A compaction scheduled and not finished is reported (`pendingCompactionMain`) for the
 * writer to resume. Read-only mode renames nothing and takes no lock (queries, verify).
 */
import type { Logger } from 'pino';
import { REPLAY_PROGRESS_EVERY_EVENTS, REPLAY_YIELD_EVERY_EVENTS } from '../limits.js';
import { builtInProjections, findProjection } from '../projection/builtins.js';
import { ControlState } from '../projection/control-state.js';
import { CurrentState } from '../projection/current-state.js';
import { Counts } from '../projection/counts.js';
import { KeyIndexProjection } from '../projection/key-index-projection.js';
import { isProjectionError } from '../projection/errors.js';
import type { Projection } from '../projection/projection.js';
import { replayYielding, type ReplayProgress } from '../projection/replay.js';
import { partRestorer } from '../projection/snapshot-parts.js';
import { ascendingKeys, ownKey } from '../projection/canonical-keys.js';
import type { StructureTable } from '../wal/codec.js';
import type { LogEntry, RecordLocation } from '../wal/types.js';
import { nodeFileSystem, type WalFileSystem } from '../wal/file-system.js';
import type { LogDamage } from '../wal/damage.js';
import { PointReader } from '../wal/read-at.js';
import { LogReader } from '../wal/reader.js';
import type { LoadedCheckpoint } from '../checkpoint/checkpoint-body.js';
import { listCheckpoints, type CheckpointName } from '../checkpoint/checkpoint-name.js';
import { SnapshotError } from '../checkpoint/errors.js';
import { findBase, historyEntries, markerDurable, type BaseSource } from './replayable-history.js';
import { loadCheckpoint, setAside, type LoadContext } from '../checkpoint/load-checkpoint.js';
import { bytesBefore, logLayout, totalBytes, type LogLayout } from './log-layout.js';

export interface RecoveryProgress {
  /**
   * 'history': rebuilding projections from the start; 'tail': replaying after the
   * checkpoint; 'records': reading back the live records a history replay passed over
   * (events = records read); 'checkpoint': restoring projections from a checkpoint
   * (events = parts restored, bytes = of the checkpoint file).
   */
  phase: 'checkpoint' | 'history' | 'tail' | 'records';
  events: number;
  main: number;
  /** Log bytes behind the latest event, and the log's size (for percent and ETA). */
  bytesDone: number;
  bytesTotal: number;
}

export interface RecoverOptions {
  /** Makes a fresh projection set; default builtInProjections(). A ControlState is added if missing. */
  projections?: () => Projection[];
  logger?: Logger;
  onProgress?: (progress: RecoveryProgress) => void;
  /** Rename nothing (damaged checkpoints are only skipped). Default false. */
  readOnly?: boolean;
  /**
   * Queries about one resource key (read-only): of a checkpoint's projections whose parts
   * are key ranges, only the part that can hold this key is restored. The projections
   * given must then keep only this key exact (KeyIndexProjection's `onlyKey`); any other
   * key's state is left behind.
   */
  onlyKey?: string;
  /** Where the log segments are; default `dir`. */
  logDir?: string;
  fs?: WalFileSystem;
  /**
   * Makes the reader of the final pass (the one that reads to the log's end). The writer
   * passes its opening's reader, so that verification and replay are one read of the log.
   */
  finalReader?: (fromMain: number, payloads: 'eager' | 'on-demand') => LogReader;
}

export interface RecoveryStats {
  /** The checkpoint used, or null for a replay from the start. */
  checkpoint: string | null;
  checkpointCoversMain: number | null;
  /** Events replayed after the checkpoint (or in all, without one). */
  eventsReplayed: number;
  /** Events replayed to rebuild projections the checkpoint could not restore. */
  historyEventsReplayed: number;
  rebuiltProjections: string[];
  brokenCheckpoints: string[];
  ignoredCheckpoints: string[];
  /** Read-only recovery only: the damage the log was read up to (null: none). */
  damage: LogDamage | null;
  ms: number;
}

export interface RecoveredState {
  projections: Projection[];
  /** The last whole commit in the log. */
  lastMain: number;
  structures: StructureTable;
  /** A compaction scheduled and not finished (resume it), or null. */
  pendingCompactionMain: number | null;
  stats: RecoveryStats;
  /** The reader that read to the log's end (drained): where a writer continues. */
  reader: LogReader;
}

export function recoverState(dir: string, options: RecoverOptions = {}): Promise<RecoveredState> {
  return recoverWith(dir, options, () => true);
}

/** Which checkpoints a recovery may use (rebuild allows only the compaction base). */
export type CheckpointFilter = (c: CheckpointName, layout: LogLayout, ctx: LoadContext) => boolean;

export async function recoverWith(dir: string, options: RecoverOptions, usable: CheckpointFilter): Promise<RecoveredState> {
  const started = performance.now();
  const wfs = options.fs ?? nodeFileSystem;
  const layout = logLayout(wfs, options.logDir ?? dir, options.readOnly ? 'stop' : 'throw');
  const ctx: LoadContext = { dir, wfs, readOnly: options.readOnly ?? false, logger: options.logger, broken: [] };
  const run = new Recovery(options, layout, ctx);
  for (const c of listCheckpoints(wfs, dir)) {
    if (c.coversMain < layout.minCoversMain) {
      run.ignored.push(c.name);
      continue;
    }
    if (!usable(c, layout, ctx)) continue;
    const loaded = loadCheckpoint(ctx, c.name);
    if (loaded === null) continue;
    let state: Replayed | null = null;
    try {
      if (!markerDurable(layout, c.name, c.coversMain, wfs)) {
        run.ignored.push(c.name);
        options.logger?.warn({ file: c.name, coversMain: c.coversMain }, 'checkpoint has no durable marker in the log (crash before its marker?); ignored');
        continue;
      }
      state = await run.fromCheckpoint(loaded);
    } finally {
      loaded.close();
    }
    if (state !== null) return await run.finish(state, started);
  }
  return await run.finish(await run.fromScratch(), started);
}

interface Replayed {
  projections: Projection[];
  checkpoint: string | null;
  coversMain: number | null;
  structures: StructureTable;
  lastMain: number;
  reader: LogReader;
}

class Recovery {
  readonly ignored: string[] = [];
  private events = 0;
  private historyEvents = 0;
  private rebuilt: string[] = [];
  private base: BaseSource | null | undefined;
  private damage: LogDamage | null = null;

  constructor(
    private readonly options: RecoverOptions,
    private readonly layout: LogLayout,
    private readonly ctx: LoadContext,
  ) {}

  /** Restore + tail; null when the checkpoint turns out unusable (it is then set aside). */
  async fromCheckpoint(loaded: LoadedCheckpoint): Promise<Replayed | null> {
    const { body, name: file } = loaded;
    const projections = this.fresh();
    let stale: Projection[];
    try {
      stale = await this.restoreMatching(projections, loaded);
    } catch (err) {
      if (!(err instanceof SnapshotError) || err.code === 'SNAPSHOT_IO') throw err;
      setAside(this.ctx, file, err);
      return null;
    }
    if (stale.length > 0) {
      const base = this.layout.prefixDeleted ? this.findBase() : null;
      if (base !== null && base.atMain > body.coversMain) {
        this.ignored.push(file); // older than the base: its projections cannot be rebuilt up to it
        return null;
      }
      await this.replayHistory(stale, body.coversMain);
    }
    const reader = this.reader(body.coversMain + 1, true);
    const result = await replayYielding(reader.entries(), projections, { afterMain: body.coversMain, ...this.progress('tail') });
    this.events = result.events;
    this.damage = reader.tail.damage;
    const structures = reader.structures.length >= body.structures.length ? reader.structures : body.structures;
    const lastMain = Math.max(reader.tail.lastMain, body.coversMain);
    return { projections, checkpoint: file, coversMain: body.coversMain, structures, lastMain, reader };
  }

  async fromScratch(): Promise<Replayed> {
    const projections = this.fresh();
    const history = await this.replayHistory(projections, Number.MAX_SAFE_INTEGER);
    this.events = this.historyEvents;
    this.historyEvents = 0;
    return { projections, checkpoint: null, coversMain: null, ...history };
  }

  async finish(r: Replayed, started: number): Promise<RecoveredState> {
    await this.resolveDeferred(r);
    const control = findProjection(r.projections, ControlState) as ControlState;
    const stats: RecoveryStats = {
      checkpoint: r.checkpoint,
      checkpointCoversMain: r.coversMain,
      eventsReplayed: this.events,
      historyEventsReplayed: this.historyEvents,
      rebuiltProjections: this.rebuilt,
      brokenCheckpoints: this.ctx.broken,
      ignoredCheckpoints: this.ignored,
      damage: this.damage,
      ms: performance.now() - started,
    };
    this.options.logger?.info({ ...stats }, 'state recovered');
    return {
      projections: r.projections, lastMain: r.lastMain, structures: r.structures,
      pendingCompactionMain: control.pendingCompaction(), stats, reader: r.reader,
    };
  }

  private fresh(): Projection[] {
    const projections = (this.options.projections ?? builtInProjections)();
    if (findProjection(projections, ControlState) === undefined) projections.push(new ControlState());
    return projections;
  }

  /**
   * The current state's records, read back from the log once replay is over (see
   * deferRecords): in log order, in batches that give the event loop a turn as replay does,
   * reported as the `records` phase (records read, and how far into the log they are).
   */
  private async resolveDeferred(r: Replayed): Promise<void> {
    const points = new PointReader(this.layout.logDir, { fs: this.ctx.wfs, structures: r.structures });
    const onProgress = this.options.onProgress;
    const total = onProgress === undefined ? 0 : totalBytes(this.layout);
    const readAll = async (locations: readonly RecordLocation[]): Promise<unknown[]> => {
      const payloads = new Array<unknown>(locations.length);
      for (let from = 0; from < locations.length; from += REPLAY_YIELD_EVERY_EVENTS) {
        const to = Math.min(locations.length, from + REPLAY_YIELD_EVERY_EVENTS);
        points.batch(() => {
          for (let i = from; i < to; i++) payloads[i] = points.read(locations[i] as RecordLocation);
        });
        const last = locations[to - 1] as RecordLocation;
        if (onProgress !== undefined && (to % REPLAY_PROGRESS_EVERY_EVENTS < REPLAY_YIELD_EVERY_EVENTS || to === locations.length)) {
          onProgress({ phase: 'records', events: to, main: r.lastMain, bytesTotal: total, bytesDone: bytesBefore(this.layout, last.segment, last.offsetBytes) });
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return payloads;
    };
    try {
      const current = findProjection(r.projections, CurrentState);
      await current?.resolveDeferred(readAll);
      // The counts waited for the live records too (replayHistory: deferBuckets).
      if (current !== undefined) findProjection(r.projections, Counts)?.resolveBuckets(current.values());
    } finally {
      points.close();
    }
  }

  /**
   * Restores every projection whose name and version match from `loaded`, part by part,
   * giving the event loop a turn between parts and reporting the `checkpoint` phase (parts
   * restored; bytes of the checkpoint file behind them). The key index goes first, and the
   * others take its key strings (canonical-keys.ts). Returns the projections it could not
   * restore (new or upgraded: rebuilt by replay).
   */
  private async restoreMatching(projections: readonly Projection[], loaded: LoadedCheckpoint): Promise<Projection[]> {
    const stale: Projection[] = [];
    const onProgress = this.options.onProgress;
    const keyIndex = findProjection(projections, KeyIndexProjection);
    const ordered: readonly Projection[] = keyIndex === undefined ? projections : [keyIndex, ...projections.filter((p) => p !== keyIndex)];
    const onlyKey = this.options.onlyKey;
    let parts = 0;
    const cannot = (p: Projection): boolean => {
      const saved = loaded.body.projections.find((s) => s.name === p.name);
      return saved === undefined || saved.version !== p.version;
    };
    // A projection kept by another's key slots is rebuilt with it (both, when either cannot
    // be restored), and so is every other one kept by the same slots: to a fixed point.
    const rebuilt = new Set(ordered.filter(cannot));
    for (let grew = true; grew;) {
      grew = false;
      for (const p of ordered) {
        const by = p.keyedBy;
        if (by === undefined || !ordered.includes(by) || rebuilt.has(p) === rebuilt.has(by)) continue;
        rebuilt.add(p);
        rebuilt.add(by);
        grew = true;
      }
    }
    for (const p of ordered) {
      const saved = loaded.body.projections.find((s) => s.name === p.name);
      if (saved === undefined || rebuilt.has(p)) {
        stale.push(p);
        continue;
      }
      try {
        const keys = keyIndex === undefined || p === keyIndex || stale.includes(keyIndex) ? null : keyIndex.index;
        const restorer = partRestorer(p, keys === null ? ownKey : ascendingKeys(keys.keys()));
        let n = 0;
        for (const part of onlyKey === undefined ? loaded.parts(saved) : loaded.partsFor(saved, onlyKey)) {
          restorer.add(part);
          parts++;
          onProgress?.({ phase: 'checkpoint', events: parts, main: loaded.body.coversMain, bytesDone: loaded.bytesBefore(saved, ++n), bytesTotal: loaded.sizeBytes });
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        restorer.finish();
      } catch (err) {
        if (!isProjectionError(err, 'PROJECTION_BAD_SNAPSHOT')) throw err;
        throw new SnapshotError('SNAPSHOT_BAD_BODY', `projection ${p.name}: ${err.message}`, { file: loaded.name, cause: err });
      }
    }
    return stale;
  }

  private findBase(): BaseSource | null {
    if (this.base === undefined) this.base = findBase(this.ctx, this.layout);
    return this.base;
  }

  /** Replays the kept history into `projections` up to `untilMain` (the log's end: final). */
  private async replayHistory(
    projections: Projection[], untilMain: number,
  ): Promise<{ structures: StructureTable; lastMain: number; reader: LogReader }> {
    const base = this.layout.prefixDeleted ? this.findBase() : null;
    const final = untilMain === Number.MAX_SAFE_INTEGER;
    // A history replay hands the current state every revision of every key: it keeps where
    // each last one is and reads those back at the end (finish). Not a compaction base's
    // events: they come from the checkpoint, and their locations may be in segments deleted
    // since. (A checkpoint's tail holds about one revision per key it touches, so there the
    // records are kept as they come.)
    const current = findProjection(projections, CurrentState);
    // From the start, beside the key index (exact: not kept for one key), the current state
    // keeps nothing: the index has each live key's last location.
    const keyIndex = this.options.onlyKey === undefined ? findProjection(projections, KeyIndexProjection) : undefined;
    // From the start, the counts wait for the live records as the current state does; then
    // no projection reads a change's payload (its frame names it, format 2), and payloads are
    // decoded only when read. Counts that cannot wait (no current state here) need them all.
    const counts = findProjection(projections, Counts);
    const deferCounts = base === null && current !== undefined && counts !== undefined;
    const payloads = base === null && (counts === undefined || deferCounts) ? 'on-demand' : 'eager';
    const { entries, reader } = historyEntries(this.layout, base, (fromMain) => this.reader(fromMain, final, payloads));
    let replayed = entries;
    if (current !== undefined) {
      if (base === null) current.deferRecords(keyIndex);
      else replayed = deferringFrom(entries, base.atMain + 1, current);
    }
    if (deferCounts) counts.deferBuckets();
    const result = await replayYielding(replayed, projections, { untilMain, ...this.progress('history') });
    this.historyEvents = result.events;
    this.damage ??= reader.tail.damage;
    if (untilMain !== Number.MAX_SAFE_INTEGER) this.rebuilt = projections.map((p) => p.name);
    const baseStructures = base?.body.structures ?? [];
    const structures = reader.structures.length >= baseStructures.length ? reader.structures : baseStructures;
    return { structures, lastMain: Math.max(reader.tail.lastMain, result.lastMain, base?.atMain ?? 0), reader };
  }

  /** A reader from `fromMain`; the final pass's comes from the caller (the writer's open). */
  private reader(fromMain: number, final: boolean, payloads: 'eager' | 'on-demand' = 'eager'): LogReader {
    if (final && this.options.finalReader !== undefined) return this.options.finalReader(fromMain, payloads);
    return new LogReader(this.layout.logDir, { fs: this.ctx.wfs, fromMain, onDamage: this.layout.onDamage, payloads });
  }

  private progress(phase: RecoveryProgress['phase']): {
    onProgress?: (p: ReplayProgress) => void; progressEveryEvents: number; yieldEveryEvents: number;
  } {
    const onProgress = this.options.onProgress;
    const yieldEveryEvents = REPLAY_YIELD_EVERY_EVENTS;
    if (onProgress === undefined) return { progressEveryEvents: Number.MAX_SAFE_INTEGER, yieldEveryEvents };
    const total = totalBytes(this.layout);
    return {
      progressEveryEvents: REPLAY_PROGRESS_EVERY_EVENTS,
      yieldEveryEvents,
      onProgress: (p) =>
        onProgress({ phase, events: p.events, main: p.main, bytesTotal: total, bytesDone: p.location ? bytesBefore(this.layout, p.location.segment, p.location.offsetBytes) : 0 }),
    };
  }
}

/** `entries`, with the current state deferring its records from the first entry at `fromMain` on. */
function* deferringFrom(entries: Iterable<LogEntry>, fromMain: number, current: CurrentState): Generator<LogEntry> {
  let deferring = false;
  for (const entry of entries) {
    if (!deferring && entry.main >= fromMain) {
      current.deferRecords();
      deferring = true;
    }
    yield entry;
  }
}
