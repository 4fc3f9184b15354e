/**
 * The revision history of one resource key: etcd's keyIndex model.
 *
 * A key lives through generations. A generation starts with the first put after creation
 * (or after a tombstone) and ends with a tombstone; the last generation is open (it may be
 * empty, which means the key is currently deleted). For example,
 * put(1.0); put(2.0); tombstone(3.0); put(4.0); tombstone(5.0) on key "foo" gives:
 *
 *   key: "foo"
 *   generations:
 *     {empty}
 *     {4.0, 5.0(t)}
 *     {1.0, 2.0, 3.0(t)}
 *
 * Compacting at revision `r` removes the revisions at or below `r` except the largest one of
 * the generation that `r` falls in (that one is still visible at `r`). A generation left
 * holding only its tombstone is removed too, and so is a key left with no revisions at all.
 *
 *   compact(2):  {empty}  {4.0, 5.0(t)}  {2.0, 3.0(t)}     available: {2.0}
 *   compact(4):  {empty}  {4.0, 5.0(t)}                    available: {4.0}
 *   compact(5):  {empty}  -> the key should be removed     available: {}
 *   compact(6):  {empty}  -> the key should be removed     available: {}
 *
 * `keep(r)` reports what `compact(r)` would keep, without changing the index, except that a
 * tombstone is never reported as kept (a deleted key has nothing to read back).
 *
 * Downsampling (the retention policy's daily snapshots) thins a window [from, before) of
 * history to one revision per generation per day: within the window it keeps the first
 * entry of each generation (when the resource appeared), every tombstone (when it went
 * away), and the last entry of each day bucket (the state at the day's end). With day
 * buckets starting at 3 and 6, and put(1) put(2) put(4) put(5) tombstone(7) put(8):
 *
 *   downsample([0, 8), days 3, 6):  {1.0, 2.0 | 4.0, 5.0 | 7.0(t)}  {8.0}
 *                            keeps:   1.0 first, 2.0 last of its day, 5.0, 7.0(t)  8.0
 *
 * so the record at every day's end, and every lifetime's start and end, read as before.
 *
 * Layout. Memory holds the index only; the events themselves are read back from the log at
 * each entry's location. Because a tombstone always closes a generation, the generations
 * need no structure of their own: one flat array of entries in revision order, each flagged
 * tombstone or not, is enough, and every compaction keeps a suffix of it. An entry is three
 * float64 slots in a plain number array: `main`, `packed`, `offsetBytes`, with
 * `packed = sub * 2^22 + segmentId * 2 + tombstoneBit` (see src/limits.ts). A plain double
 * array costs ~16 bytes of header where a Float64Array costs ~170 (measured on Node 20), and
 * most keys hold one to three entries, so the plain array wins; an entry costs 24 bytes plus
 * growth slack (at most 1.25x past eight entries).
 *
 * Invariants: entries are strictly increasing by (main, sub); a tombstone never follows a
 * tombstone; the first entry is never a tombstone (compaction drops lone tombstones).
 */
import assert from 'node:assert/strict';
import type { RecordLocation } from '../model/record-location.js';
import { MvccError } from './errors.js';
import { MVCC_OFFSET_BYTES_MAX, MVCC_SEGMENT_ID_BITS, MVCC_SUB_MAX } from '../limits.js';
import type { Revision } from './revision.js';
import { assertRevisionPart, compareRevisionParts } from './revision.js';
import type { RevisionSet } from './revision-set.js';
import type { SegmentTable } from './segment-table.js';

/** One entry of a key's history, as handed to callers (allocated on read, never stored). */
export interface IndexedRevision {
  readonly main: number;
  readonly sub: number;
  readonly tombstone: boolean;
  readonly location: RecordLocation;
}

const STRIDE = 3;
const SLOT_MAIN = 0;
const SLOT_PACKED = 1;
const SLOT_OFFSET = 2;
const SUB_FACTOR = 2 ** (MVCC_SEGMENT_ID_BITS + 1);
const EMPTY: number[] = [];

export class KeyIndex {
  readonly key: string;
  /**
   * The key's number in its TreeIndex while the index holds it (TreeIndex.slotOf): dense,
   * and reused only once compaction has removed the key. -1 outside an index.
   */
  keySlot = -1;
  private readonly segments: SegmentTable;
  /** `count * STRIDE` slots in use; the rest is growth room. */
  private slots: number[] = EMPTY;
  private count = 0;

  constructor(key: string, segments: SegmentTable) {
    this.key = key;
    this.segments = segments;
  }

  /** Entries held (tombstones included). */
  get length(): number {
    return this.count;
  }

  /** etcd's isEmpty: no revisions left at all (never put, or compacted away). */
  isEmpty(): boolean {
    return this.count === 0;
  }

  /** The key exists at the newest revision: its open generation is not empty. */
  isLive(): boolean {
    return this.count > 0 && !this.isTombstoneAt(this.count - 1);
  }

  /** The newest entry, or undefined when empty. */
  last(): IndexedRevision | undefined {
    return this.count === 0 ? undefined : this.entryAt(this.count - 1);
  }

  /** The newest entry's main, without allocating it (0 when empty). */
  lastMain(): number {
    return this.count === 0 ? 0 : this.mainAt(this.count - 1);
  }

  /** The open generation's entries, oldest first (empty when the key is deleted). */
  openGeneration(): IndexedRevision[] {
    const out: IndexedRevision[] = [];
    for (let i = this.openGenerationStart(); i < this.count; i++) out.push(this.entryAt(i));
    return out;
  }

  /** The main of the open generation's first entry (when the live resource appeared), or undefined. */
  openGenerationFirstMain(): number | undefined {
    const start = this.openGenerationStart();
    return start < this.count ? this.mainAt(start) : undefined;
  }

  /** Index of the open generation's first entry (`length` when it is empty). */
  openGenerationStart(): number {
    let start = this.count;
    while (start > 0 && !this.isTombstoneAt(start - 1)) start--;
    return start;
  }

  /** The entry at `index` (0 = oldest held), for walks that read only a few entries. */
  entry(index: number): IndexedRevision {
    // Hot in history walks: the message is built only on failure (assert.ok takes rest
    // arguments and the template would be formatted on every call).
    if (!(Number.isInteger(index) && index >= 0 && index < this.count)) assert.fail(`entry ${index} of ${this.count}`);
    return this.entryAt(index);
  }

  /** The main of the entry at `index`, without allocating it. */
  mainOf(index: number): number {
    if (!(Number.isInteger(index) && index >= 0 && index < this.count)) assert.fail(`entry ${index} of ${this.count}`);
    return this.mainAt(index);
  }

  /** The sub of the entry at `index`, without allocating it (see mainOf). */
  subOf(index: number): number {
    if (!(Number.isInteger(index) && index >= 0 && index < this.count)) assert.fail(`entry ${index} of ${this.count}`);
    return this.subAt(index);
  }

  /** The segment of the entry at `index` (the segment table's own string), without allocating the entry. */
  segmentOf(index: number): string {
    if (!(Number.isInteger(index) && index >= 0 && index < this.count)) assert.fail(`entry ${index} of ${this.count}`);
    return this.segments.nameOf(this.segmentIdAt(index));
  }

  /** The byte offset of the entry at `index` in its segment, without allocating the entry. */
  offsetOf(index: number): number {
    if (!(Number.isInteger(index) && index >= 0 && index < this.count)) assert.fail(`entry ${index} of ${this.count}`);
    return this.slot(index, SLOT_OFFSET);
  }

  /** Records a new version of the key. `rev` must be greater than every revision held. */
  put(rev: Revision, location: RecordLocation): void {
    this.append(rev, location, 0);
  }

  /** Ends the open generation. Throws MVCC_TOMBSTONE_ON_EMPTY when there is none. */
  tombstone(rev: Revision, location: RecordLocation): void {
    if (!this.isLive()) {
      throw new MvccError('MVCC_TOMBSTONE_ON_EMPTY', `tombstone on a deleted or empty key ${this.key}`, {
        key: this.key,
        main: rev.main,
      });
    }
    this.append(rev, location, 1);
  }

  /**
   * The entry visible at `atMain`: the newest put at or below it, unless a tombstone at or
   * below it came later (then the key did not exist at `atMain`: undefined).
   */
  get(atMain: number): IndexedRevision | undefined {
    const i = this.visibleAt(atMain);
    return i < 0 ? undefined : this.entryAt(i);
  }

  /**
   * get() as an index (see entry), allocating nothing: -1 when nothing is visible at
   * `atMain` (not yet appeared, or a tombstone). Equal indices are the same entry.
   */
  visibleAt(atMain: number): number {
    assertRevisionPart(atMain, 'get main');
    const i = this.lastIndexAtOrBelow(atMain, 0, this.count);
    return i < 0 || this.isTombstoneAt(i) ? -1 : i;
  }

  /**
   * Entries with main ≥ `sinceMain`, ascending, tombstones included. When several entries
   * share a main only the last is returned, as etcd does (earlier ones were never visible
   * outside their commit).
   */
  since(sinceMain: number): IndexedRevision[] {
    assertRevisionPart(sinceMain, 'since main');
    const out: IndexedRevision[] = [];
    let i = this.lastIndexAtOrBelow(sinceMain - 1, 0, this.count) + 1;
    for (; i < this.count; i++) {
      const main = this.mainAt(i);
      if (i + 1 < this.count && this.mainAt(i + 1) === main) continue;
      out.push(this.entryAt(i));
    }
    return out;
  }

  /** Every entry held, ascending: the key's history as far as compaction left it. */
  history(): IndexedRevision[] {
    const out: IndexedRevision[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.entryAt(i));
    return out;
  }

  /** The generations, newest first, as in etcd's picture (the open one may be empty). */
  generations(): IndexedRevision[][] {
    const gens: IndexedRevision[][] = [[]];
    for (let i = 0; i < this.count; i++) {
      const open = gens[0];
      assert.ok(open !== undefined);
      open.push(this.entryAt(i));
      if (this.isTombstoneAt(i)) gens.unshift([]);
    }
    for (const g of gens) g.reverse();
    return gens;
  }

  /**
   * Drops history at or below `atMain` except what is visible at `atMain`, adding the kept
   * revision (if any) to `available`. The key may be left empty: the caller removes it.
   */
  compact(atMain: number, available: RevisionSet): void {
    if (!(this.count > 0)) assert.fail(`compact on an empty key index ${this.key}`);
    const point = this.findCompactPoint(atMain, available);
    let start = point.genStart;
    if (point.genStart < point.genEnd) {
      if (point.kept >= 0) start = point.kept;
      // A closed generation reduced to its tombstone shows nothing at atMain: drop it.
      if (point.genEnd - start === 1 && this.isTombstoneAt(point.genEnd - 1)) {
        available.delete(this.mainAt(start), this.subAt(start));
        start = point.genEnd;
      }
    }
    this.dropBefore(start);
  }

  /** Adds to `available` what compact(atMain) would keep, tombstones excepted; no change. */
  keep(atMain: number, available: RevisionSet): void {
    if (this.count === 0) return;
    const point = this.findCompactPoint(atMain, available);
    if (point.genStart === point.genEnd) return;
    if (point.kept === point.genEnd - 1 && this.isTombstoneAt(point.kept)) {
      available.delete(this.mainAt(point.kept), this.subAt(point.kept));
    }
  }

  /**
   * Thins entries with main in [fromMain, beforeMain) to day granularity (see the file
   * comment); `dayStarts` are the first mains of each day bucket, ascending. Returns how
   * many entries it dropped. Never leaves a generation without its first entry.
   */
  downsample(fromMain: number, beforeMain: number, dayStarts: readonly number[]): number {
    assertRevisionPart(fromMain, 'downsample from');
    assert.ok(beforeMain > fromMain, 'downsample window is not empty');
    const n = this.count;
    let write = 0;
    for (let i = 0; i < n; i++) {
      const main = this.mainAt(i);
      const inWindow = main >= fromMain && main < beforeMain;
      if (!inWindow || this.keepsAtDayGranularity(i, beforeMain, dayStarts)) {
        if (write !== i) this.copyEntry(i, write);
        write++;
      }
    }
    const dropped = n - write;
    if (dropped > 0) {
      this.count = write;
      this.slots = this.slots.slice(0, write * STRIDE);
    }
    assert.ok(this.count === 0 || !this.isTombstoneAt(0), 'a generation never starts with its tombstone');
    return dropped;
  }

  /** The used slots, copied: the key's whole state, for snapshots. */
  exportSlots(): number[] {
    return this.slots.slice(0, this.count * STRIDE);
  }

  /** Rebuilds a key index from exportSlots() output; returns undefined if malformed. */
  static fromSlots(key: string, segments: SegmentTable, slots: ArrayLike<number>): KeyIndex | undefined {
    if (slots.length === 0 || slots.length % STRIDE !== 0) return undefined;
    const ki = new KeyIndex(key, segments);
    const count = slots.length / STRIDE;
    ki.slots = newSlots(count * STRIDE);
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i];
      if (v === undefined || !Number.isSafeInteger(v) || v < 0) return undefined;
      ki.slots[i] = v;
    }
    ki.count = count;
    return ki.isWellFormed() ? ki : undefined;
  }

  private isWellFormed(): boolean {
    if (this.count > 0 && this.isTombstoneAt(0)) return false;
    for (let i = 0; i < this.count; i++) {
      if (this.segmentIdAt(i) >= this.segments.size) return false;
      if (i === 0) continue;
      const order = compareRevisionParts(this.mainAt(i), this.subAt(i), this.mainAt(i - 1), this.subAt(i - 1));
      if (order <= 0 || (this.isTombstoneAt(i) && this.isTombstoneAt(i - 1))) return false;
    }
    return true;
  }

  private append(rev: Revision, location: RecordLocation, tombstoneBit: 0 | 1): void {
    const { main, sub } = rev;
    assertRevisionPart(main, 'revision main');
    assertRevisionPart(sub, 'revision sub');
    if (sub > MVCC_SUB_MAX) assert.fail(`revision sub ${sub} over ${MVCC_SUB_MAX}`);
    const offset = location.offsetBytes;
    if (!(Number.isSafeInteger(offset) && offset >= 0 && offset <= MVCC_OFFSET_BYTES_MAX)) {
      assert.fail(`bad record offset ${offset}`);
    }
    const n = this.count;
    if (n > 0 && compareRevisionParts(main, sub, this.mainAt(n - 1), this.subAt(n - 1)) <= 0) {
      assert.fail(`put at ${main}.${sub} not after ${this.mainAt(n - 1)}.${this.subAt(n - 1)} on ${this.key}`);
    }
    if ((n + 1) * STRIDE > this.slots.length) this.grow(n + 1);
    const base = n * STRIDE;
    const segmentId = this.segments.idOf(location.segment);
    this.slots[base + SLOT_MAIN] = main;
    this.slots[base + SLOT_PACKED] = sub * SUB_FACTOR + segmentId * 2 + tombstoneBit;
    this.slots[base + SLOT_OFFSET] = offset;
    this.count = n + 1;
  }

  /** In a window being downsampled: first of its generation, a tombstone, or last of its day. */
  private keepsAtDayGranularity(i: number, beforeMain: number, dayStarts: readonly number[]): boolean {
    if (i === 0 || this.isTombstoneAt(i - 1) || this.isTombstoneAt(i)) return true;
    if (i + 1 >= this.count) return true;
    const next = this.mainAt(i + 1);
    if (next >= beforeMain) return true;
    return dayBucket(next, dayStarts) !== dayBucket(this.mainAt(i), dayStarts);
  }

  private copyEntry(from: number, to: number): void {
    for (let k = 0; k < STRIDE; k++) this.slots[to * STRIDE + k] = this.slots[from * STRIDE + k] as number;
  }

  private grow(entriesMin: number): void {
    const cap = this.slots.length / STRIDE;
    // Doubling up to 8 entries, then a quarter more each time: a key's slack averages an
    // eighth of its entries instead of a quarter (1.5x), for a copy every few puts.
    let next = cap === 0 ? 1 : cap < 8 ? cap * 2 : cap + (cap >> 2);
    if (next < entriesMin) next = entriesMin;
    const slots = newSlots(next * STRIDE);
    const used = this.count * STRIDE;
    for (let i = 0; i < used; i++) slots[i] = this.slots[i] as number;
    this.slots = slots;
  }

  /** Keeps entries [start, count), in an exactly sized array. */
  private dropBefore(start: number): void {
    if (start === 0) return;
    const remaining = this.count - start;
    const slots = remaining === 0 ? EMPTY : newSlots(remaining * STRIDE);
    for (let i = 0; i < remaining * STRIDE; i++) slots[i] = this.slots[start * STRIDE + i] as number;
    this.slots = slots;
    this.count = remaining;
  }

  /**
   * etcd's doCompact: the first generation whose tombstone is at or after `atMain` (or the
   * open one), [genStart, genEnd); and in it the newest entry at or below `atMain` (`kept`,
   * -1 if none), which is added to `available`.
   */
  private findCompactPoint(atMain: number, available: RevisionSet): CompactPoint {
    assertRevisionPart(atMain, 'compact main');
    let genStart = 0;
    for (let i = 0; i < this.count && this.mainAt(i) < atMain; i++) {
      if (this.isTombstoneAt(i)) genStart = i + 1;
    }
    let genEnd = genStart;
    while (genEnd < this.count && !this.isTombstoneAt(genEnd)) genEnd++;
    if (genEnd < this.count) genEnd++; // the closing tombstone belongs to the generation
    const kept = this.lastIndexAtOrBelow(atMain, genStart, genEnd);
    if (kept >= genStart) available.add(this.mainAt(kept), this.subAt(kept));
    return { genStart, genEnd, kept: kept >= genStart ? kept : -1 };
  }

  /** The last index in [lo, hi) whose main is ≤ atMain, or lo - 1. Binary search. */
  private lastIndexAtOrBelow(atMain: number, lo: number, hi: number): number {
    let left = lo;
    let right = hi;
    while (left < right) {
      const mid = (left + right) >>> 1;
      if (this.mainAt(mid) <= atMain) left = mid + 1;
      else right = mid;
    }
    return left - 1;
  }

  private entryAt(i: number): IndexedRevision {
    return {
      main: this.mainAt(i),
      sub: this.subAt(i),
      tombstone: this.isTombstoneAt(i),
      location: { segment: this.segments.nameOf(this.segmentIdAt(i)), offsetBytes: this.slot(i, SLOT_OFFSET) },
    };
  }

  private slot(i: number, which: number): number {
    return this.slots[i * STRIDE + which] as number;
  }

  private mainAt(i: number): number {
    return this.slot(i, SLOT_MAIN);
  }

  private subAt(i: number): number {
    return Math.floor(this.slot(i, SLOT_PACKED) / SUB_FACTOR);
  }

  private segmentIdAt(i: number): number {
    return Math.floor((this.slot(i, SLOT_PACKED) % SUB_FACTOR) / 2);
  }

  private isTombstoneAt(i: number): boolean {
    return this.slot(i, SLOT_PACKED) % 2 === 1;
  }
}

interface CompactPoint {
  genStart: number;
  genEnd: number;
  kept: number;
}

/** Index of the day bucket holding `main`: the last day start at or below it (-1: before all). */
function dayBucket(main: number, dayStarts: readonly number[]): number {
  let left = 0;
  let right = dayStarts.length;
  while (left < right) {
    const mid = (left + right) >>> 1;
    if ((dayStarts[mid] as number) <= main) left = mid + 1;
    else right = mid;
  }
  return left - 1;
}

/**
 * A holey-double array of `length` slots. Writing -0 (not a small integer) makes V8 pick
 * double elements up front, so later writes of large values do not transition the array.
 */
function newSlots(length: number): number[] {
  const slots = new Array<number>(length);
  for (let i = 0; i < length; i++) slots[i] = -0;
  return slots;
}
