/**
 * A large map's keys handed to its checkpoint parts in order: walking the key index's keys
 * (a superset) gives the same chunks as sorting the map's own keys.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ascendingChunks } from '../../src/projection/snapshot-parts.js';

const key = (i: number): string => `aws/1/r${i % 3}/ec2.instance/i-${String(i).padStart(4, '0')}`;

function mapOf(indices: number[]): Map<string, number> {
  return new Map(indices.map((i) => [key(i), i]));
}

describe('ascendingChunks', () => {
  const all = Array.from({ length: 40 }, (_, i) => key(i)).sort();
  const map = mapOf([3, 17, 5, 22, 39, 0, 11, 30, 8]);

  it('walking a superset of the keys gives the chunks that sorting gives, values with them', () => {
    const walked = [...ascendingChunks(map, 4, () => all)];
    const sorted = [...ascendingChunks(map, 4)];
    assert.deepEqual(walked, sorted);
    assert.deepEqual(walked.map(([keys]) => keys.length), [4, 4, 1]);
    const flat = walked.flatMap(([keys]) => keys);
    assert.deepEqual(flat, [...map.keys()].sort());
    for (const [keys, values] of walked) keys.forEach((k, i) => assert.equal(values[i], map.get(k)));
  });

  it('gives one empty chunk for an empty map, and no empty chunk after full ones', () => {
    assert.deepEqual([...ascendingChunks(new Map<string, number>(), 4, () => all)], [[[], []]]);
    assert.deepEqual([...ascendingChunks(new Map<string, number>(), 4)], [[[], []]]);
    assert.deepEqual([...ascendingChunks(mapOf([1, 2, 3, 4]), 2, () => all)].map(([keys]) => keys.length), [2, 2]);
  });

  it('refuses a walk that misses a key of the map', () => {
    const missing = all.filter((k) => k !== key(22));
    assert.throws(() => [...ascendingChunks(map, 4, () => missing)], /every key of the map/);
  });
});
