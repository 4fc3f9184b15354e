/**
 * The daemon: one writer on one data directory.
 *
 *   open:  take the log (writer lock; a second daemon gets DATA_DIR_LOCKED naming the
 *          holder), start HTTP (/readyz 503), recover the projections (checkpoint + tail),
 *          then ready.
 *   run:   cycles on the interval (+ jitter), one at a time: a cycle that overruns the
 *          interval delays the next, it never overlaps it. `once` runs a single cycle.
 *          A cycle is numbered by the revision it commits as (the log's next main, which
 *          recovery set from what it read), so numbers continue across restarts and name
 *          the revision queries show; checkpoint markers take revisions too, so they skip.
 *   stop:  requestStop() stops scheduling and aborts the listing in flight; the aborted
 *          cycle commits nothing; close() then takes a checkpoint (if anything was written
 *          since the last), closes the log and the HTTP server.
 *
 * Tests drive `runCycle()` directly, N times, advancing the simulated cloud in between.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { resumeCompaction } from '../store/compaction.js';
import { findProjection } from '../projection/builtins.js';
import { Counts } from '../projection/counts.js';
import type { Projection } from '../projection/projection.js';
import { WithheldDisappearances } from '../projection/withheld.js';
import { CheckpointPolicy } from '../checkpoint/checkpoint-policy.js';
import { takeCheckpoint, type CheckpointReason } from '../store/take-checkpoint.js';
import type { StructureTable } from '../wal/codec.js';
import { Wal } from '../wal/wal.js';
import type { DaemonConfig } from './config.js';
import { runCycle, type CycleContext, type CycleReport } from './cycle.js';
import { DaemonError } from './errors.js';
import { startHttpServer, type HttpServer } from './http-server.js';
import { DaemonMetrics } from './metrics.js';
import { openLog } from './open-log.js';
import { queryEndpoints, type QueryEndpoints } from './http-query.js';
import { recoverProjections } from './recover.js';
import type { ScanSetup } from './scan-setup.js';
import type { WalFileSystem } from '../wal/file-system.js';
import { currentStateView, detectOptions } from './scope-view.js';

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
}

export class Daemon {
  readonly config: DaemonConfig;
  readonly metrics: DaemonMetrics;
  private wal: Wal | null = null;
  private projections: Projection[] = [];
  private http: HttpServer | null = null;
  private readonly queries: QueryEndpoints;
  private ready = false;
  private cycles = 0;
  private running: Promise<CycleReport> | null = null;
  private inFlight: AbortController | null = null;
  private readonly stopping = new AbortController();
  private readonly policy: CheckpointPolicy;
  private eventsAtCheckpoint = 0;
  private closed = false;
  /** Set after a refused append: nothing more is written, not even a shutdown checkpoint. */
  private failed = false;
  /** The in-process forwarder ([forward]), running until stop; null when off. */
  private forwarding: Promise<void> | null = null;

  private constructor(private readonly options: DaemonOptions) {
    this.config = options.config;
    this.policy = new CheckpointPolicy({ everyEvents: options.config.checkpointEveryEvents });
    this.queries = queryEndpoints(options.config.dataDir, () => this.projections, () => this.structures());
    this.metrics = new DaemonMetrics(
      {
        wal: () => this.wal,
        counts: () => findProjection(this.projections, Counts) ?? null,
        withheld: () => findProjection(this.projections, WithheldDisappearances)?.size ?? 0,
      },
      { processMetrics: options.processMetrics ?? true },
    );
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
    this.wal = openLog(config, {
      create: this.options.create ?? false,
      logger,
      ...(this.options.segmentSizeBytes ? { segmentSizeBytes: this.options.segmentSizeBytes } : {}),
      ...(this.options.walFs ? { fs: this.options.walFs } : {}),
    });
    if (config.http.listen !== null) {
      this.http = await startHttpServer(config.http.listen, config.http.token, {
        isReady: () => this.ready,
        metrics: () => this.metrics.render(),
        query: (path, params) => this.queries.handle(path, params),
      }, logger);
      logger.info({ http: this.http.address, auth: config.http.token !== null }, `HTTP listening on ${this.http.address}`);
    }
    const recovered = recoverProjections(config.dataDir, logger);
    if (recovered.lastMain !== this.wal.lastMain) {
      throw new DaemonError('RECOVERY_FAILED', `recovered state ends at revision ${recovered.lastMain} but the log at ${this.wal.lastMain}; run \`elava verify --data-dir ${config.dataDir}\``);
    }
    this.projections = recovered.projections;
    if (recovered.pendingCompactionMain !== null) {
      logger.warn({ atMain: recovered.pendingCompactionMain }, 'a compaction was scheduled and not finished (crash?); finishing it now');
      await resumeCompaction(this.wal, this.projections, config.dataDir, { logger });
    }
    this.ready = true;
    if (config.forward !== null) this.forwarding = this.startForwarder(config.forward);
    logger.info({ revision: this.wal.lastMain, live: findProjection(this.projections, Counts)?.live ?? 0, checkpoint: recovered.stats.checkpoint, eventsReplayed: recovered.stats.eventsReplayed, ms: Math.round(recovered.stats.ms) }, 'ready');
  }

  get isReady(): boolean {
    return this.ready;
  }

  get httpAddress(): string | null {
    return this.http?.address ?? null;
  }

  get log(): Wal {
    assert.ok(this.wal !== null, 'daemon is open');
    return this.wal;
  }

  get state(): readonly Projection[] {
    return this.projections;
  }

  /** Cycles run by this process (not the cycle number, which continues from the log). */
  get cycleCount(): number {
    return this.cycles;
  }

  get stopRequested(): boolean {
    return this.stopping.signal.aborted;
  }

  structures(): StructureTable {
    return this.log.structures;
  }

  /** One cycle now (never two at once), then a checkpoint if the policy says so. */
  async runCycle(): Promise<CycleReport> {
    assert.ok(this.running === null, 'cycles never overlap');
    assert.ok(this.ready && !this.closed, 'runCycle on an open, recovered daemon');
    this.inFlight = new AbortController();
    this.cycles++;
    const cycle = this.log.nextMain;
    const ctx: CycleContext = {
      wal: this.log,
      projections: this.projections,
      view: currentStateView(this.projections),
      detect: detectOptions(this.config, this.projections),
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
      if (!report.aborted && this.policy.isDue(this.log.stats())) await this.checkpoint('policy');
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

  /** Waits for the cycle in flight, checkpoints if anything is new, closes everything. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.requestStop('close');
    await this.running?.catch(() => undefined);
    const wal = this.wal;
    if (wal !== null && !this.failed && !wal.isFenced && this.ready && wal.stats().eventsAppended > this.eventsAtCheckpoint) {
      await this.checkpoint('shutdown').catch((err: unknown) => this.options.logger.error({ err }, 'shutdown checkpoint failed; the next start replays more of the log'));
    }
    await this.forwarding; // stopped with the daemon; its cursor is written
    await this.release();
    this.options.logger.info({ revision: wal?.lastMain ?? null, cycles: this.cycles }, 'stopped');
  }

  private async checkpoint(reason: CheckpointReason): Promise<void> {
    const wal = this.log;
    try {
      await takeCheckpoint(wal, this.projections, this.config.dataDir, { reason, logger: this.options.logger });
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
    await this.http?.close();
    this.http = null;
    this.queries.close();
    await this.wal?.close().catch(() => undefined);
    await this.options.scan.close();
  }
}
