/**
 * RecentAnswers (the daemon's diff and summary caches): the last `max` answers by key, least
 * recently used out, all dropped when the mark changes; a computation that throws keeps nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentAnswers } from '../../src/query/recent-answers.js';

describe('recent answers', () => {
  it('keeps the last answers, least recently used out, and drops them all when the mark moves', async () => {
    const kept = new RecentAnswers<string>(2);
    let computed = 0;
    const answer = (mark: string, key: string): Promise<string> => kept.get(mark, key, async () => `${key}#${++computed}`);
    assert.equal(await answer('m', 'a'), 'a#1');
    assert.equal(await answer('m', 'b'), 'b#2');
    assert.equal(await answer('m', 'a'), 'a#1'); // kept; now the most recent
    assert.equal(await answer('m', 'c'), 'c#3'); // b, the least recently used, goes
    assert.equal(await answer('m', 'a'), 'a#1');
    assert.equal(await answer('m', 'b'), 'b#4');
    assert.equal(await answer('n', 'b'), 'b#5'); // another mark: nothing kept
    assert.equal(await answer('n', 'b'), 'b#5');
  });

  it('keeps nothing for a computation that throws', async () => {
    const kept = new RecentAnswers<number>(4);
    await assert.rejects(kept.get('m', 'k', async () => { throw new Error('no'); }), /no/);
    assert.equal(await kept.get('m', 'k', async () => 7), 7);
    assert.throws(() => new RecentAnswers<number>(0));
  });

  it('keeps an answer computed asynchronously, unless the mark moved while it was computed', async () => {
    const kept = new RecentAnswers<string>(4);
    assert.equal(await kept.get('m', 'k', async () => 'first'), 'first');
    assert.equal(await kept.get('m', 'k', async () => 'second'), 'first', 'kept');
    // While 'x' is computed under m, an ask under n moves the mark: 'x' is answered, not kept.
    let release!: () => void;
    const slow = kept.get('m', 'x', () => new Promise<string>((resolve) => (release = () => resolve('x-under-m'))));
    assert.equal(await kept.get('n', 'y', async () => 'y'), 'y');
    release();
    assert.equal(await slow, 'x-under-m');
    assert.equal(await kept.get('n', 'x', async () => 'x-under-n'), 'x-under-n', 'the answer computed under the old mark was not kept');
    await assert.rejects(kept.get('n', 'z', async () => { throw new Error('no'); }), /no/);
    assert.equal(await kept.get('n', 'z', async () => 'z'), 'z');
  });
});
