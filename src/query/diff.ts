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
import { readLoggedRecords, readRecords, type KeyRevision } from './read-back.js';

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
  // Records to read from the log, and where each goes: its kind and index in that list
  // (parallel arrays: one allocation per record read is the records themselves).
  const logged: KeyRevision[] = [];
  const slotKinds: Slot[] = [];
  const slotAt: number[] = [];
  const appeared: Array<ResourceRecord | undefined> = [];
  const gone: Array<{ key: string; last: ResourceRecord | undefined }> = [];
  // Each pair becomes the ChangedResource itself once its diff is known.
  const pairs: Array<{ key: string; before: ResourceRecord | undefined; after: ResourceRecord | undefined; diff: FieldChange[] }> = [];
  const read = (key: string, revision: IndexedRevision, slot: Slot, at: number): undefined => {
    logged.push({ key, revision });
    slotKinds.push(slot);
    slotAt.push(at);
    return undefined;
  };
  for (const ki of state.index.keyIndexes()) {
    const newestMain = ki.lastMain();
    if (newestMain <= fromMain) continue;
    const key = ki.key;
    // Entry indices (-1: nothing visible), so a key needs no entry object unless read.
    const a = ki.visibleAt(fromMain);
    const b = ki.visibleAt(toMain);
    if (a === b) continue;
    // At or past the key's newest entry, a put seen at `toMain` is the current record.
    const bNow = b >= 0 && toMain >= newestMain ? state.current.get(key) : undefined;
    if (a < 0) appeared.push(bNow ?? read(key, ki.entry(b), 'appeared', appeared.length));
    else if (b < 0) gone.push({ key, last: read(key, ki.entry(a), 'gone', gone.length) });
    else {
      const at = pairs.length;
      pairs.push({ key, before: read(key, ki.entry(a), 'before', at), after: bNow ?? read(key, ki.entry(b), 'after', at), diff: NO_CHANGES });
    }
  }
  const records = readLoggedRecords(state, logged);
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as ResourceRecord;
    const slot = slotKinds[i] as Slot;
    const at = slotAt[i] as number;
    if (slot === 'appeared') appeared[at] = r;
    else if (slot === 'gone') (gone[at] as { last: ResourceRecord | undefined }).last = r;
    else (pairs[at] as { before?: ResourceRecord; after?: ResourceRecord })[slot] = r;
  }
  const changed: ChangedResource[] = [];
  for (const p of pairs) {
    p.diff = diffRecords(p.before as ResourceRecord, p.after as ResourceRecord);
    if (p.diff.length > 0) changed.push(p as ChangedResource);
  }
  return {
    appeared: appeared as ResourceRecord[],
    changed,
    disappeared: gone as Array<{ key: string; last: ResourceRecord }>,
  };
}

const NO_CHANGES: FieldChange[] = [];

type Slot = 'appeared' | 'gone' | 'before' | 'after';

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
