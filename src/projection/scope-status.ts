/**
 * The last listing outcome of every scope, for the health page (`/v1/health`): its status
 * (complete, failed with the reason, suspect), how many resources it listed and how long
 * it took, the revision of that listing, and the revision of its last complete listing.
 * Folded from the scope-scanned events, so it survives restarts as the log does:
 *
 *   scope-scanned S complete → S: complete, lastCompleteMain = this revision
 *   scope-scanned S failed   → S: failed (error), lastCompleteMain unchanged
 *   scope-scanned S suspect  → S: suspect (withheld count), lastCompleteMain unchanged
 *
 * Bounded by the scopes ever configured (provider × account × region × type); a scope
 * removed from the config stays with its last outcome, which its revision dates.
 */
import type { ScopeStatus } from '../model/events.js';
import type { LogEvent } from '../wal/types.js';
import { canonicalJson } from './canonical-json.js';
import { ProjectionError } from './errors.js';
import { assertNever } from './assert-never.js';
import { eventOf, framedKind } from './event-payload.js';
import type { HashSink, Projection } from './projection.js';

export interface ScopeOutcome {
  scope: string;
  status: ScopeStatus;
  listed: number;
  durationMs: number;
  /** The failure's code and message; null unless failed. */
  error: { code: string; message: string } | null;
  /** Ids a suspect listing withheld; 0 otherwise. */
  withheld: number;
  /** Revision main of this outcome. */
  main: number;
  /** Revision main of the scope's last complete listing; null: none yet. */
  lastCompleteMain: number | null;
}

export interface ScopeStatusSnapshot {
  /** Ascending by scope. */
  scopes: ScopeOutcome[];
}

export class ScopeStatusProjection implements Projection {
  readonly name = 'scope-status';
  readonly version = 1;
  private byScope = new Map<string, ScopeOutcome>();

  /** Every scope's last outcome, ascending by scope. */
  list(): ScopeOutcome[] {
    return [...this.byScope.keys()].sort().map((s) => this.byScope.get(s) as ScopeOutcome);
  }

  apply(log: LogEvent): void {
    if (framedKind(log) !== 0) return; // a change (named by its frame): none of this projection's business
    const event = eventOf(log);
    switch (event.type) {
      case 'scope-scanned': {
        const before = this.byScope.get(event.scope);
        const complete = event.status === 'complete';
        this.byScope.set(event.scope, {
          scope: event.scope,
          status: event.status,
          listed: event.listed,
          durationMs: event.durationMs,
          error: event.error === null
            ? null
            : { code: event.error.code, message: event.error.message },
          withheld: event.withheld?.length ?? 0,
          main: log.main,
          lastCompleteMain: complete ? log.main : (before?.lastCompleteMain ?? null),
        });
        return;
      }
      case 'appeared':
      case 'changed':
      case 'disappeared':
      case 'checkpoint':
      case 'compaction-scheduled':
      case 'compaction-finished':
      case 'log-repaired':
      case 'history-downsampled':
      case 'source-commit':
        return;
      default:
        return assertNever(event);
    }
  }

  snapshot(): ScopeStatusSnapshot {
    return { scopes: this.list() };
  }

  restore(data: unknown): void {
    const scopes = (data as Partial<ScopeStatusSnapshot> | null)?.scopes;
    if (!Array.isArray(scopes)) this.bad('scopes must be an array');
    const next = new Map<string, ScopeOutcome>();
    for (const entry of scopes as unknown[]) {
      if (!isOutcome(entry) || next.has(entry.scope)) this.bad('bad or repeated scope entry');
      next.set(entry.scope, entry);
    }
    this.byScope = next;
  }

  hashState(sink: HashSink): void {
    for (const entry of this.list()) sink.update(`${canonicalJson(entry)}\n`);
  }

  private bad(why: string): never {
    const message = `bad scope-status snapshot: ${why}`;
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', message, { projection: this.name });
  }
}

function isOutcome(v: unknown): v is ScopeOutcome {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const error = o['error'] as { code?: unknown; message?: unknown } | null;
  return typeof o['scope'] === 'string'
    && (o['status'] === 'complete' || o['status'] === 'failed' || o['status'] === 'suspect')
    && typeof o['listed'] === 'number' && typeof o['durationMs'] === 'number'
    && typeof o['withheld'] === 'number' && typeof o['main'] === 'number'
    && (o['lastCompleteMain'] === null || typeof o['lastCompleteMain'] === 'number')
    && (error === null
      || (typeof error === 'object' && typeof error.code === 'string' && typeof error.message === 'string'));
}

