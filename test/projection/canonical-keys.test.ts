import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ascendingKeys, ownKey } from '../../src/projection/canonical-keys.js';
import { prng } from './log-fixture.js';

describe('canonical keys from the key index', () => {
  it('always answers a string equal to the key asked, in order, out of order, present or absent', () => {
    const random = prng(7);
    const sorted = Array.from({ length: 200 }, (_, i) => `aws:ec2:eu-west-1:i-${String(i * 3).padStart(5, '0')}`).sort();
    for (let round = 0; round < 20; round++) {
      const asked = Array.from({ length: 150 }, () => `aws:ec2:eu-west-1:i-${String(Math.floor(random() * 700)).padStart(5, '0')}`);
      if (round % 2 === 0) asked.sort();
      let consumed = 0;
      const keys = sorted[Symbol.iterator]();
      const canonical = ascendingKeys({ next: () => (consumed++, keys.next()) });
      for (const key of asked) assert.equal(canonical(key), key);
      assert.ok(consumed <= sorted.length + 1, 'one pass over the key index at most');
    }
    assert.equal(ownKey('x'), 'x');
  });
});
