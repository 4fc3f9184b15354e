/**
 * What the aggregator writes for each ready source commit: a `source-commit` marker, then
 * the source's events minus
 *
 * - its local control events (checkpoint, compaction and repair markers, and source-commit
 *   markers of an aggregator being forwarded): they describe the source's files;
 * - events of a scope another source reports. The first source whose scope-scanned event
 *   for a scope is applied keeps it; a second source reporting it is a conflict, recorded
 *   in the marker (`conflicts`), counted and logged, and its events for that scope are not
 *   applied (two histories of one scope interleaved would flip-flop every cycle).
 *
 * Scopes claimed by earlier commits of the same batch count as claimed (`overlay`).
 */
import type { ElavaEvent, SourceCommit } from '../model/events.js';
import type { Sources } from '../projection/sources.js';
import type { LocalCommit } from './aggregate-log.js';
import type { Assembled } from './assembly.js';
import { scopeOf } from './wire.js';

export function planCommits<M>(ready: ReadonlyArray<Assembled<M>>, sources: Sources): LocalCommit[] {
  const overlay = new Map<string, string>();
  const ownerOf = (scope: string): string | undefined => overlay.get(scope) ?? sources.ownerOfScope(scope);
  return ready.map((c) => {
    const conflicts = new Set<string>();
    const events: ElavaEvent[] = [];
    for (const e of c.events) {
      if (e === undefined) throw new Error(`source ${c.source} revision ${c.main} is incomplete`);
      const scope = scopeOf(e);
      if (scope === null) continue;
      const owner = ownerOf(scope);
      if (owner !== undefined && owner !== c.source) {
        conflicts.add(scope);
        continue;
      }
      if (owner === undefined && e.type === 'scope-scanned') overlay.set(scope, c.source);
      events.push(e);
    }
    const marker: SourceCommit = {
      type: 'source-commit', source: c.source, sourceMain: c.main, sourceTimeMs: c.timeMs,
      sourceEvents: c.count, conflicts: [...conflicts].sort(),
    };
    return { marker, events };
  });
}
