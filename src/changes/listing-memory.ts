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
 */
import type { ResourceKey } from '../model/resource.js';

/** ListingWalk.slotOf: the key is not live. */
export const NOT_LIVE = -1;
/** ListingWalk.slotOf: the key is live and this detection has seen it listed already. */
export const LISTED_BEFORE = -2;

/** What the memory needs of the current state: slots and their keys. */
export interface SlotKeys {
  slotOf(key: ResourceKey): number;
  keyAt(slot: number): ResourceKey | undefined;
  readonly slotLimit: number;
}

export class ListingMemory {
  /** By scope prefix: the slots of its last listing in listing order; -1: not live then. */
  private readonly orders = new Map<string, Int32Array>();
  /** By slot: its index in the last order of its scope (checked against that order). */
  private positions = new Int32Array(0);
  /** By slot: the number of the last detection that saw it listed. */
  private marks = new Uint32Array(0);
  private detection = 0;
  /** Listed records whose slot the last detection found by a guess that held, and by a lookup. */
  lastDetection = { guessed: 0, lookedUp: 0 };

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
    this.lastDetection = { guessed: 0, lookedUp: 0 };
    if (this.detection === 2 ** 32) {
      this.marks.fill(0); // a mark of 2^32 detections ago would read as this one's
      this.detection = 1;
    }
  }

  /** The walk of one scope's listing in this detection. */
  scope(prefix: string, listed: number, state: SlotKeys): ListingWalk {
    return new ListingWalk(this, prefix, this.orders.get(prefix), listed, state);
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

  /** Keeps `order` as the last listing of `prefix`. */
  remember(prefix: string, order: Int32Array): void {
    for (let i = 0; i < order.length; i++) {
      const slot = order[i] as number;
      if (slot >= 0) this.positions[slot] = i;
    }
    this.orders.set(prefix, order);
  }
}

/** One scope's listing, record by record in listing order. */
export class ListingWalk {
  private cursor = 0;
  /** This listing's slots, to be remembered: -1 where the record was not live (or listed before). */
  private readonly order: Int32Array;

  constructor(
    private readonly memory: ListingMemory,
    private readonly prefix: string,
    private readonly last: Int32Array | undefined,
    listed: number,
    private readonly state: SlotKeys,
  ) {
    this.order = new Int32Array(listed).fill(-1);
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
    this.memory.remember(this.prefix, this.order);
  }

  private listedAt(index: number, slot: number): number {
    if (!this.memory.mark(slot)) return LISTED_BEFORE;
    this.order[index] = slot;
    return slot;
  }
}
