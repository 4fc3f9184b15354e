/**
 * One scan cycle, start to end:
 *
 *   scan every scope (abortable) → detect changes against the live state (giving the event
 *   loop a turn every few thousand records) → ONE commit
 *   through the Store (which numbers it and, once durable, feeds it to every projection)
 *   → metrics and one log line.
 *
 * Invariants: a cycle whose signal was aborted before its scan finished commits nothing
 * (never half a cycle); a cycle that is not aborted always commits, even with no changes,
 * because its scope-scanned events are the record that the scan happened; projections
 * advance only after the commit is durable, so they never run ahead of the log. A refused
 * append (writer fenced after a failed fdatasync, disk full) is fatal: DaemonError
 * LOG_APPEND_FAILED, and the daemon stops rather than pretend.
 */
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import { detectChangesYielding, type CurrentStateView, type DetectOptions } from '../changes/detect.js';
import type { ElavaEvent, ScopeScanned } from '../model/events.js';
import { runScan, type ScanClients, type ScanConfig } from '../scan/run-scan.js';
import { scopeString, type ScanResult } from '../model/scope.js';
import type { Store } from '../store/store.js';
import type { CommitPlacement } from '../wal/types.js';
import { DaemonError } from './errors.js';
import type { CycleTally, DaemonMetrics } from './metrics.js';

export interface CycleContext {
  store: Store;
  view: CurrentStateView;
  /** The mass-disappearance guard and what it withholds (UNGUARDED: none). */
  detect: DetectOptions;
  scanConfig: ScanConfig;
  scanClients: ScanClients;
  metrics: DaemonMetrics;
  logger: Logger;
}

export interface FailedScope {
  scope: string;
  reason: string;
  message: string;
}

export interface CycleReport extends CycleTally {
  cycle: number;
  /** The commit's revision main; null when the cycle was aborted and committed nothing. */
  revision: number | null;
  aborted: boolean;
  events: number;
  scopes: number;
  failedScopes: FailedScope[];
  durationMs: number;
}

export async function runCycle(ctx: CycleContext, cycle: number, signal: AbortSignal): Promise<CycleReport> {
  const started = performance.now();
  ctx.logger.debug({ cycle, lastRevision: ctx.store.lastMain }, `cycle ${cycle} started`);
  const results = await runScan(ctx.scanConfig, ctx.scanClients, signal);
  const failedScopes = results.flatMap(failedScope);
  const report: CycleReport = { cycle, revision: null, aborted: false, events: 0, scopes: results.length, failedScopes, appeared: 0, changed: 0, disappeared: 0, durationMs: 0 };
  if (signal.aborted) {
    // Some listings were cut short: their scopes would be recorded as failed only because
    // we are stopping. Nothing of this cycle is committed; the next start scans again.
    ctx.metrics.recordAborted();
    report.aborted = true;
    report.durationMs = performance.now() - started;
    ctx.logger.info({ cycle, scopes: results.length, durationMs: Math.round(report.durationMs) }, 'cycle aborted by shutdown; nothing committed');
    return report;
  }
  ctx.metrics.recordScan(results);
  // Yielding: comparing a million resources takes seconds, and /healthz answers meanwhile.
  const events = await detectChangesYielding(results, ctx.view, ctx.detect);
  if (ctx.detect.memory !== undefined) ctx.metrics.recordDetection(ctx.detect.memory.lastDetection);
  reportSuspects(ctx, cycle, events);
  const timeMs = Date.now();
  let placement: CommitPlacement;
  try {
    placement = await ctx.store.commit(events, timeMs);
  } catch (err) {
    const code = typeof (err as { code?: unknown }).code === 'string' ? ` [${(err as { code: string }).code}]` : '';
    throw new DaemonError('LOG_APPEND_FAILED', `cannot append cycle ${cycle} (revision ${cycle}) to the log${code}: ${(err as Error).message}`, { cause: err });
  }
  assert.equal(placement.main, cycle, 'a cycle commits as the revision it is numbered by');
  Object.assign(report, tally(events), { revision: placement.main, events: events.length, durationMs: performance.now() - started });
  ctx.metrics.recordCommit(report, timeMs);
  logCycle(ctx, report);
  return report;
}

function tally(events: readonly ElavaEvent[]): CycleTally {
  const t: CycleTally = { appeared: 0, changed: 0, disappeared: 0 };
  for (const e of events) {
    if (e.type === 'appeared' || e.type === 'changed' || e.type === 'disappeared') t[e.type]++;
  }
  return t;
}

function failedScope(result: ScanResult): FailedScope[] {
  if (result.status === 'complete') return [];
  return [{ scope: scopeString(result.scope), reason: result.error.code, message: result.error.message }];
}

/**
 * A suspect scope is worth a warning of its own: either a listing is lying, or a mass
 * deletion happened and will be reported by the next complete listing that agrees.
 */
function reportSuspects(ctx: CycleContext, cycle: number, events: readonly ElavaEvent[]): void {
  for (const e of events) {
    if (e.type !== 'scope-scanned' || e.status !== 'suspect') continue;
    const withheld = e.withheld?.length ?? 0;
    ctx.metrics.recordSuspect(e as ScopeScanned);
    ctx.logger.warn(
      { cycle, scope: e.scope, listed: e.listed, withheld },
      `scope suspect: the listing misses ${withheld} resources at once; their disappearance ` +
        'waits for the next complete listing to agree',
    );
  }
}

function logCycle(ctx: CycleContext, r: CycleReport): void {
  for (const f of r.failedScopes) {
    ctx.logger.warn({ cycle: r.cycle, scope: f.scope, reason: f.reason, error: f.message }, 'scope failed; its resources keep their last known state');
  }
  const h = ctx.store.log.fsyncHistogram;
  const ms = (s: number): number | null => (Number.isNaN(s) ? null : Math.round(s * 1e6) / 1000);
  ctx.logger.info({
    cycle: r.cycle,
    revision: r.revision,
    scopes: r.scopes,
    failedScopes: r.failedScopes.length,
    appeared: r.appeared,
    changed: r.changed,
    disappeared: r.disappeared,
    events: r.events,
    durationMs: Math.round(r.durationMs),
    fsyncP50Ms: ms(h.recentPercentileSeconds(50)),
    fsyncP99Ms: ms(h.recentPercentileSeconds(99)),
  }, `cycle ${r.cycle} committed as revision ${r.revision}: +${r.appeared} appeared, ~${r.changed} changed, -${r.disappeared} disappeared, ${r.failedScopes.length} of ${r.scopes} scopes failed`);
}
