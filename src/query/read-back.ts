/**
 * Reading resource records back for a key-index entry. The newest entry of a live key is
 * answered from the current state in memory; every other one is read from the log at its
 * location. Batches are read in log order (segment, then offset), so a whole-fleet read
 * walks each segment forward once instead of seeking at random.
 */
import type { ChangeEvent } from '../model/events.js';
import type { ResourceRecord } from '../model/resource.js';
import type { IndexedRevision, KeyIndex } from '../mvcc/key-index.js';
import { compareLocations, compareLogPlaces } from '../model/record-location.js';
import { isRecordShaped } from '../projection/event-payload.js';
import { PAST_RECORDS_READ_BATCH_MAX } from '../limits.js';
import { pooledRecord } from '../projection/pooled-record.js';
import { StringPool } from '../projection/string-pool.js';
import { QueryError } from './errors.js';
import type { QueryState } from './query-state.js';
import type { Steps } from './steps.js';

/** A key and one entry of its history. */
export interface KeyRevision {
  readonly key: string;
  readonly revision: IndexedRevision;
  /** Whether `revision` is the key's newest entry, when the caller knows (a key-index walk does). */
  readonly newest?: boolean;
  /** The key's slot in the key index, when the caller knows: a guess (currentRecord). */
  readonly slot?: number;
}

/** The change event at `revision` of `key`, read from the log and checked. */
export function readChange(state: QueryState, key: string, revision: IndexedRevision): ChangeEvent {
  const { main, sub, location } = revision;
  const payload = state.events.read(location, { main, sub }) as { type?: unknown; key?: unknown; record?: unknown } | null;
  const where = `${location.segment} at byte ${location.offsetBytes}`;
  if (typeof payload !== 'object' || payload === null || payload.key !== key) {
    throw new QueryError('damaged-log', `event ${main}.${sub} (${where}) is not a change of ${key}`);
  }
  if (payload.type === 'disappeared') return payload as ChangeEvent;
  if ((payload.type === 'appeared' || payload.type === 'changed') && isRecordShaped(payload.record)) return payload as ChangeEvent;
  throw new QueryError('damaged-log', `event ${main}.${sub} (${where}) is not an appeared/changed/disappeared event`);
}

/** The record `revision` (a put, not a tombstone) of `key` holds. */
export function recordAt(state: QueryState, key: string, revision: IndexedRevision): ResourceRecord {
  const latest = latestRecord(state, key, revision);
  if (latest !== undefined) return latest;
  return recordOf(readChange(state, key, revision), { key, revision });
}

function recordOf(event: ChangeEvent, at: KeyRevision): ResourceRecord {
  if (event.type !== 'disappeared') return event.record;
  const { main, sub } = at.revision;
  throw new QueryError('damaged-log', `revision ${main}.${sub} of ${at.key} is a tombstone, a record was expected`);
}

/** Records for every entry of `wanted` (puts), in the order given; disk reads in log order. */
export function readRecords(state: QueryState, wanted: readonly KeyRevision[]): ResourceRecord[] {
  const out = new Array<ResourceRecord | undefined>(wanted.length);
  const fromDisk: KeyRevision[] = [];
  const at: number[] = [];
  for (let i = 0; i < wanted.length; i++) {
    const w = wanted[i] as KeyRevision;
    const latest = latestRecord(state, w.key, w.revision, w.newest, w.slot);
    if (latest !== undefined) out[i] = latest;
    else {
      fromDisk.push(w);
      at.push(i);
    }
  }
  const read = readLoggedRecords(state, fromDisk);
  for (let j = 0; j < at.length; j++) out[at[j] as number] = read[j];
  return out as ResourceRecord[];
}

/**
 * Records for every entry of `wanted` (puts), all read from the log, in the order given:
 * the reads go in log order (segment, then offset), so one read-ahead window serves many
 * records (LogEvents.batch). For entries known not to be a live key's newest.
 */
export function readLoggedRecords(state: QueryState, wanted: readonly KeyRevision[]): ResourceRecord[] {
  const out = new Array<ResourceRecord>(wanted.length);
  const order = wanted.map((_, i) => i);
  order.sort((a, b) => compareInLog(wanted[a] as KeyRevision, wanted[b] as KeyRevision));
  // The records come in log order, where neighbours are mostly alike: pooled beside the one
  // read before, an answer holding a million of them keeps ~3 objects each, not ~15
  // (at 1 M, `at` a middle revision spent a third less collecting: pooled-record.ts). It
  // pays where nothing is kept as well: a count or a filter then looks up pooled strings,
  // whose hashes are computed already (at 1 M, a middle revision's summary 8.0-8.5 ->
  // 5.6-6.3 s, a page whose filter matches nothing 6.3-6.6 -> 4.5-4.7 s; pooling only
  // for the callers that keep the records was measured and lost that).
  const pool = new StringPool();
  let previous: ResourceRecord | undefined;
  const readAll = (): void => {
    for (const i of order) {
      const w = wanted[i] as KeyRevision;
      out[i] = previous = pooledRecord(pool, recordOf(readChange(state, w.key, w.revision), w), w.key, previous);
    }
  };
  if (state.events.batch === undefined) readAll();
  else state.events.batch(readAll);
  return out;
}

/**
 * Every entry visible at `atMain` (below the newest revision) with its record, as steps
 * (steps.ts). The key index is walked `perStep` keys a step, each step a fresh walk after
 * the last key, and an entry that is a live key's newest gets the current state's record
 * within that step (a commit between steps changes the current state); the others are then
 * read from the log in log order, `perStep` a step, each read's records let go once visited.
 * `visit` gets each record with its entry's position in key order (memory's first, in key
 * order, then the log's, in log order) and whether it was read from the log. Returns how
 * many entries were visible. At a million records, holding them all decoded cost more in
 * garbage collection than reading them; the entries waiting to be read are kept as columns
 * (LoggedEntries), not as an entry and a location object each.
 */
export function* visitPastRecords(
  state: QueryState, atMain: number, visit: (record: ResourceRecord, position: number, fromLog: boolean) => void, perStep = PAST_RECORDS_READ_BATCH_MAX,
): Steps<number> {
  const fromDisk = new LoggedEntries();
  const positions: number[] = [];
  let visible = 0;
  let from = '';
  for (;;) {
    let walked = 0;
    let last = '';
    state.index.visitVisible(from, atMain, (ki, entry) => {
      const latest = entry === ki.length - 1 ? currentRecord(state, ki.key, ki.keySlot) : undefined;
      if (latest !== undefined) visit(latest, visible, false);
      else {
        fromDisk.add(ki, entry);
        positions.push(visible);
      }
      visible++;
      last = ki.key;
      return ++walked < perStep;
    });
    if (walked < perStep) break;
    from = `${last}\u0000`; // the first key after `last`
    yield;
  }
  yield* readEntriesInSteps(state, fromDisk, (record, j) => visit(record, positions[j] as number, true), perStep);
  return visible;
}

/**
 * The records of every entry of `wanted` (puts, none a live key's newest), read from the log
 * in log order `perStep` at a time, a step each (steps.ts); `visit` gets each with its index
 * in `wanted`, and the records of a read are let go once visited.
 */
export function* readLoggedInSteps(
  state: QueryState, wanted: readonly KeyRevision[], visit: (record: ResourceRecord, index: number) => void, perStep = PAST_RECORDS_READ_BATCH_MAX,
): Steps<void> {
  const at = (j: number): KeyRevision => wanted[j] as KeyRevision;
  yield* readInSteps(state, wanted.length, at, (a, b) => compareInLog(at(a), at(b)), visit, perStep);
}

/** readLoggedInSteps over entries kept as columns (LoggedEntries): each KeyRevision is made only in the step that reads it. */
export function* readEntriesInSteps(
  state: QueryState, entries: LoggedEntries, visit: (record: ResourceRecord, index: number) => void, perStep = PAST_RECORDS_READ_BATCH_MAX,
): Steps<void> {
  yield* readInSteps(state, entries.length, (j) => entries.at(j), (a, b) => entries.compare(a, b), visit, perStep);
}

/** readLoggedInSteps over `count` entries, the j-th given by `at(j)`, `compare` ordering two by their place in the log. */
function* readInSteps(
  state: QueryState, count: number, at: (j: number) => KeyRevision, compare: (a: number, b: number) => number,
  visit: (record: ResourceRecord, index: number) => void, perStep: number,
): Steps<void> {
  const order = Array.from({ length: count }, (_, j) => j).sort(compare);
  for (let s = 0; s < order.length; s += perStep) {
    if (s > 0) yield;
    const read = order.slice(s, s + perStep);
    const records = readLoggedRecords(state, read.map(at));
    for (let j = 0; j < read.length; j++) visit(records[j] as ResourceRecord, read[j] as number);
  }
}

/**
 * Puts of the key index to read from the log, as columns: each entry's key and segment (the
 * key index's own strings) and three numbers, copied when walked — a KeyIndex may change
 * between two steps (a commit, a compaction), the values taken do not. A whole-fleet walk
 * at 1 M kept an entry, a location and a walk result object per key until read: ~0.3-1.3 s
 * of allocation and collection, against ~0.1 s for the walk itself. A diff's reads keep
 * their puts here too (diff-filter.ts).
 */
export class LoggedEntries {
  private readonly keys: string[] = [];
  private readonly segments: string[] = [];
  /** main, sub, offset, per entry. */
  private readonly numbers: number[] = [];

  get length(): number {
    return this.keys.length;
  }

  /** Entry `entry` of `ki`, a put. */
  add(ki: KeyIndex, entry: number): void {
    this.addPut(ki.key, ki.mainOf(entry), ki.subOf(entry), ki.segmentOf(entry), ki.offsetOf(entry));
  }

  /** A put of `key` given by its parts (taken from the key index earlier). */
  addPut(key: string, main: number, sub: number, segment: string, offsetBytes: number): void {
    this.keys.push(key);
    this.segments.push(segment);
    this.numbers.push(main, sub, offsetBytes);
  }

  at(j: number): KeyRevision {
    const n = this.numbers;
    const location = { segment: this.segments[j] as string, offsetBytes: n[j * 3 + 2] as number };
    return { key: this.keys[j] as string, revision: { main: n[j * 3] as number, sub: n[j * 3 + 1] as number, tombstone: false, location } };
  }

  /** Log order: segment, then offset. */
  compare(a: number, b: number): number {
    return compareLogPlaces(this.segments[a] as string, this.numbers[a * 3 + 2] as number, this.segments[b] as string, this.numbers[b * 3 + 2] as number);
  }
}

/**
 * The current record when `revision` is the key's newest entry and the key is live. With
 * `newest` (the walk that found the entry knew), the key index is not asked again: at a
 * million entries that lookup was ~0.5 s of a whole-fleet read.
 */
export function latestRecord(state: QueryState, key: string, revision: IndexedRevision, newest?: boolean, slot?: number): ResourceRecord | undefined {
  if (revision.tombstone || newest === false) return undefined;
  if (newest === true) return currentRecord(state, key, slot);
  const last = state.index.keyIndex(key)?.last();
  if (last === undefined || last.main !== revision.main || last.sub !== revision.sub || last.tombstone) return undefined;
  return currentRecord(state, key, slot);
}

/**
 * The current state's record of `key`. `slot`, the key's slot in the key index when the
 * walk that found the key knew it, is tried first: the current state kept by the key
 * index's slots holds the key there, and one compare of the key (the index's own string)
 * stands for a hash lookup in a map of every key (~0.5 s of a day's diff at 1 M). A slot
 * holding another key, or none, is looked up by key as before.
 */
export function currentRecord(state: QueryState, key: string, slot?: number): ResourceRecord | undefined {
  const current = state.current;
  if (slot !== undefined && slot >= 0 && current.keyAt(slot) === key) return current.recordAt(slot);
  return current.get(key);
}

function compareInLog(a: KeyRevision, b: KeyRevision): number {
  return compareLocations(a.revision.location, b.revision.location);
}
