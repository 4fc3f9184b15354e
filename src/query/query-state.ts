/**
 * What every query reads: the key index (history locations), the current state, counts,
 * commit times and a reader for events on disk. Two ways to get one:
 *
 * - `openQueryState(dir)`: for the query commands. A read-only Store (src/store/store.ts):
 *   no writer lock, so it works whether or not the daemon runs; the newest valid checkpoint
 *   plus the log's tail, nothing renamed. The state is
 *   that of the last whole commit when it was opened; later appends are not seen.
 * - `queryStateFrom(dir, projections, structures)`: over the daemon's live projections;
 *   `lastMain` and `compactedMain` follow them as they advance.
 *
 * The query commands take theirs from a QueryStateSource: `readOnlyStates` (the first
 * way, closed after each answer) or `keptStates` (a daemon answering through its socket).
 *
 * `lastMain` is the key index's current revision: the newest readable one. (A trailing
 * commit with no events at all would not move it; scan cycles always write events.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { TreeIndex } from '../mvcc/tree-index.js';
import { findProjection } from '../projection/builtins.js';
import { CommitTimes } from '../projection/commit-times.js';
import { ConditionSince } from '../projection/condition-since.js';
import { ControlState } from '../projection/control-state.js';
import { Counts } from '../projection/counts.js';
import { CurrentState } from '../projection/current-state.js';
import { isProjectionError } from '../projection/errors.js';
import { KeyIndexProjection } from '../projection/key-index-projection.js';
import type { Projection } from '../projection/projection.js';
import { Sources } from '../projection/sources.js';
import { isSnapshotError } from '../checkpoint/errors.js';
import { Store } from '../store/store.js';
import type { StructureTable } from '../wal/codec.js';
import type { LogDamage } from '../wal/damage.js';
import { errnoCode, isDamageCode, isWalError } from '../wal/errors.js';
import { nodeFileSystem } from '../wal/file-system.js';
import { listSegments } from '../wal/segment.js';
import { QueryError } from './errors.js';
import { EventSource, type EventReader } from '../store/event-source.js';

export interface QueryState {
  readonly dir: string;
  readonly index: TreeIndex;
  readonly current: CurrentState;
  readonly counts: Counts;
  readonly times: CommitTimes;
  /** Since when each resource has been in its waste condition; null: not kept (ages walk the log). */
  readonly conditionSince: ConditionSince | null;
  /** Fan-in sources (empty unless this is an aggregator's log). */
  readonly sources: Sources;
  /** The newest readable revision main (0 before any). */
  readonly lastMain: number;
  /** Reads below this main are `compacted` (0: nothing compacted). */
  readonly compactedMain: number;
  /** History below this main is kept at day granularity (retention; 0: none). */
  readonly downsampledBeforeMain: number;
  /** Event read-back by location (falls back to the compaction base for deleted segments). */
  readonly events: EventReader;
  /** Damage the read-only open stopped at (the state is that before it); null: none. */
  readonly damage: LogDamage | null;
  /** Set: the state answers about this one resource key only (openQueryState's scope). */
  readonly onlyKey?: string;
}

/** What a query will read: with `onlyKey`, one resource's revisions and records only (get, history). */
export interface QueryScope {
  onlyKey?: string;
}

/**
 * Opens `dir` read-only, without the lock. QueryError: bad-data-dir, no-data, damaged-log.
 * With `scope.onlyKey` it restores and replays only what answers about that key: the key
 * index's checkpoint part holding it (the others' keys only move the revision), the commit
 * times, the control state and the sources; the current state, counts and condition ages
 * are left empty (a record is then read from the log). At a million resources this is
 * the difference between restoring ~600 MB of checkpoint and ~5 MB.
 */
export async function openQueryState(dir: string, scope: QueryScope = {}): Promise<QueryState> {
  checkDataDir(dir);
  const { onlyKey } = scope;
  try {
    if (onlyKey === undefined) {
      const store = await Store.open(dir, { readOnly: true });
      const structures = store.structures;
      return queryStateFrom(dir, store.projections, () => structures, store.damage);
    }
    const store = await Store.open(dir, { readOnly: true, onlyKey, projections: () => oneKeyProjections(onlyKey) });
    const structures = store.structures;
    const projections = [...store.projections, new CurrentState(), new Counts()];
    return queryStateFrom(dir, projections, () => structures, store.damage, onlyKey);
  } catch (err) {
    throw asQueryError(err, dir);
  }
}

function oneKeyProjections(onlyKey: string): Projection[] {
  return [new KeyIndexProjection({ onlyKey }), new CommitTimes(), new ControlState(), new Sources()];
}

/** A query state over projections kept elsewhere (the daemon's live ones). */
export function queryStateFrom(
  dir: string, projections: readonly Projection[], structures: () => StructureTable, damage: LogDamage | null = null, onlyKey?: string,
): QueryState {
  const keyIndex = findProjection(projections, KeyIndexProjection);
  const current = findProjection(projections, CurrentState);
  const counts = findProjection(projections, Counts);
  const times = findProjection(projections, CommitTimes);
  const sources = findProjection(projections, Sources) ?? new Sources();
  const control = findProjection(projections, ControlState);
  assert.ok(keyIndex && current && counts && control, 'queries need the key index, current state, counts and control projections');
  assert.ok(times, 'queries need the CommitTimes projection (one of builtInProjections())');
  const events = new EventSource(dir, structures, 'lazy');
  return {
    dir,
    get index() {
      return keyIndex.index; // a getter: restore() and compaction may replace the tree
    },
    current,
    counts,
    times,
    conditionSince: findProjection(projections, ConditionSince) ?? null,
    sources,
    get lastMain() {
      return keyIndex.index.currentMain;
    },
    get compactedMain() {
      return keyIndex.index.compactedMain;
    },
    get downsampledBeforeMain() {
      return control.downsampledBeforeMain;
    },
    events,
    damage,
    ...(onlyKey === undefined ? {} : { onlyKey }),
  };
}

export function closeQueryState(state: QueryState): void {
  state.events.close();
}

/** Where a query command's state comes from, and what becomes of it after the answer. */
export interface QueryStateSource {
  /** The state to answer from; `dataDir` is the command line's; `scope` what the answer reads (a hint). */
  open(dataDir: string, scope?: QueryScope): Promise<QueryState>;
  /** Called once the answer is written. */
  release(state: QueryState): void;
}

/** The query commands' own way: the data directory opened read-only, closed after the answer. */
export const readOnlyStates: QueryStateSource = { open: openQueryState, release: closeQueryState };

/**
 * A state its owner keeps open (the daemon's live one, see src/daemon/socket-answers.ts):
 * handed out as it is and never closed here; the command line's data directory is not
 * looked at (the socket it came through is the directory's).
 */
export function keptStates(state: QueryState): QueryStateSource {
  return { open: () => Promise.resolve(state), release: () => undefined };
}

function checkDataDir(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') throw new QueryError('bad-data-dir', `data directory ${dir} does not exist (pass --data-dir)`);
    throw new QueryError('bad-data-dir', `data directory ${dir} cannot be read (${code ?? String(err)})`);
  }
  if (!stat.isDirectory()) throw new QueryError('bad-data-dir', `${dir} is not a directory`);
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
    if (listSegments(nodeFileSystem, dir).length === 0) throw new QueryError('no-data', `data directory ${dir} holds no log yet (has the daemon run?)`);
  } catch (err) {
    if (err instanceof QueryError) throw err;
    throw asQueryError(err, dir);
  }
}

/** Operating errors of recovery as QueryErrors; programmer errors pass through. */
function asQueryError(err: unknown, dir: string): unknown {
  if (err instanceof QueryError) return err;
  if (isWalError(err) || isSnapshotError(err) || isProjectionError(err)) {
    const errno = errnoCode((err as Error).cause);
    if (errno === 'EACCES' || errno === 'EPERM') return new QueryError('bad-data-dir', `data directory ${dir} cannot be read: ${err.message}`, { cause: err });
    if (isWalError(err) && !isDamageCode(err.code)) return new QueryError('bad-data-dir', `data directory ${dir}: ${err.message}`, { cause: err });
    return new QueryError('damaged-log', `${err.message}`, { cause: err });
  }
  const errno = errnoCode(err);
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EISDIR' || errno === 'ENOTDIR') {
    return new QueryError('bad-data-dir', `data directory ${dir} cannot be read (${errno})`, { cause: err });
  }
  return err;
}
