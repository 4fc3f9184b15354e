/**
 * Fan-in bookkeeping of an aggregator's log (src/fanin/): per source, the last source
 * revision applied, and per scope, the source that reports it.
 *
 *   source-commit {source S, sourceMain M}  → S's last applied revision is M; S is the
 *                                             source of the rest of this commit;
 *   scope-scanned in S's commit             → the scope belongs to S, if it belongs to
 *                                             nobody yet (the first source keeps it);
 *   everything else                         → nothing.
 *
 * Why a projection: "has (S, M) been applied?" must survive a restart exactly as the log
 * does, so a redelivered source commit changes nothing; and it is rebuilt by replay and
 * restored from checkpoints like every other state. On a single daemon's log it stays empty.
 */
import assert from 'node:assert/strict';
import type { LogEvent } from '../wal/types.js';
import { canonicalJson } from './canonical-json.js';
import { ProjectionError } from './errors.js';
import { eventOf, framedKind } from './event-payload.js';
import type { HashSink, Projection } from './projection.js';

export interface SourceInfo {
  source: string;
  /** The last source revision applied, its commit time there, and the local revision. */
  lastSourceMain: number;
  lastSourceTimeMs: number;
  lastLocalMain: number;
  commits: number;
  /** Events of the source's commits (all of them, applied or not). */
  events: number;
  /** Scope reports of this source refused because another source reports the scope. */
  conflicts: number;
}

export interface SourcesSnapshot {
  /** Ascending by source. */
  sources: SourceInfo[];
  /** [scope, source] pairs, ascending by scope. */
  scopes: Array<[string, string]>;
}

export class Sources implements Projection {
  readonly name = 'sources';
  readonly version = 1;
  private bySource = new Map<string, SourceInfo>();
  private scopeOwner = new Map<string, string>();
  /** The source of the commit being applied (set by its source-commit event at sub 0). */
  private currentMain = -1;
  private currentSource: string | null = null;

  /** The last revision of `source` applied (0: none). */
  lastSourceMain(source: string): number {
    return this.bySource.get(source)?.lastSourceMain ?? 0;
  }

  /** Every source seen, ascending by id. */
  list(): SourceInfo[] {
    return [...this.bySource.values()].sort((a, b) => (a.source < b.source ? -1 : 1)).map((s) => ({ ...s }));
  }

  /** The source reporting `scope` (a scope string), or undefined. */
  ownerOfScope(scope: string): string | undefined {
    return this.scopeOwner.get(scope);
  }

  /** The source reporting the scope of resource `key`, or undefined. */
  ownerOfKey(key: string): string | undefined {
    const slash = key.lastIndexOf('/');
    return slash < 0 ? undefined : this.scopeOwner.get(key.slice(0, slash));
  }

  /** Scopes per source. */
  scopesOf(source: string): string[] {
    const out: string[] = [];
    for (const [scope, owner] of this.scopeOwner) if (owner === source) out.push(scope);
    return out.sort();
  }

  get size(): number {
    return this.bySource.size;
  }

  apply(log: LogEvent): void {
    if (framedKind(log) !== 0) return; // a change (named by its frame): none of this projection's business
    const event = eventOf(log);
    if (event.type === 'source-commit') {
      assert.equal(log.sub, 0, 'a source-commit event opens its commit');
      const info = this.bySource.get(event.source) ?? newInfo(event.source);
      info.lastSourceMain = Math.max(info.lastSourceMain, event.sourceMain);
      info.lastSourceTimeMs = event.sourceTimeMs;
      info.lastLocalMain = log.main;
      info.commits++;
      info.events += event.sourceEvents;
      info.conflicts += event.conflicts.length;
      this.bySource.set(event.source, info);
      this.currentMain = log.main;
      this.currentSource = event.source;
      return;
    }
    if (event.type !== 'scope-scanned' || log.main !== this.currentMain || this.currentSource === null) return;
    if (!this.scopeOwner.has(event.scope)) this.scopeOwner.set(event.scope, this.currentSource);
  }

  snapshot(): SourcesSnapshot {
    return { sources: this.list(), scopes: [...this.scopeOwner].sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
  }

  restore(data: unknown): void {
    const snap = (data ?? {}) as Partial<Record<keyof SourcesSnapshot, unknown>>;
    if (!Array.isArray(snap.sources) || !Array.isArray(snap.scopes)) this.bad('sources and scopes must be arrays');
    const bySource = new Map<string, SourceInfo>();
    for (const s of snap.sources as unknown[]) {
      if (!isInfo(s) || bySource.has(s.source)) this.bad('bad or repeated source');
      bySource.set(s.source, { ...s });
    }
    const owners = new Map<string, string>();
    for (const pair of snap.scopes as unknown[]) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') this.bad('bad scope');
      owners.set(pair[0] as string, pair[1] as string);
    }
    this.bySource = bySource;
    this.scopeOwner = owners;
    this.currentMain = -1;
    this.currentSource = null;
  }

  hashState(sink: HashSink): void {
    const snap = this.snapshot();
    for (const s of snap.sources) sink.update(`${canonicalJson({ ...s })}\n`);
    for (const [scope, source] of snap.scopes) sink.update(`${scope} ${source}\n`);
  }

  private bad(why: string): never {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad sources snapshot: ${why}`, { projection: this.name });
  }
}

function newInfo(source: string): SourceInfo {
  return { source, lastSourceMain: 0, lastSourceTimeMs: 0, lastLocalMain: 0, commits: 0, events: 0, conflicts: 0 };
}

function isInfo(v: unknown): v is SourceInfo {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const counts = ['lastSourceMain', 'lastSourceTimeMs', 'lastLocalMain', 'commits', 'events', 'conflicts'];
  return typeof s['source'] === 'string' && counts.every((k) => Number.isSafeInteger(s[k]) && (s[k] as number) >= 0);
}
