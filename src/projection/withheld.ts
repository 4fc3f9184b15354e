/**
 * What the mass-disappearance guard is waiting on: per scope, the ids its last suspect
 * listing withheld (src/changes/mass-guard.ts). Folded from the log, so it survives a
 * restart exactly as the log does and is rebuilt by replay like every projection:
 *
 *   scope-scanned suspect   → the scope's withheld ids are the event's `withheld`;
 *   scope-scanned complete  → nothing withheld in the scope any more (the listing decided);
 *   scope-scanned failed    → unchanged: the ids wait for the next complete listing;
 *   disappeared             → the id leaves its scope's set (it went some other way).
 *
 * Why the log and not memory: a suspect listing followed by a restart must still need the
 * next complete listing to agree; a daemon that forgot would either believe the next
 * listing's absences at once (no agreement) or withhold them again (a cycle late twice).
 */
import type { LogEvent } from '../wal/types.js';
import { canonicalJson } from './canonical-json.js';
import { ProjectionError } from './errors.js';
import { assertNever } from './assert-never.js';
import { eventOf, framedKind } from './event-payload.js';
import { EVENT_TAG_DISAPPEARED } from './event-frame-key.js';
import type { HashSink, Projection } from './projection.js';

export interface WithheldSnapshot {
  /** Ascending by scope; ids ascending. */
  scopes: Array<{ scope: string; ids: string[] }>;
}

export class WithheldDisappearances implements Projection {
  readonly name = 'withheld';
  readonly version = 1;
  private byScope = new Map<string, Set<string>>();

  /** The ids withheld in `scope` (scope string), or undefined when none are. */
  withheldIn(scope: string): ReadonlySet<string> | undefined {
    return this.byScope.get(scope);
  }

  /** Withheld ids over every scope. */
  get size(): number {
    let n = 0;
    for (const ids of this.byScope.values()) n += ids.size;
    return n;
  }

  apply(log: LogEvent): void {
    const framed = framedKind(log);
    if (framed === EVENT_TAG_DISAPPEARED) return this.disappeared(log.key as string);
    if (framed !== 0) return; // appeared, changed: nothing withheld changes
    const event = eventOf(log);
    switch (event.type) {
      case 'scope-scanned':
        if (event.status === 'complete') this.byScope.delete(event.scope);
        else if (event.status === 'suspect') {
          this.byScope.set(event.scope, idsOf(log, event.withheld));
        }
        return;
      case 'disappeared':
        return this.disappeared(event.key);
      case 'appeared':
      case 'changed':
      case 'checkpoint':
      case 'compaction-scheduled':
      case 'compaction-finished':
      case 'log-repaired':
      case 'source-commit':
      case 'history-downsampled':
        return;
      default:
        return assertNever(event);
    }
  }

  private disappeared(key: string): void {
    const slash = key.lastIndexOf('/');
    const ids = this.byScope.get(key.slice(0, slash));
    if (ids === undefined) return;
    ids.delete(key.slice(slash + 1));
    if (ids.size === 0) this.byScope.delete(key.slice(0, slash));
  }

  snapshot(): WithheldSnapshot {
    return { scopes: this.sorted() };
  }

  restore(data: unknown): void {
    const scopes = (data as Partial<WithheldSnapshot> | null)?.scopes;
    if (!Array.isArray(scopes)) this.bad('scopes must be an array');
    const next = new Map<string, Set<string>>();
    for (const entry of scopes as unknown[]) {
      const { scope, ids } = (entry ?? {}) as { scope?: unknown; ids?: unknown };
      if (typeof scope !== 'string' || next.has(scope)) this.bad('bad or repeated scope');
      if (!isStringList(ids) || ids.length === 0) this.bad(`scope ${scope}: ids must be strings`);
      next.set(scope, new Set(ids));
    }
    this.byScope = next;
  }

  hashState(sink: HashSink): void {
    for (const entry of this.sorted()) sink.update(`${canonicalJson(entry)}\n`);
  }

  private sorted(): Array<{ scope: string; ids: string[] }> {
    const scopes = [...this.byScope.keys()].sort();
    return scopes.map((scope) => ({ scope, ids: [...(this.byScope.get(scope) ?? [])].sort() }));
  }

  private bad(why: string): never {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad withheld snapshot: ${why}`, {
      projection: this.name,
    });
  }
}

function idsOf(log: LogEvent, withheld: unknown): Set<string> {
  if (!isStringList(withheld) || withheld.length === 0) {
    const why = `suspect scope-scanned event without withheld ids at ${log.main}.${log.sub}`;
    throw new ProjectionError('PROJECTION_BAD_EVENT', why, { location: log.location });
  }
  return new Set(withheld);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
