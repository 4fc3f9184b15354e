/**
 * The daemon's Prometheus metrics, on a registry of its own (so several daemons in one
 * test process do not collide). Gauges that mirror state (log size, live resources,
 * revision) are read at scrape time from their sources; counters and the scan-duration
 * histogram are fed by each cycle (`recordCycle`). Names carry units, Prometheus-style.
 */
import fs from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ScopeScanned } from '../model/events.js';
import type { Counts } from '../projection/counts.js';
import type { ScanResult } from '../model/scope.js';
import type { Wal } from '../wal/wal.js';
import { FsyncHistogram } from '../wal/metrics.js';
import { FsyncDurationMetric } from './fsync-metric.js';
import type { WasteTotals } from '../query/waste-totals.js';

export interface MetricSources {
  wal(): Wal | null;
  counts(): Counts | null;
  /** Disappearances the mass-disappearance guard withholds right now. */
  withheld?(): number;
  /** The waste report's totals per rule (default thresholds, as of now); null: none yet. */
  waste?(): Promise<WasteTotals | null>;
  /** Bytes change detection keeps of the last listings (orders, bytes, proofs, pooled chunks). */
  detectionMemoryBytes?(): number;
}

/** How a cycle's detection found its listed records (ListingMemory.lastDetection). */
export interface DetectionTally {
  sameBytes: number;
  guessed: number;
  lookedUp: number;
}

export interface CycleTally {
  appeared: number;
  changed: number;
  disappeared: number;
}

/** Upper bounds for one scope's listing time: 50 ms .. ~7 min. */
const SCAN_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 420];

/**
 * `elava_waste_resources{rule}` and `elava_waste_monthly_cost_usd{rule}`: the waste report's
 * rows and estimated monthly cost per rule (the defaults: 30 stopped/idle days). Read at
 * scrape time from a report the query endpoints cache per revision (and for a minute),
 * computed in steps the daemon pauses between: the scrape waits, the daemon does not.
 */
function wasteGauges(r: Registry[], sources: MetricSources): void {
  const waste = sources.waste;
  if (waste === undefined) return;
  new Gauge({
    name: 'elava_waste_resources', help: 'resources the waste report lists, by rule', labelNames: ['rule'], registers: r,
    async collect() {
      const totals = await waste();
      this.reset();
      for (const t of totals?.byRule ?? []) this.set({ rule: t.group }, t.items);
    },
  });
  new Gauge({
    name: 'elava_waste_monthly_cost_usd',
    help: 'estimated monthly cost (USD, list prices) of what the waste report lists, by rule',
    labelNames: ['rule'],
    registers: r,
    async collect() {
      const totals = await waste();
      this.reset();
      for (const t of totals?.byRule ?? []) this.set({ rule: t.group }, t.monthlyUsd);
    },
  });
}

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly scanDuration: Histogram<'provider' | 'type' | 'status'>;
  private readonly scopeFailures: Counter<'provider' | 'type' | 'reason'>;
  private readonly changes: Counter<'kind'>;
  private readonly cycles: Counter<'outcome'>;
  private readonly lastSuccess: Gauge;
  private readonly wrongAccount: Gauge<'provider' | 'account'>;
  private readonly suspects: Counter<'provider' | 'type'>;
  private readonly detected: Counter<'found'>;

  constructor(sources: MetricSources, options: { processMetrics?: boolean } = {}) {
    const r = [this.registry];
    const bounds = new FsyncHistogram().boundsSeconds;
    new FsyncDurationMetric(this.registry, () => sources.wal()?.fsyncHistogram ?? null, bounds);
    new FsyncDurationMetric(this.registry, () => sources.wal()?.prepareFsyncHistogram ?? null, bounds, 'prepare');
    this.scanDuration = new Histogram({ name: 'elava_scan_duration_seconds', help: 'time to list one scope, by provider, resource type and outcome', labelNames: ['provider', 'type', 'status'], buckets: SCAN_BUCKETS_SECONDS, registers: r });
    this.scopeFailures = new Counter({ name: 'elava_scope_failures_total', help: 'scopes whose listing failed, by reason (throttled, access-denied, ...)', labelNames: ['provider', 'type', 'reason'], registers: r });
    this.changes = new Counter({ name: 'elava_changes_total', help: 'change events recorded by this process, by kind', labelNames: ['kind'], registers: r });
    this.cycles = new Counter({ name: 'elava_cycles_total', help: 'scan cycles run by this process, by outcome (committed, aborted)', labelNames: ['outcome'], registers: r });
    this.lastSuccess = new Gauge({ name: 'elava_last_successful_cycle_timestamp_seconds', help: 'Unix time at which the last scan cycle was committed to the log', registers: r });
    this.wrongAccount = new Gauge({
      name: 'elava_account_identity_mismatch',
      help: '1 while the credentials of a configured account belong to another account '
        + '(its scopes fail wrong-account); 0 once they are seen to match',
      labelNames: ['provider', 'account'],
      registers: r,
    });
    new Gauge({ name: 'elava_wal_segments', help: 'segment files of the log', registers: r, collect() { this.set(sources.wal()?.stats().segments ?? 0); } });
    new Gauge({ name: 'elava_wal_disk_bytes', help: 'bytes on disk of the log segment files (segments are preallocated)', registers: r, collect() { this.set(walDiskBytes(sources.wal())); } });
    new Gauge({ name: 'elava_wal_appended_bytes', help: 'bytes appended to the log by this process', registers: r, collect() { this.set(sources.wal()?.stats().bytesAppended ?? 0); } });
    new Gauge({ name: 'elava_revision', help: 'the last revision (main) durable in the log', registers: r, collect() { this.set(sources.wal()?.lastMain ?? 0); } });
    new Gauge({
      name: 'elava_live_resources', help: 'live resources in the current state, by type', labelNames: ['type'], registers: r,
      collect() {
        this.reset();
        for (const [type, n] of sources.counts()?.liveByType() ?? new Map<string, number>()) this.set({ type }, n);
      },
    });
    wasteGauges(r, sources);
    this.suspects = new Counter({
      name: 'elava_scope_suspect_total',
      help: 'complete listings whose absences the mass-disappearance guard withheld, by type',
      labelNames: ['provider', 'type'],
      registers: r,
    });
    new Gauge({
      name: 'elava_withheld_disappearances',
      help: 'disappearances the mass-disappearance guard holds back until a listing agrees',
      registers: r,
      collect() {
        this.set(sources.withheld?.() ?? 0);
      },
    });
    this.detected = new Counter({
      name: 'elava_detection_records_total',
      help: 'listed records change detection settled, by how: bytes (unchanged, equal to the last listing\'s), guess (slot guessed from the last listing), lookup',
      labelNames: ['found'],
      registers: r,
    });
    new Gauge({
      name: 'elava_detection_memory_bytes',
      help: 'bytes change detection keeps of the last listings for the next cycle (slots, bytes, proofs, chunks pooled for the next scan)',
      registers: r,
      collect() {
        this.set(sources.detectionMemoryBytes?.() ?? 0);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  recordScan(results: readonly ScanResult[]): void {
    for (const result of results) {
      const { provider, type } = result.scope;
      this.scanDuration.observe({ provider, type, status: result.status }, result.durationMs / 1000);
      if (result.status === 'failed') this.scopeFailures.inc({ provider, type, reason: result.error.code });
      this.recordIdentity(result);
    }
  }

  /** A wrong-account failure sets an AWS account's mismatch gauge; a complete listing clears it. */
  private recordIdentity(result: ScanResult): void {
    if (result.scope.provider !== 'aws') return; // GCP credentials are not checked against projects
    const labels = { provider: result.scope.provider, account: result.scope.account };
    if (result.status === 'complete') this.wrongAccount.set(labels, 0);
    else if (result.error.code === 'wrong-account') this.wrongAccount.set(labels, 1);
  }

  /** One suspect scope-scanned event (`provider/account/region/type`). */
  recordSuspect(event: ScopeScanned): void {
    const [provider = '', , , type = ''] = event.scope.split('/');
    this.suspects.inc({ provider, type });
  }

  recordCommit(tally: CycleTally, timeMs: number): void {
    this.changes.inc({ kind: 'appeared' }, tally.appeared);
    this.changes.inc({ kind: 'changed' }, tally.changed);
    this.changes.inc({ kind: 'disappeared' }, tally.disappeared);
    this.cycles.inc({ outcome: 'committed' });
    this.lastSuccess.set(timeMs / 1000);
  }

  recordDetection(tally: DetectionTally): void {
    this.detected.inc({ found: 'bytes' }, tally.sameBytes);
    this.detected.inc({ found: 'guess' }, tally.guessed);
    this.detected.inc({ found: 'lookup' }, tally.lookedUp);
  }

  recordAborted(): void {
    this.cycles.inc({ outcome: 'aborted' });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Sum of the segment files' sizes; 0 when the log is not open. */
function walDiskBytes(wal: Wal | null): number {
  if (wal === null) return 0;
  let total = 0;
  for (const name of fs.readdirSync(wal.dir)) {
    if (!name.endsWith('.wal')) continue;
    try {
      total += fs.statSync(`${wal.dir}/${name}`).size;
    } catch {
      // removed by compaction between readdir and stat
    }
  }
  return total;
}
