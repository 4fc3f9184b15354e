/**
 * A projection's snapshot as parts, for any projection: its own snapshotParts()/restorer()
 * when it has them (large states), else one part, snapshot() / restore(); and the walk
 * that gives a large map's keys to its parts in order.
 */
import assert from 'node:assert/strict';
import { ProjectionError } from './errors.js';
import type { CanonicalKey } from './canonical-keys.js';
import type { AscendingKeys, PartRestorer, Projection } from './projection.js';

export function snapshotParts(p: Projection, ascending?: AscendingKeys): Iterable<unknown> {
  return p.snapshotParts?.(undefined, ascending) ?? [p.snapshot()];
}

/**
 * Every key of `map` ascending, with its value, in chunks of `size` (at least one chunk,
 * perhaps empty). With `ascending` (every resource key, a superset of the map's: the key
 * index's), the walk goes lazily in step with the parts, so no part of a checkpoint pays
 * for sorting a million keys (~0.4 s in one turn of the event loop); without it, the
 * map's keys are sorted once, up front.
 */
export function* ascendingChunks<V>(map: Pick<ReadonlyMap<string, V>, 'keys' | 'get' | 'size'>, size: number, ascending?: AscendingKeys): Generator<[keys: string[], values: V[]]> {
  assert.ok(size >= 1, 'chunks hold at least one key');
  if (ascending === undefined) {
    const keys = [...map.keys()].sort();
    for (let from = 0; from === 0 || from < keys.length; from += size) {
      const chunk = keys.slice(from, from + size);
      yield [chunk, chunk.map((k) => map.get(k) as V)];
    }
    return;
  }
  const found = yield* pairChunks(heldOf(map, ascending), size);
  assert.equal(found, map.size, 'the ascending keys hold every key of the map');
}

function* heldOf<V>(map: Pick<ReadonlyMap<string, V>, 'get'>, ascending: AscendingKeys): Generator<readonly [string, V]> {
  for (const key of ascending()) {
    const value = map.get(key);
    if (value !== undefined) yield [key, value];
  }
}

/**
 * `pairs` (keys ascending) in chunks of `size` (at least one chunk, perhaps empty), as keys
 * and values apart; returns how many pairs there were.
 */
export function* pairChunks<V>(pairs: Iterable<readonly [string, V]>, size: number): Generator<[keys: string[], values: V[]], number> {
  let keys: string[] = [];
  let values: V[] = [];
  let found = 0;
  let chunks = 0;
  for (const [key, value] of pairs) {
    keys.push(key);
    values.push(value);
    found++;
    if (keys.length === size) {
      yield [keys, values];
      chunks++;
      keys = [];
      values = [];
    }
  }
  if (keys.length > 0 || chunks === 0) yield [keys, values];
  return found;
}

export function partRestorer(p: Projection, canonical?: CanonicalKey): PartRestorer {
  if (p.restorer !== undefined) return p.restorer(canonical);
  let only: { data: unknown } | null = null;
  const bad = (why: string): never => {
    throw new ProjectionError('PROJECTION_BAD_SNAPSHOT', `bad ${p.name} snapshot: ${why}`, { projection: p.name });
  };
  return {
    add(part: unknown): void {
      if (only !== null) bad('more than one part');
      only = { data: part };
    },
    finish(): void {
      if (only === null) return bad('no part');
      p.restore(only.data, canonical);
    },
  };
}
