/**
 * The resource list (current, or as of a revision) and one resource at a point.
 */
import assert from 'node:assert/strict';
import { RESOURCE_TYPES, type ResourceRecord } from '../model/resource.js';
import type { IndexedRevision } from '../mvcc/key-index.js';
import { matchesFilter, type ResourceFilter } from '../projection/resource-filter.js';
import { QueryError } from './errors.js';
import { fleetAtSteps, pastFleetSteps } from './fleet.js';
import { checkRevision } from './point.js';
import type { QueryState } from './query-state.js';
import { recordAt } from './read-back.js';
import { runSteps, type Steps } from './steps.js';

export interface ListFilter extends ResourceFilter {
  provider?: string;
  account?: string;
  region?: string;
}

export interface ResourceAtPoint {
  key: string;
  /** The key's newest revision at or below the point asked for; null if it did not exist yet. */
  revision: { main: number; sub: number } | null;
  timeMs: number | null;
  /** The record at that point; null when the key had disappeared (or not yet appeared). */
  record: ResourceRecord | null;
  alive: boolean;
}

/** Resources matching `filter`, ascending by key: live now, or at `atMain` when given. */
export function listResources(state: QueryState, filter: ListFilter, atMain?: number): ResourceRecord[] {
  return runSteps(listResourcesSteps(state, filter, atMain));
}

/** listResources as steps (steps.ts): at an older revision the daemon pauses between them. */
export function* listResourcesSteps(state: QueryState, filter: ListFilter, atMain?: number): Steps<ResourceRecord[]> {
  checkFilter(filter);
  const { provider, account, region, ...base } = filter;
  const records = atMain === undefined || atMain === state.lastMain ? state.current.list(base) : (yield* fleetAtSteps(state, atMain)).filter((r) => matchesFilter(r, base));
  if (provider === undefined && account === undefined && region === undefined) return records;
  return records.filter(inPlace(provider, account, region));
}

/**
 * listResourcesSteps at an older revision, each matching record as `each` makes it, told
 * whether it was read from the log (pastFleetSteps), ascending by key.
 */
export function* pastResourcesSteps<T>(state: QueryState, filter: ListFilter, atMain: number, each: (record: ResourceRecord, fromLog: boolean) => T): Steps<T[]> {
  checkFilter(filter);
  const { provider, account, region, ...base } = filter;
  const place = inPlace(provider, account, region);
  return yield* pastFleetSteps(state, atMain, (r, fromLog) => (matchesFilter(r, base) && place(r) ? each(r, fromLog) : undefined));
}

function inPlace(provider: string | undefined, account: string | undefined, region: string | undefined): (r: ResourceRecord) => boolean {
  return (r) => (provider === undefined || r.provider === provider) && (account === undefined || r.account === account) && (region === undefined || r.region === region);
}

/** One resource at `atMain` (default: the newest revision). QueryError unknown-key. */
export function getResource(state: QueryState, key: string, atMain?: number): ResourceAtPoint {
  assert.ok(state.onlyKey === undefined || state.onlyKey === key, 'a state opened for one key answers about that key only');
  const ki = state.index.keyIndex(key);
  if (ki === undefined) throw new QueryError('unknown-key', `no resource with key ${key}`);
  const at = checkRevision(state, atMain ?? state.lastMain);
  const entry = newestAtOrBelow(ki.history(), at);
  if (entry === undefined) return { key, revision: null, timeMs: null, record: null, alive: false };
  const revision = { main: entry.main, sub: entry.sub };
  const timeMs = state.times.timeOf(entry.main);
  if (entry.tombstone) return { key, revision, timeMs, record: null, alive: false };
  return { key, revision, timeMs, record: recordAt(state, key, entry), alive: true };
}

export function checkFilter(filter: ListFilter): void {
  if (filter.type !== undefined && !RESOURCE_TYPES.includes(filter.type)) {
    throw new QueryError('bad-filter', `unknown type "${filter.type}": one of ${RESOURCE_TYPES.join(', ')}`);
  }
  if (filter.provider !== undefined && filter.provider !== 'aws' && filter.provider !== 'gcp') {
    throw new QueryError('bad-filter', `unknown provider "${filter.provider}": aws or gcp`);
  }
  if (filter.tag !== undefined && filter.tag.key === '') throw new QueryError('bad-filter', 'a tag filter needs a key (KEY or KEY=VALUE)');
}

function newestAtOrBelow(entries: readonly IndexedRevision[], atMain: number): IndexedRevision | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i] as IndexedRevision;
    if (e.main <= atMain) return e;
  }
  return undefined;
}
