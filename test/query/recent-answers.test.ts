/**
 * RecentAnswers (the daemon's diff and summary caches): the last `max` answers by key, least
 * recently used out, all dropped when the mark changes; a computation that throws keeps nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentAnswers } from '../../src/query/recent-answers.js';

describe('recent answers', () => {
  it('keeps the last answers, least recently used out, and drops them all when the mark moves', () => {
    const kept = new RecentAnswers<string>(2);
    let computed = 0;
    const answer = (mark: string, key: string): string => kept.get(mark, key, () => `${key}#${++computed}`);
    assert.equal(answer('m', 'a'), 'a#1');
    assert.equal(answer('m', 'b'), 'b#2');
    assert.equal(answer('m', 'a'), 'a#1'); // kept; now the most recent
    assert.equal(answer('m', 'c'), 'c#3'); // b, the least recently used, goes
    assert.equal(answer('m', 'a'), 'a#1');
    assert.equal(answer('m', 'b'), 'b#4');
    assert.equal(answer('n', 'b'), 'b#5'); // another mark: nothing kept
    assert.equal(answer('n', 'b'), 'b#5');
  });

  it('keeps nothing for a computation that throws', () => {
    const kept = new RecentAnswers<number>(4);
    assert.throws(() => kept.get('m', 'k', () => { throw new Error('no'); }), /no/);
    assert.equal(kept.get('m', 'k', () => 7), 7);
    assert.throws(() => new RecentAnswers<number>(0));
  });
});
