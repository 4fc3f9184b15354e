/**
 * KeyedValues by the key index's slots (key-slots.ts): an array by slot, no map. The key
 * index must be fed each event first: a value is set only for a key it holds. A slot
 * stays a key's while the index holds the key, which outlives any value kept for it (the
 * index frees a slot only when compaction removes a dead key).
 */
import type { KeySlots } from './key-slots.js';
import type { KeyedValues } from './keyed-values.js';
import { pairChunks } from './snapshot-parts.js';

export class IndexKeyedValues<V> implements KeyedValues<V> {
  /** By slot; undefined: no value. */
  private readonly bySlot: (V | undefined)[] = [];
  private count = 0;
  /** addNew's, made at its first call (a restore adds keys ascending). */
  private finder: ((key: string) => number) | undefined;

  constructor(private readonly slots: KeySlots) {}

  get size(): number {
    return this.count;
  }

  get slotLimit(): number {
    return this.slots.slotLimit;
  }

  slotOf(key: string): number {
    const slot = this.slots.slotOfApplied(key);
    return slot >= 0 && this.bySlot[slot] !== undefined ? slot : -1;
  }

  keyAt(slot: number): string | undefined {
    return this.bySlot[slot] === undefined ? undefined : this.slots.keyAt(slot);
  }

  valueAt(slot: number): V | undefined {
    return this.bySlot[slot];
  }

  get(key: string): V | undefined {
    const slot = this.slots.slotOfApplied(key);
    return slot < 0 ? undefined : this.bySlot[slot];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): void {
    const slot = this.slots.slotOfApplied(key);
    if (slot < 0) throw new Error(`${key} has no slot in the key index (is it fed the same events, first?)`);
    this.put(slot, value);
  }

  setAt(slot: number, value: V): void {
    if (this.bySlot[slot] === undefined) throw new Error(`slot ${slot} holds no value`);
    this.bySlot[slot] = value;
  }

  addNew(key: string, value: V): string | null {
    const slot = (this.finder ??= this.slots.slotFinder())(key);
    if (slot < 0) return `key ${key} is not in the key index`;
    if (this.bySlot[slot] !== undefined) return `duplicate key ${key}`;
    this.put(slot, value);
    return null;
  }

  delete(key: string): boolean {
    const slot = this.slots.slotOfApplied(key);
    if (slot < 0 || this.bySlot[slot] === undefined) return false;
    this.bySlot[slot] = undefined;
    this.count--;
    return true;
  }

  *keys(): Generator<string> {
    const bySlot = this.bySlot;
    for (let slot = 0; slot < bySlot.length; slot++) if (bySlot[slot] !== undefined) yield this.slots.keyAt(slot) as string;
  }

  values(): V[] {
    const held: V[] = [];
    const bySlot = this.bySlot;
    for (let slot = 0; slot < bySlot.length; slot++) {
      const value = bySlot[slot];
      if (value !== undefined) held.push(value);
    }
    return held;
  }

  /** Walks the key index's keys (a superset of the held ones), so no `ascending` is needed. */
  *ascendingChunks(size: number): Generator<[string[], V[]]> {
    const found = yield* pairChunks(this.held(), size);
    if (found !== this.count) throw new Error(`the key index holds ${found} of the ${this.count} keys held here`);
  }

  empty(): IndexKeyedValues<V> {
    return new IndexKeyedValues<V>(this.slots);
  }

  private *held(): Generator<readonly [string, V]> {
    for (const [key, slot] of this.slots.ascendingSlots()) {
      const value = this.bySlot[slot];
      if (value !== undefined) yield [key, value];
    }
  }

  private put(slot: number, value: V): void {
    const bySlot = this.bySlot;
    while (bySlot.length <= slot) bySlot.push(undefined); // kept without holes
    if (bySlot[slot] === undefined) this.count++;
    bySlot[slot] = value;
  }
}
