/**
 * Every resource key's KeyIndex, ordered by key on a B+ tree (sorted-btree), so that one
 * account, region or type is a contiguous range: `aws/123456789012/` is a prefix scan.
 *
 * Invariants: revisions arrive strictly increasing across the whole index (log order), so
 * the current revision never goes backwards; `compactedMain ≤ currentMain`; reads below the
 * compacted revision throw MVCC_COMPACTED and reads above the current one MVCC_FUTURE_REV;
 * no KeyIndex in the tree is empty (compaction removes emptied keys).
 */
import assert from 'node:assert/strict';
import { flatString } from '../model/flat-string.js';
import type { RecordLocation } from '../model/record-location.js';
import { MvccError } from './errors.js';
import type { IndexedRevision } from './key-index.js';
import { KeyIndex } from './key-index.js';
import type { Revision } from './revision.js';
import { assertRevisionPart, compareRevisionParts } from './revision.js';
import { RevisionSet } from './revision-set.js';
import { SegmentTable } from './segment-table.js';
import { BTree, bulkLoad, compareStrings } from './sorted-btree.js';

/** A key and the entry visible for it at the revision a scan asked for. */
export interface VisibleKey {
  readonly key: string;
  readonly revision: IndexedRevision;
  /** `revision` is the key's newest entry (when the key was walked). */
  readonly newest: boolean;
  /** The key's slot (KeyIndex.keySlot) when it was walked. */
  readonly slot: number;
}

/** What compaction removed, besides the `available` set it returns. */
export interface CompactionOutcome {
  readonly available: RevisionSet;
  readonly keysRemoved: number;
  readonly revisionsRemoved: number;
}

export class TreeIndex {
  readonly segments: SegmentTable;
  /** Ordered access: ranges, prefixes, compaction. */
  private tree: BTree<string, KeyIndex>;
  /**
   * The same KeyIndexes by key, for point lookups: a hash lookup instead of ~log2(n)
   * comparisons of long keys that share most of their prefix. Costs a Map entry per key;
   * halves the cost of a put on replay (measured on Node 20).
   *
   * A restored index starts with this map empty and fills it afterwards, a step at a time
   * (fillKeyMap): at a million keys building it took ~1.1 s of a ~7.5 s restart. Until it
   * is whole, a key it lacks is looked up in the tree (~2.4× the map's time, measured at
   * 1 M) and then kept in it. Invariant: every entry is a key held, under its own key; once
   * whole (keyMapCursor −1), every key held has one.
   */
  private readonly byKey = new Map<string, KeyIndex>();
  /** The first slot fillKeyMap has not put in byKey yet; −1: the map is whole. */
  private keyMapCursor = -1;
  /**
   * The same KeyIndexes by slot (KeyIndex.keySlot), and the slots compaction freed: other
   * projections keep per-key state in arrays by slot (the current state, counts, condition
   * ages: src/projection/key-slots.ts), so that applying an event or restoring a checkpoint
   * costs them no map of their own.
   */
  private readonly bySlot: (KeyIndex | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /**
   * By slot: the slot of the key put or tombstoned right after it last time (-1: none yet),
   * and the slot of the key changed last. A log repeats its order (each scope is listed in
   * much the same order every cycle, and a replay reads those cycles back), so the next key
   * is most often the one that followed last time: a guess costs one string compare, where
   * the map hashes the fresh key string (each event's own) and probes a table of every key.
   * A guess counts only when the slot's key equals the key, so a stale one (its slot freed
   * and reused) only costs the compare. At 1 M keys: 0.17 µs a put guessed, 0.55 through
   * the map (`/tmp` micro-benchmark, fresh key strings in a repeated order).
   */
  private successors = new Int32Array(0);
  private lastChanged = -1;
  private lastMain = 0;
  /** -1 until the first revision: any revision at main 0 is then still "after" it. */
  private lastSub = -1;
  private compacted = 0;
  private live = 0;
  private revisions = 0;

  constructor(segments: SegmentTable = new SegmentTable()) {
    this.segments = segments;
    this.tree = new BTree<string, KeyIndex>(undefined, compareStrings);
  }

  /** The newest revision main applied (0 before any). */
  get currentMain(): number {
    return this.lastMain;
  }

  /** The newest revision applied, or undefined before any. */
  get currentRevision(): Revision | undefined {
    return this.lastSub < 0 ? undefined : { main: this.lastMain, sub: this.lastSub };
  }

  /** Reads below this main fail with MVCC_COMPACTED (0: nothing compacted). */
  get compactedMain(): number {
    return this.compacted;
  }

  /** Keys held, deleted ones with retained history included. */
  get keyCount(): number {
    return this.tree.size;
  }

  /** Entries held across all keys (tombstones included): the historical revision count. */
  get revisionCount(): number {
    return this.revisions;
  }

  /**
   * Returns the key's KeyIndex, whose `key` is the key's one string held by the index (the
   * first put's: see KeyIndexProjection) and whose `keySlot` is the key's number.
   */
  put(key: string, rev: Revision, location: RecordLocation): KeyIndex {
    this.advance(rev);
    let ki = this.changing(key);
    if (ki === undefined) {
      ki = new KeyIndex(flatString(key), this.segments);
      this.tree.set(ki.key, ki);
      this.byKey.set(ki.key, ki);
      this.takeSlot(ki);
    }
    if (!ki.isLive()) this.live++;
    ki.put(rev, location);
    this.changed(ki);
    this.revisions++;
    return ki;
  }

  /** The KeyIndex of `key`, about to change: the successor guess first, then the map. */
  private changing(key: string): KeyIndex | undefined {
    const previous = this.lastChanged;
    if (previous >= 0) {
      const guess = this.successors[previous] as number;
      const ki = guess >= 0 ? this.bySlot[guess] : undefined;
      if (ki !== undefined && ki.key === key) return ki;
    }
    return this.lookup(key);
  }

  /** The KeyIndex of `key` by the map, or by the tree while the map is not whole. */
  private lookup(key: string): KeyIndex | undefined {
    const ki = this.byKey.get(key);
    // Small enough to be inlined where a replay looks keys up; the tree is the cold path.
    return ki !== undefined || this.keyMapCursor < 0 ? ki : this.lookupInTree(key);
  }

  /** A key the map does not hold yet (not whole): found in the tree, then kept in the map. */
  private lookupInTree(key: string): KeyIndex | undefined {
    const found = this.tree.get(key);
    if (found !== undefined) this.byKey.set(found.key, found);
    return found;
  }

  /** The key map holds every key (fillKeyMap has nothing left to do). */
  get keyMapWhole(): boolean {
    return this.keyMapCursor < 0;
  }

  /**
   * Puts up to `maxSlots` more slots' keys in the key map after a restore; true once the
   * map holds every key (at once for an index not restored). Keys put meanwhile are in it
   * already, keys compacted away leave both, so the slots the cursor passed are done.
   */
  fillKeyMap(maxSlots: number): boolean {
    assert.ok(Number.isSafeInteger(maxSlots) && maxSlots > 0, 'fill at least one slot a step');
    if (this.keyMapCursor < 0) return true;
    const end = Math.min(this.bySlot.length, this.keyMapCursor + maxSlots);
    for (let slot = this.keyMapCursor; slot < end; slot++) {
      const ki = this.bySlot[slot];
      if (ki !== undefined) this.byKey.set(ki.key, ki);
    }
    this.keyMapCursor = end < this.bySlot.length ? end : -1;
    return this.keyMapCursor < 0;
  }

  /** `ki` changed after the key changed last: learnt as that key's successor. */
  private changed(ki: KeyIndex): void {
    const slot = ki.keySlot;
    if (slot >= this.successors.length) {
      const grown = new Int32Array(Math.max(slot + 1, Math.ceil(this.successors.length * 1.5), 1024)).fill(-1);
      grown.set(this.successors);
      this.successors = grown;
    }
    if (this.lastChanged >= 0) this.successors[this.lastChanged] = slot;
    this.lastChanged = slot;
  }

  /** The slot of `key` (KeyIndex.keySlot), or -1 when the index holds no such key. */
  slotOf(key: string): number {
    return this.lookup(key)?.keySlot ?? -1;
  }

  /** The KeyIndex in `slot`, or undefined when the slot is free or out of range. */
  atSlot(slot: number): KeyIndex | undefined {
    return this.bySlot[slot];
  }

  /** One more than the highest slot ever taken: every slot is below it. */
  get slotLimit(): number {
    return this.bySlot.length;
  }

  private takeSlot(ki: KeyIndex): void {
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    ki.keySlot = slot;
    this.bySlot[slot] = ki;
  }

  private freeSlot(ki: KeyIndex): void {
    this.bySlot[ki.keySlot] = undefined;
    this.freeSlots.push(ki.keySlot);
    ki.keySlot = -1;
  }

  /**
   * Moves the current revision to `rev` for an event that changes no key (a scope-scanned
   * or control event), so reads at that commit's main are not "in the future".
   */
  observe(rev: Revision): void {
    this.advance(rev);
  }

  /**
   * Throws MVCC_KEY_NOT_FOUND for an unknown key, MVCC_TOMBSTONE_ON_EMPTY for a deleted one.
   * Returns the key's KeyIndex, as put does.
   */
  tombstone(key: string, rev: Revision, location: RecordLocation): KeyIndex {
    const ki = this.changing(key);
    if (ki === undefined) {
      throw new MvccError('MVCC_KEY_NOT_FOUND', `tombstone for unknown key ${key}`, { key, main: rev.main });
    }
    ki.tombstone(rev, location); // throws before any change when the key is not live
    this.changed(ki);
    this.advance(rev);
    this.live--;
    this.revisions++;
    return ki;
  }

  /** The entry of `key` visible at `atMain` (default: current), or undefined. */
  get(key: string, atMain: number = this.lastMain): IndexedRevision | undefined {
    this.checkReadable(atMain, key);
    return this.lookup(key)?.get(atMain);
  }

  /** Entries of `key` with main ≥ sinceMain (see KeyIndex.since); empty for unknown keys. */
  since(key: string, sinceMain: number): IndexedRevision[] {
    this.checkReadable(sinceMain, key);
    return this.lookup(key)?.since(sinceMain) ?? [];
  }

  /** Read-only access to one key's index (for history read-back). */
  keyIndex(key: string): KeyIndex | undefined {
    return this.lookup(key);
  }

  /** Keys in [fromKey, toKey) (toKey undefined: to the end) visible at `atMain`, ascending. */
  *range(fromKey: string, toKey: string | undefined, atMain: number = this.lastMain): Generator<VisibleKey> {
    this.checkReadable(atMain);
    for (const [key, ki] of this.tree.entries(fromKey)) {
      if (toKey !== undefined && key >= toKey) return;
      const i = ki.visibleAt(atMain);
      if (i >= 0) yield { key, revision: ki.entry(i), newest: i === ki.length - 1, slot: ki.keySlot };
    }
  }

  /**
   * range() without an object per key: `visit` gets each KeyIndex from `fromKey` on that has
   * an entry visible at `atMain`, with that entry's index, ascending, until it returns
   * false. For walks that keep a million entries (query/read-back.ts visitPastRecords).
   */
  visitVisible(fromKey: string, atMain: number, visit: (ki: KeyIndex, entry: number) => boolean): void {
    this.checkReadable(atMain);
    for (const ki of this.tree.values(fromKey)) {
      const i = ki.visibleAt(atMain);
      if (i >= 0 && !visit(ki, i)) return;
    }
  }

  /** Keys starting with `prefix` visible at `atMain`, ascending. */
  *prefix(prefix: string, atMain: number = this.lastMain): Generator<VisibleKey> {
    this.checkReadable(atMain);
    for (const [key, ki] of this.tree.entries(prefix)) {
      if (!key.startsWith(prefix)) return;
      const i = ki.visibleAt(atMain);
      if (i >= 0) yield { key, revision: ki.entry(i), newest: i === ki.length - 1, slot: ki.keySlot };
    }
  }

  /**
   * The keys live at the current revision that start with `prefix`, ascending: what
   * prefix() yields there, as bare keys. Change detection walks every live key of every
   * complete scope each cycle, so this allocates nothing per key (prefix() builds an entry
   * and its location for each).
   */
  *liveKeysWithPrefix(prefix: string): Generator<string> {
    const pair: Array<string | KeyIndex> = [];
    for (const entry of this.tree.entries(prefix, pair)) {
      const key = entry[0];
      if (!key.startsWith(prefix)) return;
      if (entry[1].isLive()) yield key;
    }
  }

  /** Every KeyIndex held, ascending by key, deleted keys included (snapshots, hashing); from `fromKey` (inclusive) when given. */
  keyIndexes(fromKey?: string): IterableIterator<KeyIndex> {
    return this.tree.values(fromKey);
  }

  /** Every key held (live or not), ascending. */
  keys(): IterableIterator<string> {
    return this.tree.keys();
  }

  /** Keys visible at `atMain`; O(1) at the current revision, a full scan otherwise. */
  count(atMain: number = this.lastMain): number {
    this.checkReadable(atMain);
    if (atMain === this.lastMain) return this.live;
    let n = 0;
    for (const ki of this.tree.values()) if (ki.get(atMain) !== undefined) n++;
    return n;
  }

  /** etcd's Compact: drops history below `atMain` in every key, removing emptied keys. */
  compact(atMain: number): CompactionOutcome {
    this.checkCompactable(atMain);
    const available = new RevisionSet();
    const revisionsBefore = this.revisions;
    const keysBefore = this.tree.size;
    const low = this.tree.minKey();
    const high = this.tree.maxKey();
    if (low !== undefined && high !== undefined) {
      this.tree.editRange(low, high, true, (_key, ki) => {
        const before = ki.length;
        ki.compact(atMain, available);
        this.revisions -= before - ki.length;
        if (!ki.isEmpty()) return undefined;
        this.byKey.delete(ki.key);
        this.freeSlot(ki);
        return { delete: true };
      });
    }
    this.compacted = atMain;
    assert.ok(this.revisions >= 0 && this.tree.size <= keysBefore && this.byKey.size <= this.tree.size);
    assert.ok(this.keyMapCursor >= 0 || this.byKey.size === this.tree.size, 'a whole key map holds every key');
    assert.equal(this.bySlot.length - this.freeSlots.length, this.tree.size, 'a slot per key held');
    return { available, keysRemoved: keysBefore - this.tree.size, revisionsRemoved: revisionsBefore - this.revisions };
  }

  /**
   * Thins history in [fromMain, beforeMain) to day granularity in every key (see
   * KeyIndex.downsample). Reads then see, per day, the state at the day's end. Returns the
   * number of revisions dropped. The window must lie at or below the current revision.
   */
  downsample(fromMain: number, beforeMain: number, dayStarts: readonly number[]): number {
    assert.ok(beforeMain <= this.lastMain + 1, 'downsample only what has been written');
    for (let i = 1; i < dayStarts.length; i++) assert.ok((dayStarts[i] as number) > (dayStarts[i - 1] as number), 'day starts ascend');
    let dropped = 0;
    for (const ki of this.tree.values()) dropped += ki.downsample(fromMain, beforeMain, dayStarts);
    this.revisions -= dropped;
    assert.ok(this.revisions >= 0, 'revision count stays non-negative');
    return dropped;
  }

  /** etcd's Keep: what compact(atMain) would keep, tombstones excepted; changes nothing. */
  keep(atMain: number): RevisionSet {
    this.checkCompactable(atMain);
    const available = new RevisionSet();
    for (const ki of this.tree.values()) ki.keep(atMain, available);
    return available;
  }

  /**
   * Rebuilds an index from a snapshot (see tree-index-snapshot.ts), key by key: `add`
   * takes non-empty KeyIndexes built on `segments`, ascending by key (a restore adds each
   * checkpoint part's keys as it comes, so no one step holds the event loop for the whole
   * index); `finish` builds the B+ tree in one pass and sets the revision bookkeeping,
   * and leaves the key map to fillKeyMap.
   */
  static builder(segments: SegmentTable): { add(ki: KeyIndex): void; finish(cursor: TreeIndexCursor): TreeIndex } {
    const index = new TreeIndex(segments);
    const keys: string[] = [];
    const values: KeyIndex[] = [];
    let previous: string | undefined;
    return {
      add(ki: KeyIndex): void {
        if (!(!ki.isEmpty() && (previous === undefined || previous < ki.key))) assert.fail(`bad key order at ${ki.key}`);
        previous = ki.key;
        keys.push(ki.key);
        values.push(ki);
        index.takeSlot(ki);
        index.revisions += ki.length;
        if (ki.isLive()) index.live++;
      },
      finish(cursor: TreeIndexCursor): TreeIndex {
        // The keys came sorted (checked in add): one pass builds the tree.
        index.tree = bulkLoad(keys, values, compareStrings);
        index.keyMapCursor = keys.length > 0 ? 0 : -1; // the map fills later (fillKeyMap)
        index.lastMain = cursor.lastMain;
        index.lastSub = cursor.lastSub;
        index.compacted = cursor.compactedMain;
        return index;
      },
    };
  }

  /** The revision bookkeeping that builder().finish needs besides the keys. */
  cursor(): TreeIndexCursor {
    return { lastMain: this.lastMain, lastSub: this.lastSub, compactedMain: this.compacted };
  }

  private advance(rev: Revision): void {
    assertRevisionPart(rev.main, 'revision main');
    assertRevisionPart(rev.sub, 'revision sub');
    if (compareRevisionParts(rev.main, rev.sub, this.lastMain, this.lastSub) <= 0) {
      assert.fail(`revision ${rev.main}.${rev.sub} not after current ${this.lastMain}.${this.lastSub}`);
    }
    this.lastMain = rev.main;
    this.lastSub = rev.sub;
  }

  private checkReadable(atMain: number, key?: string): void {
    assertRevisionPart(atMain, 'read main');
    const details = { key, main: atMain, compactedMain: this.compacted, currentMain: this.lastMain };
    if (atMain < this.compacted) {
      throw new MvccError('MVCC_COMPACTED', `revision ${atMain} is compacted (base ${this.compacted})`, details);
    }
    if (atMain > this.lastMain) {
      throw new MvccError('MVCC_FUTURE_REV', `revision ${atMain} is after current ${this.lastMain}`, details);
    }
  }

  private checkCompactable(atMain: number): void {
    assertRevisionPart(atMain, 'compact main');
    const details = { main: atMain, compactedMain: this.compacted, currentMain: this.lastMain };
    if (atMain <= this.compacted) {
      throw new MvccError('MVCC_COMPACTED', `revision ${atMain} is already compacted (base ${this.compacted})`, details);
    }
    if (atMain > this.lastMain) {
      throw new MvccError('MVCC_FUTURE_REV', `cannot compact at ${atMain}, after current ${this.lastMain}`, details);
    }
  }
}

/** Revision bookkeeping of a TreeIndex, kept in snapshots. */
export interface TreeIndexCursor {
  readonly lastMain: number;
  /** -1 when no revision was ever applied. */
  readonly lastSub: number;
  readonly compactedMain: number;
}
