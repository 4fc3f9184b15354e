import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { CommitTimes } from '../../src/projection/commit-times.js';
import type { LogEvent } from '../../src/wal/types.js';

function event(main: number, sub: number, timeMs: number, payload: unknown = { type: 'scope-scanned' }): LogEvent {
  return { kind: 'event', main, sub, timeMs, payload, location: { segment: 's', offsetBytes: 0 } };
}

function hashOf(times: CommitTimes): string {
  const h = createHash('sha256');
  times.hashState(h);
  return h.digest('hex');
}

describe('CommitTimes', () => {
  it('records each commit once, at its first event', () => {
    const t = new CommitTimes();
    t.apply(event(1, 0, 1000));
    t.apply(event(1, 1, 1000));
    t.apply(event(3, 0, 3000));
    assert.equal(t.size, 2);
    assert.equal(t.firstMain, 1);
    assert.equal(t.lastMain, 3);
    assert.equal(t.timeOf(3), 3000);
    assert.equal(t.timeOf(2), null, 'no events, no time');
  });

  it('finds the newest commit at or before a time', () => {
    const t = new CommitTimes();
    for (let m = 1; m <= 200; m++) t.apply(event(m, 0, m * 10));
    assert.equal(t.mainAtOrBefore(5), null);
    assert.equal(t.mainAtOrBefore(10), 1);
    assert.equal(t.mainAtOrBefore(1999), 199);
    assert.equal(t.mainAtOrBefore(1e12), 200);
  });

  it('never resolves a time to a commit after a later one when the clock stepped back', () => {
    const t = new CommitTimes();
    t.apply(event(1, 0, 100));
    t.apply(event(2, 0, 300));
    t.apply(event(3, 0, 200));
    t.apply(event(4, 0, 400));
    assert.equal(t.mainAtOrBefore(250), 1, 'commit 2 is later than 250');
    assert.equal(t.mainAtOrBefore(350), 3);
    assert.equal(t.timeOf(3), 200);
  });

  it('drops the commits at or below a compaction marker, as a rebuild from the base would', () => {
    const live = new CommitTimes();
    for (let m = 1; m <= 5; m++) live.apply(event(m, 0, m * 10));
    live.apply(event(6, 0, 60, { type: 'compaction-scheduled', atMain: 3 }));
    const rebuilt = new CommitTimes();
    rebuilt.apply(event(2, 0, 20)); // the base holds only some revisions at or below 3
    for (let m = 4; m <= 5; m++) rebuilt.apply(event(m, 0, m * 10));
    rebuilt.apply(event(6, 0, 60, { type: 'compaction-scheduled', atMain: 3 }));
    assert.deepEqual(live.snapshot(), { mains: [4, 5], timesMs: [40, 50] }, 'the marker commit itself is not a commit time');
    assert.equal(hashOf(live), hashOf(rebuilt));
  });

  it('leaves out marker-only commits, so maintenance timing does not change the state', () => {
    const t = new CommitTimes();
    t.apply(event(1, 0, 10));
    t.apply(event(2, 0, 999, { type: 'checkpoint', file: 'checkpoint-0000000000000001.snap', coversMain: 1 }));
    t.apply(event(3, 0, 30));
    assert.deepEqual(t.snapshot(), { mains: [1, 3], timesMs: [10, 30] });
    assert.equal(t.mainAtOrBefore(25), 1, 'a time between the marker and the next scan resolves to the scan commit before the marker');
  });

  it('restores its snapshot to an equal state and refuses a malformed one', () => {
    const t = new CommitTimes();
    for (let m = 1; m <= 100; m++) t.apply(event(m * 2, 0, m * 7));
    const copy = new CommitTimes();
    copy.restore(t.snapshot());
    assert.equal(hashOf(copy), hashOf(t));
    assert.equal(copy.mainAtOrBefore(70), 20);
    assert.throws(() => copy.restore({ mains: [2, 1], timesMs: [1, 2] }), { code: 'PROJECTION_BAD_SNAPSHOT' });
    assert.throws(() => copy.restore({ mains: [1] }), { code: 'PROJECTION_BAD_SNAPSHOT' });
  });
});
