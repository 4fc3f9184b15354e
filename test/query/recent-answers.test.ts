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

  it('keeps an answer computed asynchronously, unless the mark moved while it was computed', async () => {
    const kept = new RecentAnswers<string>(4);
    assert.equal(await kept.getAsync('m', 'k', async () => 'first'), 'first');
    assert.equal(await kept.getAsync('m', 'k', async () => 'second'), 'first', 'kept');
    assert.equal(kept.get('m', 'k', () => 'third'), 'first', 'the same entries as get');
    // While 'x' is computed under m, an ask under n moves the mark: 'x' is answered, not kept.
    let release!: () => void;
    const slow = kept.getAsync('m', 'x', () => new Promise<string>((resolve) => (release = () => resolve('x-under-m'))));
    assert.equal(kept.get('n', 'y', () => 'y'), 'y');
    release();
    assert.equal(await slow, 'x-under-m');
    assert.equal(kept.get('n', 'x', () => 'x-under-n'), 'x-under-n', 'the answer computed under the old mark was not kept');
    await assert.rejects(kept.getAsync('n', 'z', async () => { throw new Error('no'); }), /no/);
    assert.equal(kept.get('n', 'z', () => 'z'), 'z');
  });
});
