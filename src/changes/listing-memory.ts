/**
 * What change detection remembers of each scope's last listing, so that a fresh record
 * finds its key's slot in the current state without hashing the fresh key string into a
 * map of every live key. At a million resources that lookup, one per listed record, was
 * most of a cycle's detection (`npm run bench -- scan`); clouds list a scope in much the
 * same order every time, so the record at a listing's next position is most often the
 * key of the next slot the last listing had.
 *
 * A guess is only a guess: it counts when the slot's key equals the listed key (a string
 * compare), else the key is looked up as before. So the memory can be stale, empty (after
 * a restart) or from another state altogether, and detection finds the same events; only
 * the speed differs.
 *
 * Worked example (scope S listed a, b, c last time, in slots 7, 3, 9):
 *   this listing a, x, c: a → guess 7, key a: hit · x → guess 3, key b: miss, x looked up
 *   (not live: appeared), the cursor steps over b · c → guess 9, key c: hit. b is absent:
 *   its slot is in the last order and was not marked (`absentCandidates`).
 *
 * It also marks the slots a detection has seen (a number per slot, not a set of keys):
 * the second listing of a key within a scope, and the live keys a listing missed, are
 * found by the mark.
 *
 * When the scan wrote its records as bytes (ListingBytes), the memory keeps the last
 * listing's bytes too, and, per position, the state's record that the listed one was found
 * equal to. A record whose bytes equal those at the guessed position of the last listing,
 * while the state still holds that very record object (a change replaces the object), is
 * unchanged: equal bytes mean equal records (listing-bytes.ts), the last listed record
 * equalled the state's, and the state's has not moved since. Neither record nor key string
 * is visited; only a proof of the last cycle is checked (`sameAsLast`).
 */
import type { ListingBytes } from '../model/listing-bytes.js';
import type { ResourceKey } from '../model/resource.js';

/** ListingWalk.slotOf: the key is not live. */
export const NOT_LIVE = -1;
/** ListingWalk.slotOf: the key is live and this detection has seen it listed already. */
export const LISTED_BEFORE = -2;

/** What the memory needs of the current state: slots, their keys and their values. */
export interface SlotKeys {
  slotOf(key: ResourceKey): number;
  keyAt(slot: number): ResourceKey | undefined;
  /** The value held in `slot` (compared by identity only). */
  recordAt(slot: number): unknown;
  readonly slotLimit: number;
}

/** One scope's last listing as remembered. */
interface LastListing {
  /** The slots, in listing order; -1: not live then (or listed before). */
  readonly order: Int32Array;
  /** The listing's bytes, when the scan wrote them. */
  readonly bytes: ListingBytes | undefined;
  /** With bytes, per position: the state's record the listed one was found equal to, or undefined. */
  readonly proven: readonly unknown[] | undefined;
}

export class ListingMemory {
  /** By scope prefix: its last complete listing. */
  private readonly listings = new Map<string, LastListing>();
  /** By slot: its index in the last order of its scope (checked against that order). */
  private positions = new Int32Array(0);
  /** By slot: the number of the last detection that saw it listed. */
  private marks = new Uint32Array(0);
  private detection = 0;
  /**
   * Listed records of the last detection: found unchanged by their bytes (`sameAsLast`),
   * their slot found by a guess that held, or by a lookup.
   */
  lastDetection = { sameBytes: 0, guessed: 0, lookedUp: 0 };

  /** A new detection over a state whose slots are all below `slotLimit`. */
  begin(slotLimit: number): void {
    if (this.marks.length < slotLimit) {
      const grown = Math.max(slotLimit, Math.ceil(this.marks.length * 1.5));
      const marks = new Uint32Array(grown);
      marks.set(this.marks);
      this.marks = marks;
      const positions = new Int32Array(grown).fill(-1);
      positions.set(this.positions);
      this.positions = positions;
    }
    this.detection++;
    this.lastDetection = { sameBytes: 0, guessed: 0, lookedUp: 0 };
    if (this.detection === 2 ** 32) {
      this.marks.fill(0); // a mark of 2^32 detections ago would read as this one's
      this.detection = 1;
    }
  }

  /** The walk of one scope's listing in this detection; `bytes`: the listing's, if written. */
  scope(prefix: string, listed: number, state: SlotKeys, bytes?: ListingBytes): ListingWalk {
    return new ListingWalk(this, prefix, this.listings.get(prefix), listed, state, bytes);
  }

  /** Bytes held for the remembered listings' bytes and proofs (what the fast path costs). */
  get heldBytes(): number {
    let held = this.positions.byteLength + this.marks.byteLength;
    for (const listing of this.listings.values()) {
      held += listing.order.byteLength + (listing.bytes?.heldBytes ?? 0) + 8 * (listing.proven?.length ?? 0);
    }
    return held;
  }

  /** Marks `slot` seen; false when this detection had already marked it. */
  mark(slot: number): boolean {
    if (this.marks[slot] === this.detection) return false;
    this.marks[slot] = this.detection;
    return true;
  }

  marked(slot: number): boolean {
    return this.marks[slot] === this.detection;
  }

  positionOf(slot: number): number {
    return this.positions[slot] ?? -1;
  }

  /** Keeps `listing` as the last listing of `prefix`. */
  remember(prefix: string, listing: LastListing): void {
    const order = listing.order;
    for (let i = 0; i < order.length; i++) {
      const slot = order[i] as number;
      if (slot >= 0) this.positions[slot] = i;
    }
    listing.bytes?.trim();
    const replaced = this.listings.get(prefix)?.bytes;
    if (replaced !== undefined && replaced !== listing.bytes) replaced.release(); // its chunks, to the next scan
    this.listings.set(prefix, listing);
  }
}

/** One scope's listing, record by record in listing order. */
export class ListingWalk {
  private cursor = 0;
  /** This listing's slots, to be remembered: -1 where the record was not live (or listed before). */
  private readonly order: Int32Array;
  private readonly last: Int32Array | undefined;
  private readonly lastBytes: ListingBytes | undefined;
  private readonly lastProven: readonly unknown[] | undefined;
  /** With bytes: per position, the state's record the listed one equals (see `prove`). */
  private readonly proven: unknown[] | undefined;

  constructor(
    private readonly memory: ListingMemory,
    private readonly prefix: string,
    last: LastListing | undefined,
    listed: number,
    private readonly state: SlotKeys,
    private readonly bytes: ListingBytes | undefined,
  ) {
    this.order = new Int32Array(listed).fill(-1);
    this.last = last?.order;
    this.lastBytes = last?.bytes;
    this.lastProven = last?.proven;
    this.proven = bytes === undefined ? undefined : new Array<unknown>(listed).fill(undefined);
  }

  /**
   * The slot of the record at `index` (indexes ascending) when it is unchanged by the proof
   * of the last listing: its bytes equal those of the record at the guessed position, the
   * last detection found that record equal to the state's, and the state holds that same
   * record object still, in a slot this detection has not seen. Else -1, having moved
   * nothing: the record is to be looked at (slotOf).
   */
  sameAsLast(index: number): number {
    const last = this.last;
    const lastProven = this.lastProven;
    const bytes = this.bytes;
    const at = this.cursor;
    if (last === undefined || lastProven === undefined || bytes === undefined || at >= last.length) return -1;
    const slot = last[at] as number;
    const proof = lastProven[at];
    if (slot < 0 || proof === undefined || this.state.recordAt(slot) !== proof || this.memory.marked(slot)) return -1;
    if (!bytes.equalAt(index, this.lastBytes as ListingBytes, at)) return -1;
    this.cursor = at + 1;
    this.memory.lastDetection.sameBytes++;
    this.memory.mark(slot);
    this.order[index] = slot;
    (this.proven as unknown[])[index] = proof;
    return slot;
  }

  /** The record at `index` was found equal to `record`, the state's: next time, bytes will do. */
  prove(index: number, record: unknown): void {
    if (this.proven !== undefined) this.proven[index] = record;
  }

  /**
   * The slot of `key`, the record at `index` of the listing (indexes ascending); NOT_LIVE,
   * or LISTED_BEFORE when this detection saw the key already. The guess from the last
   * listing first, then a lookup.
   */
  slotOf(key: ResourceKey, index: number): number {
    const last = this.last;
    if (last !== undefined && this.cursor < last.length) {
      const guess = last[this.cursor] as number;
      if (guess >= 0 && this.state.keyAt(guess) === key) {
        this.cursor++;
        this.memory.lastDetection.guessed++;
        return this.listedAt(index, guess);
      }
    }
    const slot = this.state.slotOf(key);
    this.memory.lastDetection.lookedUp++;
    if (last !== undefined) {
      const at = slot >= 0 ? this.memory.positionOf(slot) : -1;
      // Back in step after the slot's place in the last listing; or, not found there (new,
      // or listed elsewhere before), this record took the place of the one guessed.
      this.cursor = at >= 0 && last[at] === slot ? at + 1 : this.cursor + 1;
    }
    return slot < 0 ? NOT_LIVE : this.listedAt(index, slot);
  }

  /**
   * The ids of the live keys of the scope that its last listing had and this one did not,
   * when there are exactly `absent` of them; else null (the scope's keys must be walked).
   */
  absentCandidates(absent: number): string[] | null {
    const last = this.last;
    if (last === undefined) return null;
    const ids: string[] = [];
    for (let i = 0; i < last.length; i++) {
      const slot = last[i] as number;
      if (slot < 0 || this.memory.marked(slot)) continue;
      const key = this.state.keyAt(slot);
      if (key === undefined || !key.startsWith(this.prefix)) continue; // freed, or another scope's now
      ids.push(key.slice(this.prefix.length));
      if (ids.length > absent) return null;
    }
    return ids.length === absent ? ids : null;
  }

  /** Ends the walk: this listing's order is the one to guess from next time. */
  finish(): void {
    this.memory.remember(this.prefix, { order: this.order, bytes: this.bytes, proven: this.proven });
  }

  private listedAt(index: number, slot: number): number {
    if (!this.memory.mark(slot)) return LISTED_BEFORE;
    this.order[index] = slot;
    return slot;
  }
}
