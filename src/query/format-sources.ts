/** `elava sources` as a table or NDJSON (the full state hash in JSON; 16 digits in the table). */
import { formatTime, ndjson, table, whole } from './format.js';
import type { SourceRow } from './sources.js';

export function formatSources(rows: readonly SourceRow[], json: boolean): string[] {
  if (json) return ndjson(rows);
  return table(
    ['SOURCE', 'REVISION', 'COMMITTED', 'COMMITS', 'EVENTS', 'LIVE', 'SCOPES', 'CONFLICTS', 'STATE-HASH'],
    rows.map((r) => [
      whole(r.source), String(r.revision), formatTime(r.committedMs), String(r.commits), String(r.events),
      String(r.live), String(r.scopes), String(r.conflicts), whole(r.stateHash.slice(0, 16)),
    ]),
  );
}
