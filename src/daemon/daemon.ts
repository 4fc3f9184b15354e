/**
 * The daemon: one writer on one data directory.
 *
 *   open:  start HTTP first (/healthz 200, /readyz 503 with phase, percent and ETA), then
 *          open the Store: the writer lock (a second daemon gets DATA_DIR_LOCKED naming the
 *          holder) and recovery (checkpoint + tail, one read of the log, yielding to the
 *          event loop so HTTP keeps answering), then ready; then the query socket
 *          (query-socket.ts), where `elava list|get|...` ask this daemon's live state.
 *   run:   cycles on the interval (+ jitter), one at a time: a cycle that overruns the
 *          interval delays the next, it never overlaps it. `once` runs a single cycle.
 *          A cycle is numbered by the revision it commits as (the one after the Store's last),
 *          so numbers continue across restarts and name the revision queries show;
 *          checkpoint, compaction and retention markers take revisions too, so they skip.
 *   stop:  requestStop() stops scheduling and aborts the listing in flight; the aborted
 *          cycle commits nothing; close() then takes a checkpoint (if anything was written
 *          since the last), closes the query socket, the HTTP server and the log.
 *
 * With [aggregate] the daemon scans nothing: the aggregator (src/fanin/aggregator.ts)
 * consumes the fan-in stream into this Store from this process, each of its commit
 * groups inside exclusively(), and run() applies retention on the interval instead of
 * cycles. A failure the aggregator cannot mend (the log refusing an append, an unusable
 * stream) stops the daemon: run() throws it.
 *
 * Tests drive `runCycle()` directly, N times, advancing the simulated cloud in between.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { CheckpointPolicy } from '../checkpoint/checkpoint-policy.js';
import { REPLAY_PROGRESS_EVERY_MS } from '../limits.js';
import { findProjection } from '../projection/builtins.js';
import { Counts } from '../projection/counts.js';
import type { Projection } from '../projection/projection.js';
import { WithheldDisappearances } from '../projection/withheld.js';
import { isSnapshotError } from '../checkpoint/errors.js';
import { isMvccError } from '../mvcc/errors.js';
import type { RecoveryProgress } from '../store/recover.js';
import { applyRetention } from '../store/retention-policy.js';
import type { Store } from '../store/store.js';
import type { CheckpointReason } from '../store/take-checkpoint.js';
import type { StructureTable } from '../wal/codec.js';
import type { WalFileSystem } from '../wal/file-system.js';
import type { Wal } from '../wal/wal.js';
import type { Aggregator } from '../fanin/aggregator.js';
import type { DaemonConfig } from './config.js';
import type { AggregateConfig } from './config-fanin.js';
import { runCycle, type CycleContext, type CycleReport } from './cycle.js';
import { DaemonError } from './errors.js';
import { startHttpServer, type HttpServer, type JsonAnswer } from './http-server.js';
import { ConsoleFiles } from '../console/static-files.js';
import { CycleHistory, healthReport } from './health.js';
import { compactTarget } from './compact-target.js';
import { removeAdminAddress, writeAdminAddress } from './admin-address.js';
import { DaemonMetrics } from './metrics.js';
import { HeapSettlePolicy, settleHeap } from './heap-settle.js';
import { openStore } from './open-store.js';
import { startQuerySocket, type QuerySocket } from './query-socket.js';
import { registerQuerySocketMetrics } from './query-socket-metrics.js';
import { SocketAnswers } from './socket-answers.js';
import { elavaVersion } from '../version.js';
import { queryEndpoints, type QueryEndpoints } from './http-query.js';
import type { ScanSetup } from './scan-setup.js';
import { currentStateView, detectOptions } from './scope-view.js';
import { ListingMemory } from '../changes/listing-memory.js';
import { pooledListingBytes } from '../model/listing-bytes.js';
import { StartupProgress } from './startup-progress.js';

export interface DaemonOptions {
  config: DaemonConfig;
  scan: ScanSetup;
  logger: Logger;
  /** Create the data directory (0700) when missing, even if configured explicitly. */
  create?: boolean;
  /** Called before each scheduled cycle (simulate mode advances the simulated cloud). */
  beforeCycle?: (cycle: number) => void;
  /** Node process metrics on /metrics (default true). */
  processMetrics?: boolean;
  segmentSizeBytes?: number;
  /** The log's file-system seam, for fault-injection tests. */
  walFs?: WalFileSystem;
  /** Events applied between two heap settlings at least (default HEAP_SETTLE_EVENTS_MIN; tests set it low). */
  heapSettleEventsMin?: number;
  /**
   * false: the heap is never settled (`elava daemon --once`: it exits after one cycle, and
   * a settling would only delay that by its seconds at a million resources). Default true.
   */
  settleHeap?: boolean;
}

export class Daemon {
  readonly config: DaemonConfig;
  readonly metrics: DaemonMetrics;
  private store: Store | null = null;
  private readonly startup = new StartupProgress();
  private http: HttpServer | null = null;
  private readonly queries: QueryEndpoints;
  /** The query commands' answers through the socket; the socket itself once ready (null: none). */
  private readonly socketAnswers: SocketAnswers;
  private querySocket: QuerySocket | null = null;
  /** The newest cycles of this process, for /v1/health. */
  private readonly cycleHistory = new CycleHistory();
  /** Each scope's last listing, from one cycle's detection to the next (ListingMemory). */
  private readonly listings = new ListingMemory();
  private readonly consoleFiles = new ConsoleFiles();
  private ready = false;
  private cycles = 0;
  private running: Promise<CycleReport> | null = null;
  /** Settles when the cycle or maintenance now running is done (see exclusively()). */
  private turn: Promise<void> = Promise.resolve();
  private inFlight: AbortController | null = null;
  private readonly stopping = new AbortController();
  private readonly policy: CheckpointPolicy;
  private readonly heapPolicy: HeapSettlePolicy;
  private eventsAtCheckpoint = 0;
  private closed = false;
  /** Set after a refused append: nothing more is written, not even a shutdown checkpoint. */
  private failed = false;
  /** The in-process forwarder ([forward]), running until stop; null when off. */
  private forwarding: Promise<void> | null = null;
  /** The in-process aggregator ([aggregate]), running until stop; null when off. */
  private aggregating: Promise<void> | null = null;
  /** Why the aggregator stopped before it was asked to (run() throws it). */
  private aggregateFailure: unknown = null;

  private constructor(private readonly options: DaemonOptions) {
    this.config = options.config;
    this.policy = new CheckpointPolicy({ everyEvents: options.config.checkpointEveryEvents });
    this.heapPolicy = new HeapSettlePolicy(options.heapSettleEventsMin);
    const startedMs = Date.now();
    this.queries = queryEndpoints(options.config.dataDir, () => this.state, () => this.openStore.structures, options.config.prices, () => healthReport({
      dataDir: options.config.dataDir, startedMs, wal: () => this.store?.log ?? null, projections: () => this.state, cycles: () => this.cycleHistory.list(),
    }));
    this.metrics = new DaemonMetrics(
      {
        wal: () => this.store?.log ?? null,
        counts: () => findProjection(this.state, Counts) ?? null,
        withheld: () => findProjection(this.state, WithheldDisappearances)?.size ?? 0,
        waste: () => this.queries.wasteTotals(),
        detectionMemoryBytes: () => this.listings.heldBytes + pooledListingBytes(),
      },
      { processMetrics: options.processMetrics ?? true },
    );
    this.socketAnswers = new SocketAnswers(options.config.dataDir, () => this.state, () => this.openStore.structures, (compute) => this.queries.takeTurn(compute));
    registerQuerySocketMetrics(this.metrics.registry, () => this.querySocket?.stats ?? null);
  }

  /** Opens the log, starts HTTP, recovers. Throws DaemonError; releases what it took. */
  static async open(options: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(options);
    try {
      await d.start();
    } catch (err) {
      await d.release();
      throw err;
    }
    return d;
  }

  private async start(): Promise<void> {
    const { config, logger } = this.options;
    if (config.http.listen !== null) {
      this.http = await startHttpServer(config.http.listen, config.http.token, {
        isReady: () => this.ready,
        startup: () => this.startup.current,
        metrics: () => this.metrics.render(),
        query: (path, params) => this.queries.handle(path, params),
        admin: (path, params) => (this.ready ? this.admin(path, params) : Promise.resolve(null)),
        console: (path) => this.consoleFiles.answer(path),
      }, logger);
      logger.info({ http: this.http.address, auth: config.http.token !== null }, `HTTP listening on ${this.http.address}`);
    }
    this.store = await openStore(config, {
      create: this.options.create ?? false,
      logger,
      onProgress: this.progressLogger(logger),
      ...(this.options.segmentSizeBytes ? { segmentSizeBytes: this.options.segmentSizeBytes } : {}),
      ...(this.options.walFs ? { fs: this.options.walFs } : {}),
    });
    this.policy.countRecoveredTail(this.store.recovery.eventsReplayed);
    this.heapPolicy.countRecoveredTail(this.store.recovery.eventsReplayed);
    this.settleHeapIfDue('recovery');
    if (this.http !== null) writeAdminAddress(config.dataDir, this.http.address);
    this.ready = true;
    this.startup.phase = 'ready';
    // Only now: a CLI asking while the state is recovered finds no socket (or a dead one)
    // and opens the directory read-only, which answers from the log as this daemon will.
    this.querySocket = await startQuerySocket({
      dir: config.dataDir, version: elavaVersion(), logger, answer: (request, io) => this.socketAnswers.answer(request, io),
    });
    if (config.forward !== null) this.forwarding = this.startForwarder(config.forward);
    if (config.aggregate !== null) this.aggregating = this.startAggregator(config.aggregate, await this.openAggregator(config.aggregate));
    const stats = this.store.recovery;
    logger.info({
      revision: this.store.lastMain, live: findProjection(this.state, Counts)?.live ?? 0, checkpoint: stats.checkpoint,
      eventsReplayed: stats.eventsReplayed, ms: Math.round(stats.ms),
    }, 'ready');
  }

  /** Recovery progress to /readyz, and to the log at most once a second. */
  private progressLogger(logger: Logger): (p: RecoveryProgress) => void {
    let lastLogMs = 0;
    return (p) => {
      this.startup.onRecovery(p);
      const now = Date.now();
      if (now - lastLogMs < REPLAY_PROGRESS_EVERY_MS) return;
      lastLogMs = now;
      const s = this.startup.current;
      logger.info({ phase: p.phase, events: p.events, revision: p.main, percent: s.percent, etaSeconds: s.etaSeconds }, 'recovering state from the log');
    };
  }

  get isReady(): boolean {
    return this.ready;
  }

  get httpAddress(): string | null {
    return this.http?.address ?? null;
  }

  /** The Store (open daemons only). */
  get openStore(): Store {
    assert.ok(this.store !== null, 'daemon is open');
    return this.store;
  }

  /** The Store's log (its histograms and counters). */
  get log(): Wal {
    return this.openStore.log;
  }

  structures(): StructureTable {
    return this.openStore.structures;
  }

  /** The live projections (none before the Store is open). */
  get state(): readonly Projection[] {
    return this.store?.projections ?? [];
  }

  /** Cycles run by this process (not the cycle number, which continues from the log). */
  get cycleCount(): number {
    return this.cycles;
  }

  get stopRequested(): boolean {
    return this.stopping.signal.aborted;
  }

  /** One cycle now (never two at once), then a checkpoint if the policy says so. */
  runCycle(): Promise<CycleReport> {
    assert.ok(this.config.aggregate === null, 'an aggregating daemon runs no scan cycles');
    return this.exclusively(() => this.cycleNow());
  }

  /**
   * Runs `fn` when no cycle and no other maintenance runs, and keeps them out until it is
   * done: a cycle is numbered by the revision after the Store's last, so nothing may commit
   * between its start and its commit. Admin compaction and retention go through here.
   */
  private async exclusively<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.turn;
    let done!: () => void;
    this.turn = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      return await fn();
    } finally {
      done();
    }
  }

  private async cycleNow(): Promise<CycleReport> {
    assert.ok(this.running === null, 'cycles never overlap');
    assert.ok(this.ready && !this.closed, 'runCycle on an open, recovered daemon');
    this.inFlight = new AbortController();
    this.cycles++;
    const store = this.openStore;
    const cycle = store.lastMain + 1;
    const ctx: CycleContext = {
      store,
      view: currentStateView(store.projections),
      detect: detectOptions(this.config, store.projections, this.listings),
      scanConfig: this.options.scan.config,
      scanClients: this.options.scan.clients,
      metrics: this.metrics,
      logger: this.options.logger,
    };
    this.running = runCycle(ctx, cycle, this.inFlight.signal);
    try {
      const report = await this.running.catch((err: unknown) => {
        this.failed = true;
        throw err;
      });
      this.cycleHistory.record(report);
      if (!report.aborted) await this.retain();
      if (!report.aborted && this.policy.isDue(store.log.stats())) await this.checkpoint('policy');
      this.settleHeapIfDue('cycles');
      return report;
    } finally {
      this.running = null;
      this.inFlight = null;
    }
  }

  /**
   * Cycles until requestStop() (or one, with `once`); returns the last cycle's report (null
   * when stopped before any). Throws DaemonError on a fatal error.
   */
  async run(options: { once?: boolean } = {}): Promise<CycleReport | null> {
    const { config, logger } = this.options;
    if (config.aggregate !== null) {
      assert.ok(!options.once, 'an aggregating daemon runs no cycle to run once');
      await this.runAggregating();
      return null;
    }
    let last: CycleReport | null = null;
    while (!this.stopRequested) {
      const startedMs = Date.now();
      this.options.beforeCycle?.(this.cycles + 1);
      last = await this.runCycle();
      if (options.once || this.stopRequested) return last;
      const elapsedMs = Date.now() - startedMs;
      if (elapsedMs > config.intervalMs) logger.warn({ elapsedMs, intervalMs: config.intervalMs }, 'cycle took longer than the interval; the next starts now');
      const waitMs = Math.max(0, config.intervalMs - elapsedMs) + Math.floor(Math.random() * (config.jitterMs + 1));
      try {
        await sleep(waitMs, undefined, { signal: this.stopping.signal });
      } catch {
        return last; // stop requested while waiting
      }
    }
    return last;
  }

  /** Stops scheduling and aborts the cycle in flight (which then commits nothing). */
  requestStop(reason: string): void {
    if (this.stopRequested) return;
    this.options.logger.info({ reason, cycleInFlight: this.running !== null }, 'stopping: no new cycles; aborting the listing in flight');
    this.stopping.abort();
    this.inFlight?.abort();
  }

  /**
   * Fan-in from this process: the forwarder tails the log this daemon writes and publishes
   * it (src/fanin/forwarder.ts). It only reads the log, so a cycle never waits for it; its
   * failures are logged and never stop the daemon. Loaded only when configured: the
   * daemon's own work needs no NATS.
   */
  private async startForwarder(forward: NonNullable<DaemonConfig['forward']>): Promise<void> {
    const logger = this.options.logger.child({ component: 'forward' });
    try {
      const { Forwarder } = await import('../fanin/forwarder.js');
      const forwarder = Forwarder.open({
        dir: this.config.dataDir, nats: forward.nats, logger, registry: this.metrics.registry, inFlightMax: forward.inFlightMax,
      });
      await forwarder.run(this.stopping.signal);
    } catch (err) {
      logger.error({ err: { code: (err as { code?: unknown }).code, message: (err as Error).message } }, 'the forwarder stopped; the daemon goes on (events wait in the log; restart to forward them)');
    }
  }

  /** The aggregator over this daemon's Store; its commits take turns with retention and compaction. */
  private async openAggregator(aggregate: AggregateConfig): Promise<Aggregator> {
    const { Aggregator } = await import('../fanin/aggregator.js'); // NATS only when configured
    return Aggregator.over(this.openStore, {
      exclusively: (fn) => this.exclusively(fn),
      afterCommit: () => this.checkpointIfDue(),
    }, {
      nats: aggregate.nats, durable: aggregate.durable, ackWaitMs: aggregate.ackWaitMs,
      logger: this.options.logger.child({ component: 'aggregate' }), registry: this.metrics.registry,
    });
  }

  /** Runs the aggregator until stop; a failure it cannot mend stops the daemon. */
  private async startAggregator(aggregate: AggregateConfig, aggregator: Aggregator): Promise<void> {
    try {
      await aggregator.run(this.stopping.signal);
    } catch (err) {
      this.aggregateFailure = err;
      this.options.logger.fatal({ err: { code: (err as { code?: unknown }).code, message: (err as Error).message }, stream: aggregate.nats.stream }, 'the aggregator stopped; the daemon stops');
      this.requestStop('aggregator failed');
    }
  }

  /** [aggregate]: no cycles; retention between the aggregator's commits, on the interval. */
  private async runAggregating(): Promise<void> {
    const { config } = this.options;
    while (!this.stopRequested) {
      const waitMs = config.intervalMs + Math.floor(Math.random() * (config.jitterMs + 1));
      try {
        await sleep(waitMs, undefined, { signal: this.stopping.signal });
      } catch {
        break; // stop requested while waiting
      }
      await this.exclusively(() => this.retain());
    }
    await this.aggregating;
    if (this.aggregateFailure !== null) {
      const err = this.aggregateFailure;
      if ((err as { code?: unknown }).code === 'FANIN_LOG' || this.store?.log.isFenced === true) {
        throw new DaemonError('LOG_APPEND_FAILED', `the aggregate log refused an append: ${(err as Error).message}`, { cause: err });
      }
      throw err;
    }
  }

  /** After a commit of the aggregator's, inside exclusively(): a checkpoint when the policy says so. */
  private async checkpointIfDue(): Promise<void> {
    if (this.policy.isDue(this.openStore.log.stats())) await this.checkpoint('policy');
    this.settleHeapIfDue('aggregated commits');
  }

  /** A compacting GC when enough was applied since the last (heap-settle.ts); logged. */
  private settleHeapIfDue(after: string): void {
    if (this.options.settleHeap === false) return;
    const appended = this.openStore.log.stats().eventsAppended;
    const live = findProjection(this.state, Counts)?.live ?? 0;
    if (!this.heapPolicy.isDue(appended, live)) return;
    const r = settleHeap();
    this.heapPolicy.settled(appended);
    const MiB = 2 ** 20;
    this.options.logger.info({
      after, ms: Math.round(r.ms), live, heapCommittedMiBBefore: Math.round(r.heapTotalBeforeBytes / MiB),
      heapCommittedMiB: Math.round(r.heapTotalAfterBytes / MiB), heapUsedMiB: Math.round(r.heapUsedAfterBytes / MiB),
    }, 'heap compacted: pages left by superseded records given back');
  }

  /** Waits for the cycle in flight, checkpoints if anything is new, closes everything. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.requestStop('close');
    await this.running?.catch(() => undefined);
    await this.aggregating; // its commit in flight finishes, nothing after it is acknowledged
    await this.turn; // an admin compaction in flight finishes first
    const store = this.store;
    const wal = store?.log ?? null;
    if (wal !== null && !this.failed && !wal.isFenced && this.ready && wal.stats().eventsAppended > this.eventsAtCheckpoint) {
      await this.checkpoint('shutdown').catch((err: unknown) => this.options.logger.error({ err }, 'shutdown checkpoint failed; the next start replays more of the log'));
    }
    await this.forwarding; // stopped with the daemon; its cursor is written
    await this.release();
    this.options.logger.info({ revision: store?.lastMain ?? null, cycles: this.cycles }, 'stopped');
  }

  /** The retention policy, between cycles; a failure is logged unless the log is fenced. */
  private async retain(): Promise<void> {
    const store = this.openStore;
    try {
      const outcome = await applyRetention(store, this.config.retention, Date.now());
      if (outcome.downsampled !== null || outcome.compaction !== null) {
        const d = outcome.downsampled;
        this.options.logger.info({
          downsampledFrom: d?.fromMain ?? null, downsampledBefore: d?.beforeMain ?? null, days: d?.dayStartMains.length ?? 0,
          revisionsDropped: outcome.revisionsDropped, compactedAt: outcome.compaction?.atMain ?? null,
          segmentsDeleted: outcome.compaction?.segmentsDeleted.length ?? 0,
        }, 'retention applied: older history kept one revision per resource per day');
      }
    } catch (err) {
      if (store.log.isFenced) throw new DaemonError('LOG_APPEND_FAILED', `retention marker could not be appended: ${(err as Error).message}`, { cause: err });
      this.options.logger.error({ err }, 'retention failed; continuing (it is tried again after the next cycle)');
    }
  }

  /** `POST /v1/admin/compact?before=REV|keep=DURATION`: compaction between cycles. */
  private async admin(path: string, params: URLSearchParams): Promise<JsonAnswer | null> {
    if (path !== '/v1/admin/compact') return null;
    const store = this.openStore;
    const target = compactTarget(params, store);
    if ('error' in target) return { status: 400, body: { error: 'bad-request', message: target.error } };
    if (target.atMain === null) return { status: 200, body: { compacted: false, reason: 'nothing older than the cutoff' } };
    const atMain = target.atMain;
    try {
      const result = await this.exclusively(() => store.compact(atMain));
      this.options.logger.info({ atMain, segmentsDeleted: result.segmentsDeleted.length }, 'compaction done on request');
      return { status: 200, body: { compacted: true, ...result } };
    } catch (err) {
      if (isMvccError(err) || isSnapshotError(err)) return { status: 409, body: { error: err.code, message: err.message } };
      throw err;
    }
  }

  private async checkpoint(reason: CheckpointReason): Promise<void> {
    const store = this.openStore;
    const wal = store.log;
    try {
      await store.checkpoint(reason);
    } catch (err) {
      if (wal.isFenced) throw new DaemonError('LOG_APPEND_FAILED', `checkpoint marker could not be appended: ${(err as Error).message}`, { cause: err });
      this.options.logger.error({ err, reason }, 'checkpoint failed; continuing (recovery replays more of the log)');
      return;
    }
    const stats = wal.stats();
    this.policy.checkpointTaken(stats);
    this.eventsAtCheckpoint = stats.eventsAppended;
  }

  private async release(): Promise<void> {
    this.closed = true;
    this.ready = false;
    await this.querySocket?.close(); // answers in flight finish first: they read the store
    this.querySocket = null;
    this.socketAnswers.close();
    if (this.http !== null && this.store !== null) removeAdminAddress(this.config.dataDir);
    await this.http?.close();
    this.http = null;
    this.queries.close();
    await this.store?.close().catch(() => undefined);
    await this.options.scan.close();
  }
}
