/**
 * Where ConditionSince keeps each key's run (since main × 2 + began-at-first-sight; never
 * 0, since mains start at 1): a map of its own, or, beside the key index, an array by the
 * index's key slots (key-slots.ts), which costs an event no hash lookup of its own.
 */
import type { ResourceKey } from '../model/resource.js';
import type { KeySlots } from './key-slots.js';
import type { AscendingKeys } from './projection.js';
import { ascendingChunks, pairChunks } from './snapshot-parts.js';

export interface ConditionRuns {
  readonly size: number;
  get(key: ResourceKey): number | undefined;
  /** Sets the run of `key`; a key the table cannot hold throws. */
  set(key: ResourceKey, run: number): void;
  delete(key: ResourceKey): void;
  /** Replaces every run by `change(run)`. */
  rewrite(change: (run: number) => number): void;
  /** Every key with its run, ascending by key, in chunks of `size` (at least one, perhaps empty). */
  ascendingChunks(size: number, ascending?: AscendingKeys): Iterable<[keys: string[], runs: number[]]>;
  /** An empty table of the same kind, for a restore to fill (addNew) and then replace this one. */
  empty(): ConditionRuns;
  /** Adds `key`, not held; a reason when it cannot be (held already, or unknown to the key slots). */
  addNew(key: ResourceKey, run: number): string | null;
}

export class MapRuns implements ConditionRuns {
  private readonly runs = new Map<ResourceKey, number>();

  get size(): number {
    return this.runs.size;
  }

  get(key: ResourceKey): number | undefined {
    return this.runs.get(key);
  }

  set(key: ResourceKey, run: number): void {
    this.runs.set(key, run);
  }

  delete(key: ResourceKey): void {
    this.runs.delete(key);
  }

  rewrite(change: (run: number) => number): void {
    for (const [key, run] of this.runs) this.runs.set(key, change(run));
  }

  ascendingChunks(size: number, ascending?: AscendingKeys): Iterable<[string[], number[]]> {
    return ascendingChunks(this.runs, size, ascending);
  }

  empty(): ConditionRuns {
    return new MapRuns();
  }

  addNew(key: ResourceKey, run: number): string | null {
    const size = this.runs.size;
    this.runs.set(key, run);
    return this.runs.size === size ? `duplicate key ${key}` : null; // one lookup, not has() then set()
  }
}

export class SlotRuns implements ConditionRuns {
  /** By key slot; 0: not in the condition. */
  private runs = new Float64Array(1024);
  private count = 0;

  constructor(private readonly slots: KeySlots) {}

  get size(): number {
    return this.count;
  }

  get(key: ResourceKey): number | undefined {
    const slot = this.slots.slotOfApplied(key);
    const run = slot < 0 || slot >= this.runs.length ? 0 : (this.runs[slot] as number);
    return run === 0 ? undefined : run;
  }

  set(key: ResourceKey, run: number): void {
    const slot = this.slots.slotOfApplied(key);
    if (slot < 0) throw new Error(`${key} has no slot in the key index (is it fed the same events, first?)`);
    if (run === 0) throw new Error('a run is never 0');
    this.reach(slot);
    if (this.runs[slot] === 0) this.count++;
    this.runs[slot] = run;
  }

  delete(key: ResourceKey): void {
    const slot = this.slots.slotOfApplied(key);
    if (slot < 0 || slot >= this.runs.length || this.runs[slot] === 0) return;
    this.runs[slot] = 0;
    this.count--;
  }

  rewrite(change: (run: number) => number): void {
    const runs = this.runs;
    for (let slot = 0; slot < runs.length; slot++) if (runs[slot] !== 0) runs[slot] = change(runs[slot] as number);
  }

  /** Walks the key index's keys (a superset of the runs' keys), so `ascending` is not needed. */
  *ascendingChunks(size: number): Generator<[string[], number[]]> {
    const found = yield* pairChunks(this.held(), size);
    if (found !== this.count) throw new Error(`the key index holds ${found} of the ${this.count} keys in the condition`);
  }

  private *held(): Generator<readonly [string, number]> {
    for (const [key, slot] of this.slots.ascendingSlots()) {
      const run = slot < this.runs.length ? (this.runs[slot] as number) : 0;
      if (run !== 0) yield [key, run];
    }
  }

  empty(): ConditionRuns {
    return new SlotRuns(this.slots);
  }

  addNew(key: ResourceKey, run: number): string | null {
    const slot = this.slots.slotOf(key);
    if (slot < 0) return `key ${key} is not in the key index`;
    this.reach(slot);
    if (this.runs[slot] !== 0) return `duplicate key ${key}`;
    this.runs[slot] = run;
    this.count++;
    return null;
  }

  private reach(slot: number): void {
    if (slot < this.runs.length) return;
    let length = this.runs.length;
    while (length <= slot) length *= 2;
    const grown = new Float64Array(length);
    grown.set(this.runs);
    this.runs = grown;
  }
}
