/**
 * Values by key, each kept in a numbered slot that stays the key's own while it lives: a
 * value replaced keeps its slot, a key deleted frees its slot for a later key. Change
 * detection reaches a record by slot (a guess from the last listing, checked against the
 * slot's key) instead of hashing each fresh key string into a million-entry map: at 1 M
 * resources that lookup was most of a cycle's detection (src/changes/listing-memory.ts).
 */
import type { KeyedValues } from './keyed-values.js';
import type { AscendingKeys } from './projection.js';
import { ascendingChunks } from './snapshot-parts.js';

export class KeyedSlots<V> implements KeyedValues<V> {
  private readonly slots = new Map<string, number>();
  /** By slot; undefined: a free slot. */
  private readonly keyBySlot: (string | undefined)[] = [];
  private readonly valueBySlot: (V | undefined)[] = [];
  private readonly free: number[] = [];

  get size(): number {
    return this.slots.size;
  }

  /** One more than the highest slot ever used: every slot is below it. */
  get slotLimit(): number {
    return this.keyBySlot.length;
  }

  /** The slot of `key`, or -1 when it is not held. */
  slotOf(key: string): number {
    return this.slots.get(key) ?? -1;
  }

  /** The key in `slot`, or undefined when the slot is free or out of range. */
  keyAt(slot: number): string | undefined {
    return this.keyBySlot[slot];
  }

  /** The value in `slot`, or undefined when the slot is free or out of range. */
  valueAt(slot: number): V | undefined {
    return this.valueBySlot[slot];
  }

  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.valueBySlot[slot];
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** Sets the value of `key`: in its own slot when held, else in a free or new one. */
  set(key: string, value: V): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.keyBySlot.length;
      this.slots.set(key, slot);
      this.keyBySlot[slot] = key;
    }
    this.valueBySlot[slot] = value;
  }

  /** Replaces the value in `slot`, a slot a key holds (slotOf); one lookup fewer than `set`. */
  setAt(slot: number, value: V): void {
    if (this.keyBySlot[slot] === undefined) throw new Error(`slot ${slot} is free`);
    this.valueBySlot[slot] = value;
  }

  /**
   * Adds `key`, not held, in a new slot: a table being built (a restore), one hash
   * operation a key instead of `set`'s two. A reason when `key` was held after all: its
   * slot is then lost, and the table must be dropped.
   */
  addNew(key: string, value: V): string | null {
    const slot = this.keyBySlot.length;
    const size = this.slots.size;
    this.slots.set(key, slot);
    this.keyBySlot.push(key);
    this.valueBySlot.push(value);
    return this.slots.size !== size ? null : `duplicate key ${key}`;
  }

  /** Frees the slot of `key`; false when it was not held. */
  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.keyBySlot[slot] = undefined;
    this.valueBySlot[slot] = undefined;
    this.free.push(slot);
    return true;
  }

  ascendingChunks(size: number, ascending?: AscendingKeys): Iterable<[string[], V[]]> {
    return ascendingChunks(this, size, ascending);
  }

  empty(): KeyedSlots<V> {
    return new KeyedSlots<V>();
  }

  /** Keys held, in no particular order. */
  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /**
   * The values held, in no particular order, as a new array: a copy of the slots when none
   * is free. (A generator over the slots took ~95 ms at a million, and so did spreading an
   * array's iterator, against ~10 ms for a map's own iterator; an array spreads in ~5.)
   */
  values(): V[] {
    if (this.free.length === 0) return this.valueBySlot.slice() as V[];
    const values = this.valueBySlot;
    const keys = this.keyBySlot;
    const held: V[] = [];
    for (let slot = 0; slot < keys.length; slot++) if (keys[slot] !== undefined) held.push(values[slot] as V);
    return held;
  }
}
