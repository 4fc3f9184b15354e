import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PageTokens } from '../../src/scan/page-tokens.js';
import { ScanError } from '../../src/scan/scan-error.js';

const isMalformed = (err: unknown): boolean =>
  err instanceof ScanError && err.code === 'malformed-response';

describe('page tokens of one listing', () => {
  it('asks with each token handed back, and ends on none, an empty one or null', () => {
    for (const end of [undefined, '', null]) {
      const tokens = new PageTokens('DescribeInstances');
      assert.equal(tokens.next('a'), 'a');
      assert.equal(tokens.next('b'), 'b');
      assert.equal(tokens.next(end), null);
      assert.equal(tokens.pages, 3);
    }
  });

  const loops: [string, string[]][] = [
    ['the token a page was asked with, handed back by that page', ['a', 'a']],
    ['an earlier token, handed back later (a loop)', ['a', 'b', 'c', 'a']],
  ];
  for (const [what, handedBack] of loops) {
    it(`takes ${what} for a malformed response`, () => {
      const tokens = new PageTokens('DescribeDBInstances');
      const last = handedBack.length - 1;
      for (let i = 0; i < last; i++) tokens.next(handedBack[i]);
      assert.throws(() => tokens.next(handedBack[last]), isMalformed);
    });
  }
});
