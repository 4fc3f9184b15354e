/**
 * The key index's numbering of keys, lent to projections that keep per-key state in arrays
 * by slot instead of maps of their own (IndexKeyedValues: the current state, counts and
 * condition ages in builtInProjections): during a replay the key index has already found
 * the event's key, and a second hash lookup per event per projection into a map of a
 * million keys was most of what those projections cost (a full replay at 1 M resources /
 * 10 M events spent ~8.5 s of ~64 s in the condition ages' map; a restart built three maps
 * of a million keys besides the index's own).
 *
 * A slot is a key's while the index holds the key; the index frees it only when compaction
 * removes the key, which by then is not live (no projection keeps state for a dead key).
 */
export interface KeySlots {
  /**
   * The slot of `key`, which the event just applied named: the key index applies each event
   * first and remembers that key, so this is no lookup; any other key is looked up. -1:
   * the index holds no such key.
   */
  slotOfApplied(key: string): number;
  /** The slot of `key`, looked up; -1 when the index holds no such key. */
  slotOf(key: string): number;
  /** The key in `slot`, or undefined. */
  keyAt(slot: number): string | undefined;
  /** Every slot is below it. */
  readonly slotLimit: number;
  /**
   * A finder of slots for keys asked ascending, each once (a restore's parts): the index's
   * keys are walked in step, one string compare a key where a lookup in a map of a million
   * cost ~1.4 µs (restart at 1 M); a key asked out of order is looked up.
   */
  slotFinder(): (key: string) => number;
  /** Every key held with its slot, ascending by key. */
  ascendingSlots(): Iterable<readonly [key: string, slot: number]>;
}
