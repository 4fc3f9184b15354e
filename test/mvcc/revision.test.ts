import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRevision, formatRevision, revision, revisionGreaterThan } from '../../src/mvcc/revision.js';

describe('revision', () => {
  const orderVectors: Array<[string, [number, number], [number, number], number]> = [
    ['equal', [4, 0], [4, 0], 0],
    ['lower main wins over higher sub', [3, 9], [4, 0], -1],
    ['same main orders by sub', [4, 1], [4, 0], 1],
    ['higher main', [5, 0], [4, 7], 1],
  ];
  for (const [name, a, b, want] of orderVectors) {
    it(`orders revisions by main then sub: ${name}`, () => {
      assert.equal(Math.sign(compareRevision(revision(...a), revision(...b))), want);
      assert.equal(revisionGreaterThan(revision(...a), revision(...b)), want > 0);
    });
  }

  it('formats as main.sub', () => {
    assert.equal(formatRevision(revision(4, 0)), '4.0');
  });

  const badParts: Array<[string, number, number]> = [
    ['negative main', -1, 0],
    ['fractional sub', 1, 0.5],
    ['unsafe main', 2 ** 53, 0],
    ['NaN sub', 1, Number.NaN],
  ];
  for (const [name, main, sub] of badParts) {
    it(`rejects a ${name} as a programming error`, () => {
      assert.throws(() => revision(main, sub), { name: 'AssertionError' });
    });
  }
});
