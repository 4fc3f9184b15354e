/**
 * The waste report: what costs money while doing nothing, from the current state and, for
 * "since when", the key's history.
 *
 * - Unattached volumes: EBS volumes whose state is `available` or that list no attachment,
 *   and GCE disks with no users; with size and age. Age is how long it has been unattached,
 *   like stopped instances: from the revision where it last became unattached. A volume
 *   that was already unattached when Elava first saw it takes its age from the cloud's own
 *   creation time (`attrs.createTime`, EBS CreateTime / GCE creationTimestamp), marked
 *   "at least" (≥) as every age Elava did not watch begin; without one, from first sight.
 *   So an age does not restart when Elava starts late or its history was compacted.
 * - Long-stopped instances: EC2 `stopped`, GCE `TERMINATED` (GCE's stopped) or `SUSPENDED`,
 *   stopped for at least `stoppedDays`, counted from the revision where the state last
 *   became stopped (the history is walked back from the newest revision).
 * - Stopped RDS instances (`stopped`; AWS restarts them after seven days), with the same
 *   "stopped since".
 * - Unowned: live resources whose owner is null (no owner tag under the configured keys).
 *
 * `...AtLeast: true` marks a lower bound: the resource was already like that when the
 * history Elava holds begins (first seen that way, or history compacted away).
 * Sections are ordered oldest first, then by key.
 */
import type { ResourceRecord, ResourceType } from '../model/resource.js';
import type { IndexedRevision } from '../mvcc/key-index.js';
import { QueryError } from './errors.js';
import type { QueryState } from './query-state.js';
import { recordAt } from './read-back.js';

const DAY_MS = 86_400_000;

export interface WasteOptions {
  stoppedDays: number;
  nowMs: number;
}

interface WasteItem {
  key: string;
  type: ResourceType;
  name: string | null;
  owner: string | null;
  state: string | null;
}

export interface UnattachedVolume extends WasteItem {
  sizeGiB: number | null;
  firstSeenMs: number | null;
  /** When the age starts: the last detach seen, else the volume's creation time. */
  unattachedSinceMs: number | null;
  ageDays: number | null;
  ageAtLeast: boolean;
}

export interface StoppedResource extends WasteItem {
  stoppedSinceMs: number | null;
  stoppedDays: number | null;
  sinceAtLeast: boolean;
}

export interface UnownedResource extends WasteItem {
  firstSeenMs: number | null;
  ageDays: number | null;
  ageAtLeast: boolean;
}

export interface WasteReport {
  nowMs: number;
  stoppedDays: number;
  unattachedVolumes: UnattachedVolume[];
  longStoppedInstances: StoppedResource[];
  stoppedRds: StoppedResource[];
  unowned: UnownedResource[];
}

/**
 * "Since when" answers per key, valid while the key's newest revision and the compaction
 * point stay the same (history below the newest revision never changes, and commit times
 * never do): a report at the next revision recomputes only the keys that changed since.
 * Kept per query state (the daemon's lives as long as the daemon; a command's, one report).
 */
interface SinceMemo {
  revision: string;
  unattached?: Since;
  stopped?: Since;
  first?: Since;
}
const MEMO = new WeakMap<QueryState, { compactedMain: number; byKey: Map<string, SinceMemo> }>();

function memoFor(state: QueryState): (key: string) => SinceMemo {
  let memo = MEMO.get(state);
  if (memo === undefined || memo.compactedMain !== state.compactedMain) {
    memo = { compactedMain: state.compactedMain, byKey: new Map() };
    MEMO.set(state, memo);
  }
  const old = memo.byKey;
  const next = new Map<string, SinceMemo>(); // only the keys this report asks about are kept
  memo.byKey = next;
  return (key) => {
    const last = state.index.keyIndex(key)?.last();
    const revision = last === undefined ? '' : `${last.main}.${last.sub}`;
    let entry = next.get(key) ?? old.get(key);
    if (entry === undefined || entry.revision !== revision) entry = { revision };
    next.set(key, entry);
    return entry;
  };
}

export function wasteReport(state: QueryState, options: WasteOptions): WasteReport {
  if (!(Number.isFinite(options.stoppedDays) && options.stoppedDays >= 0)) throw new QueryError('bad-filter', `stopped days must be a number ≥ 0, not ${options.stoppedDays}`);
  const report: WasteReport = { nowMs: options.nowMs, stoppedDays: options.stoppedDays, unattachedVolumes: [], longStoppedInstances: [], stoppedRds: [], unowned: [] };
  const memo = memoFor(state);
  for (const r of state.current.values()) {
    if (isUnattached(r)) {
      const m = memo(r.key);
      const seen = (m.first ??= firstSeen(state, r.key));
      const since = (m.unattached ??= unattachedSince(state, r));
      // Literals, not `{ ...item(r) }`: a spread over 100 k items was most of the report's time.
      report.unattachedVolumes.push({
        key: r.key, type: r.type, name: r.name, owner: r.owner, state: r.state, sizeGiB: sizeGiB(r),
        firstSeenMs: seen.ms, unattachedSinceMs: since.ms, ageDays: days(options.nowMs, since.ms), ageAtLeast: since.atLeast,
      });
    }
    if (isStoppedInstance(r)) {
      const m = memo(r.key);
      const since = (m.stopped ??= sinceWhen(state, r.key, isStoppedInstance));
      if (since.ms !== null && options.nowMs - since.ms >= options.stoppedDays * DAY_MS) report.longStoppedInstances.push(stoppedSince(state, r, isStoppedInstance, m));
    }
    if (r.type === 'rds.instance' && r.state === 'stopped') report.stoppedRds.push(stoppedSince(state, r, (x) => x.state === 'stopped', memo(r.key)));
    if (r.owner === null) {
      const seen = (memo(r.key).first ??= firstSeen(state, r.key));
      report.unowned.push({
        key: r.key, type: r.type, name: r.name, owner: r.owner, state: r.state,
        firstSeenMs: seen.ms, ageDays: days(options.nowMs, seen.ms), ageAtLeast: seen.atLeast,
      });
    }
  }
  report.unattachedVolumes.sort((a, b) =>
    oldestFirst(a.unattachedSinceMs, b.unattachedSinceMs, a.key, b.key));
  report.longStoppedInstances.sort((a, b) => oldestFirst(a.stoppedSinceMs, b.stoppedSinceMs, a.key, b.key));
  report.stoppedRds.sort((a, b) => oldestFirst(a.stoppedSinceMs, b.stoppedSinceMs, a.key, b.key));
  report.unowned.sort((a, b) => oldestFirst(a.firstSeenMs, b.firstSeenMs, a.key, b.key));
  return report;

  function stoppedSince(s: QueryState, r: ResourceRecord, stopped: (x: ResourceRecord) => boolean, m: SinceMemo): StoppedResource {
    const since = (m.stopped ??= sinceWhen(s, r.key, stopped));
    return {
      key: r.key, type: r.type, name: r.name, owner: r.owner, state: r.state,
      stoppedSinceMs: since.ms, stoppedDays: days(options.nowMs, since.ms), sinceAtLeast: since.atLeast,
    };
  }
}

export function isUnattached(r: ResourceRecord): boolean {
  if (r.type === 'ec2.volume') {
    const attachments = r.attrs['attachments'];
    return r.state === 'available' || (Array.isArray(attachments) && attachments.length === 0);
  }
  if (r.type === 'gce.disk') {
    const users = r.attrs['users'];
    return users === undefined || users === null || (Array.isArray(users) && users.length === 0);
  }
  return false;
}

export function isStoppedInstance(r: ResourceRecord): boolean {
  if (r.type === 'ec2.instance') return r.state === 'stopped';
  if (r.type === 'gce.instance') return r.state === 'TERMINATED' || r.state === 'SUSPENDED';
  return false;
}

/**
 * Since when `r` has been unattached: the revision it last became so, when Elava saw that;
 * else (unattached since first seen) its creation time, if the record has one and it is
 * earlier, marked at least.
 */
function unattachedSince(state: QueryState, r: ResourceRecord): Since {
  const since = sinceWhen(state, r.key, isUnattached);
  if (!since.atLeast) return since;
  const created = r.attrs['createTime'];
  const createdMs = typeof created === 'string' ? Date.parse(created) : NaN;
  const usable = Number.isFinite(createdMs) && (since.ms === null || createdMs <= since.ms);
  return { ms: usable ? createdMs : since.ms, atLeast: true };
}

function sizeGiB(r: ResourceRecord): number | null {
  const size = r.type === 'gce.disk' ? r.attrs['sizeGb'] : r.attrs['sizeGiB'];
  return typeof size === 'number' ? size : null;
}

interface Since {
  ms: number | null;
  atLeast: boolean;
}

/** The entries of the key's open generation (the live one), oldest first. */
function openGeneration(state: QueryState, key: string): IndexedRevision[] {
  const history = state.index.keyIndex(key)?.history() ?? [];
  let start = history.length;
  while (start > 0 && !(history[start - 1] as IndexedRevision).tombstone) start--;
  return history.slice(start);
}

/** When the current generation of `key` was first seen. */
function firstSeen(state: QueryState, key: string): Since {
  const first = openGeneration(state, key)[0];
  return timeOfEntry(state, first, false);
}

/** Days from `sinceMs` to `nowMs`, to a tenth (display only: thresholds compare milliseconds). */
function days(nowMs: number, sinceMs: number | null): number | null {
  if (sinceMs === null) return null;
  return Math.round(((nowMs - sinceMs) / DAY_MS) * 10) / 10;
}

/** Since when `holds` has been true of the key's records, walking back from the newest. */
function sinceWhen(state: QueryState, key: string, holds: (r: ResourceRecord) => boolean): Since {
  const generation = openGeneration(state, key);
  let earliest = generation.length;
  for (let i = generation.length - 1; i >= 0; i--) {
    if (!holds(recordAt(state, key, generation[i] as IndexedRevision))) break;
    earliest = i;
  }
  return timeOfEntry(state, generation[earliest], earliest === 0);
}

/** The time of `entry`; at the start of the known history the time is a lower bound. */
function timeOfEntry(state: QueryState, entry: IndexedRevision | undefined, atHistoryStart: boolean): Since {
  if (entry === undefined) return { ms: null, atLeast: false };
  const ms = state.times.timeOf(entry.main);
  if (ms !== null && entry.main > state.compactedMain) return { ms, atLeast: atHistoryStart };
  return { ms: state.times.firstTimeMs, atLeast: true };
}

/** Earliest time first (unknown last), then by key. */
function oldestFirst(a: number | null, b: number | null, ka: string, kb: string): number {
  const ta = a ?? Infinity;
  const tb = b ?? Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
