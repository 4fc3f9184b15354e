/**
 * HeavyAnswers (src/daemon/heavy-answers.ts): at most `max` long reads at once, the others
 * in the order they came, and a slot freed however an answer ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeavyAnswers } from '../../src/daemon/heavy-answers.js';

describe('heavy answers', () => {
  it('runs at most max at once, the rest first come first served, a failure freeing its slot', async () => {
    const heavy = new HeavyAnswers(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const finish = new Map<number, (fail: boolean) => void>();
    const answers = [0, 1, 2, 3, 4].map((n) => heavy.run(() => new Promise<number>((resolve, reject) => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      finish.set(n, (fail) => {
        running--;
        if (fail) reject(new Error(`answer ${n} failed`));
        else resolve(n);
      });
    })));
    const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await settle();
    assert.deepEqual(started, [0, 1]);
    finish.get(1)?.(true); // a failure frees its slot too
    await assert.rejects(answers[1] as Promise<number>, /answer 1 failed/);
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    finish.get(0)?.(false);
    assert.equal(await answers[0], 0);
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3]);
    for (const n of [2, 3]) finish.get(n)?.(false);
    await settle();
    finish.get(4)?.(false);
    assert.deepEqual(await Promise.all([answers[2], answers[3], answers[4]]), [2, 3, 4]);
    assert.equal(most, 2);
    assert.equal(await heavy.run(async () => 'free again'), 'free again');
    assert.throws(() => new HeavyAnswers(0));
  });
});
