/**
 * `elava sources` and `/v1/sources`: who feeds an aggregate (src/fanin/). Per source: the
 * last of its revisions applied, its commit time there, commits and events received, scope
 * reports refused as conflicts, live resources in the scopes it reports, and a hash of
 * those records. `recordsHash` is the same function over a source's own current state, so
 * equal hashes mean the aggregate holds exactly what the source holds.
 */
import { createHash } from 'node:crypto';
import { existingSourceId } from '../fanin/source-id.js';
import type { ResourceRecord } from '../model/resource.js';
import { canonicalJson } from '../projection/canonical-json.js';
import type { QueryState } from './query-state.js';

export interface SourceRow {
  source: string;
  revision: number;
  committedMs: number | null;
  commits: number;
  events: number;
  live: number;
  conflicts: number;
  scopes: number;
  stateHash: string;
}

/** sha256 over the records' canonical JSON, ascending by key, one per line. */
export function recordsHash(records: Iterable<ResourceRecord>): string {
  const sorted = [...records].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const hash = createHash('sha256');
  for (const r of sorted) hash.update(`${canonicalJson(r)}\n`);
  return hash.digest('hex');
}

export function sourcesReport(state: QueryState): SourceRow[] {
  const bySource = new Map<string, ResourceRecord[]>();
  for (const record of state.current.values()) {
    const owner = state.sources.ownerOfKey(record.key);
    if (owner === undefined) continue;
    let list = bySource.get(owner);
    if (list === undefined) bySource.set(owner, (list = []));
    list.push(record);
  }
  return state.sources.list().map((s) => {
    const records = bySource.get(s.source) ?? [];
    return {
      source: s.source, revision: s.lastSourceMain, committedMs: s.lastSourceTimeMs, commits: s.commits,
      events: s.events, live: records.length, conflicts: s.conflicts, scopes: state.sources.scopesOf(s.source).length,
      stateHash: recordsHash(records),
    };
  });
}

/** The directory's own records as one source row (`--self`): what a forwarder sends. */
export function selfReport(state: QueryState): SourceRow {
  const records = [...state.current.values()];
  return {
    source: existingSourceId(state.dir) ?? '(no SOURCE_ID: never forwarded)', revision: state.lastMain,
    committedMs: state.times.timeOf(state.lastMain), commits: 0, events: 0, live: records.length, conflicts: 0,
    scopes: 0, stateHash: recordsHash(records),
  };
}

/** On an aggregate, each record with the source reporting it (`source`); else as they are. */
export function withSources(state: QueryState, records: readonly ResourceRecord[]): ReadonlyArray<ResourceRecord | (ResourceRecord & { source: string | null })> {
  if (state.sources.size === 0) return records;
  return records.map((r) => withSource(state, r));
}

/** One record as withSources gives it. */
export function withSource(state: QueryState, record: ResourceRecord): ResourceRecord | (ResourceRecord & { source: string | null }) {
  if (state.sources.size === 0) return record;
  return { ...record, source: state.sources.ownerOfKey(record.key) ?? null };
}
