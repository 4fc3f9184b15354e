/**
 * What changed between two revisions, and what disappeared in a window.
 *
 * Both walk the key index once, skipping at once every key whose newest entry is at or
 * below the start (most keys, for a short window), then read the records they need from
 * the log in one batch, in log order. A key that changed and changed back within the
 * window is not reported by the diff; one that disappeared and came back is reported as
 * changed (its record at both ends), and by `disappearedBetween` as disappeared.
 */
import { diffRecords } from '../changes/diff.js';
import type { FieldChange } from '../model/events.js';
import type { ResourceRecord } from '../model/resource.js';
import type { IndexedRevision } from '../mvcc/key-index.js';
import { QueryError } from './errors.js';
import { checkRevision } from './point.js';
import type { QueryState } from './query-state.js';
import { readRecords, type KeyRevision } from './read-back.js';

export interface ChangedResource {
  key: string;
  before: ResourceRecord;
  after: ResourceRecord;
  diff: FieldChange[];
}

export interface RevisionDiff {
  appeared: ResourceRecord[];
  changed: ChangedResource[];
  disappeared: Array<{ key: string; last: ResourceRecord }>;
}

export interface Disappearance {
  key: string;
  main: number;
  timeMs: number | null;
  /** The record just before it disappeared. */
  last: ResourceRecord;
}

/** Appeared, changed and disappeared between `fromMain` and `toMain` (fromMain ≤ toMain). */
export function diffRevisions(state: QueryState, fromMain: number, toMain: number): RevisionDiff {
  checkWindow(state, fromMain, toMain);
  const appeared: KeyRevision[] = [];
  const gone: KeyRevision[] = [];
  const before: KeyRevision[] = [];
  const after: KeyRevision[] = [];
  for (const ki of state.index.keyIndexes()) {
    if (ki.lastMain() <= fromMain) continue;
    const a = ki.get(fromMain);
    const b = ki.get(toMain);
    if (a === undefined && b !== undefined) appeared.push({ key: ki.key, revision: b });
    else if (a !== undefined && b === undefined) gone.push({ key: ki.key, revision: a });
    else if (a !== undefined && b !== undefined && (a.main !== b.main || a.sub !== b.sub)) {
      before.push({ key: ki.key, revision: a });
      after.push({ key: ki.key, revision: b });
    }
  }
  const records = readRecords(state, [...appeared, ...gone, ...before, ...after]);
  const changed: ChangedResource[] = [];
  const firstBefore = appeared.length + gone.length;
  for (let i = 0; i < before.length; i++) {
    const b = records[firstBefore + i] as ResourceRecord;
    const a = records[firstBefore + before.length + i] as ResourceRecord;
    const diff = diffRecords(b, a);
    if (diff.length > 0) changed.push({ key: b.key, before: b, after: a, diff });
  }
  return {
    appeared: records.slice(0, appeared.length),
    changed,
    disappeared: gone.map((g, i) => ({ key: g.key, last: records[appeared.length + i] as ResourceRecord })),
  };
}

/** Every disappearance with sinceMain < main ≤ untilMain, in revision order. */
export function disappearedBetween(state: QueryState, sinceMain: number, untilMain: number): Disappearance[] {
  checkWindow(state, sinceMain, untilMain);
  const tombstones: IndexedRevision[] = [];
  const lastPuts: KeyRevision[] = [];
  for (const ki of state.index.keyIndexes()) {
    if (ki.lastMain() <= sinceMain) continue;
    const history = ki.history();
    for (let i = 1; i < history.length; i++) {
      const e = history[i] as IndexedRevision;
      if (!e.tombstone || e.main <= sinceMain || e.main > untilMain) continue;
      tombstones.push(e);
      lastPuts.push({ key: ki.key, revision: history[i - 1] as IndexedRevision });
    }
  }
  const records = readRecords(state, lastPuts);
  const order = tombstones.map((_, i) => i);
  order.sort((a, b) => (tombstones[a] as IndexedRevision).main - (tombstones[b] as IndexedRevision).main || (tombstones[a] as IndexedRevision).sub - (tombstones[b] as IndexedRevision).sub);
  return order.map((i): Disappearance => {
    const main = (tombstones[i] as IndexedRevision).main;
    return { key: (lastPuts[i] as KeyRevision).key, main, timeMs: state.times.timeOf(main), last: records[i] as ResourceRecord };
  });
}

function checkWindow(state: QueryState, fromMain: number, toMain: number): void {
  checkRevision(state, fromMain);
  checkRevision(state, toMain);
  if (fromMain > toMain) throw new QueryError('bad-point', `the window runs backwards: ${fromMain} is after ${toMain}`);
}
