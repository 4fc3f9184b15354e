/**
 * Values by resource key, each in a numbered slot that stays the key's own while it holds a
 * value (change detection reaches a record by slot: src/changes/listing-memory.ts). Two
 * kinds: KeyedSlots numbers keys itself (a map of its own), IndexKeyedValues borrows the key
 * index's numbering (key-slots.ts), so that a projection beside the key index costs an
 * event no hash lookup and a restore no map of a million keys.
 */
import type { AscendingKeys } from './projection.js';

export interface KeyedValues<V> {
  readonly size: number;
  /** Every slot is below it. */
  readonly slotLimit: number;
  /** The slot of `key`, or -1 when it holds no value. */
  slotOf(key: string): number;
  /** The key in `slot`, or undefined when the slot holds no value. */
  keyAt(slot: number): string | undefined;
  valueAt(slot: number): V | undefined;
  get(key: string): V | undefined;
  has(key: string): boolean;
  set(key: string, value: V): void;
  /** Replaces the value in `slot`, which holds one (slotOf). */
  setAt(slot: number, value: V): void;
  /**
   * Adds `key`, holding no value, to a table being built (a restore): null, or why it cannot
   * (held already; unknown to the key index). A table that refused must be dropped.
   */
  addNew(key: string, value: V): string | null;
  /** False when `key` held no value. */
  delete(key: string): boolean;
  /** Keys holding a value, in no particular order. */
  keys(): Iterable<string>;
  /** The values held, in no particular order, as a new array. */
  values(): V[];
  /** Every key with its value, ascending by key, in chunks of `size` (at least one, perhaps empty). */
  ascendingChunks(size: number, ascending?: AscendingKeys): Iterable<[keys: string[], values: V[]]>;
  /** An empty table of the same kind (and key numbering). */
  empty(): KeyedValues<V>;
}
