/**
 * Heap settling (src/daemon/heap-settle.ts): the policy's counting, that one settling gives
 * back pages a plain full GC keeps, and that the daemon settles after a long enough
 * recovery and after enough cycles, and not otherwise.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { HeapSettlePolicy, settleHeap } from '../../src/daemon/heap-settle.js';
import type { ElavaEvent } from '../../src/model/events.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { openTestDaemon } from './daemon-harness.js';

const MiB = 2 ** 20;

function oldSpaceBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_size;
}

describe('heap settling', () => {
  it('is due after max(eventsMin, live) events, the recovered tail included, counted from the last settling', () => {
    const policy = new HeapSettlePolicy(100);
    assert.equal(policy.isDue(99, 10), false);
    assert.equal(policy.isDue(100, 10), true);
    assert.equal(policy.isDue(100, 150), false, 'a larger fleet waits for as many events as it has resources');
    assert.equal(policy.isDue(150, 150), true);
    policy.settled(150);
    assert.equal(policy.isDue(249, 10), false);
    assert.equal(policy.isDue(250, 10), true);
    const restarted = new HeapSettlePolicy(100);
    restarted.countRecoveredTail(60);
    assert.equal(restarted.isDue(39, 10), false);
    assert.equal(restarted.isDue(40, 10), true, 'the 60 replayed at start and 40 appended since');
    assert.throws(() => new HeapSettlePolicy(0));
    assert.throws(() => restarted.countRecoveredTail(-1));
  });

  it('gives back the old-generation pages a plain full GC keeps after most of their objects died', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // ~100 MB of small objects, promoted to the old generation, then two of every three let
    // go: the survivors are spread over every page, as superseded records leave them.
    const held: ({ a: number; b: string } | null)[] = [];
    for (let i = 0; i < 1_500_000; i++) held.push({ a: i, b: `s${i}` });
    gc();
    gc();
    for (let i = 0; i < held.length; i++) if (i % 3 !== 0) held[i] = null;
    gc();
    const plain = oldSpaceBytes();
    const report = settleHeap();
    const settled = oldSpaceBytes();
    assert.ok(plain - settled > 20 * MiB, `old space ${Math.round(plain / MiB)} MiB after a plain GC, ${Math.round(settled / MiB)} MiB after settling`);
    assert.ok(report.heapTotalAfterBytes < report.heapTotalBeforeBytes);
    assert.ok(report.ms >= 0);
    assert.equal(held.filter((h) => h !== null).length, 500_000, 'the live objects are all still there');
    assert.equal(held[300]?.b, 's300');
  });

  it('settles once a recovery replayed enough, before the daemon is ready, and again after enough cycles', async () => {
    const dir = `${tempDir('elava-settle-')}/data`;
    const first = await openTestDaemon(dir);
    await first.daemon.runCycle();
    await first.daemon.close(); // checkpoint, then a tail (more events than live resources) as a crash leaves it
    const store = await Store.open(dir);
    const scope = (n: number): ElavaEvent => ({ type: 'scope-scanned', scope: `aws/123456789012/eu-north-1/ec2.volume/${n}`, status: 'failed', listed: 0, durationMs: 1, error: { code: 'throttled', message: 'slow down' } });
    for (let c = 0; c < 3; c++) await store.commit(Array.from({ length: 200 }, (_, n) => scope(n)), Date.now());
    await store.close();

    const short = await openTestDaemon(dir, {}, {}, { heapSettleEventsMin: 602 });
    try {
      assert.equal(short.daemon.openStore.recovery.eventsReplayed, 601);
      assert.equal(short.logs.lines.filter((l) => String(l['msg']).startsWith('heap compacted')).length, 0, '601 replayed is under 602');
    } finally {
      await short.daemon.close();
    }

    // As `elava daemon --once` opens it: never settled, however much was replayed.
    const once = await openTestDaemon(dir, {}, {}, { heapSettleEventsMin: 1, settleHeap: false });
    try {
      assert.equal(once.daemon.openStore.recovery.eventsReplayed, 601);
      assert.equal(once.logs.lines.filter((l) => String(l['msg']).startsWith('heap compacted')).length, 0, 'settleHeap: false');
    } finally {
      await once.daemon.close();
    }

    const second = await openTestDaemon(dir, {}, {}, { heapSettleEventsMin: 1 });
    try {
      const lines = second.logs.lines;
      const settled = lines.findIndex((l) => String(l['msg']).startsWith('heap compacted'));
      assert.ok(settled >= 0, 'the replayed tail (≥ every live resource) made it due');
      assert.equal(lines[settled]?.['after'], 'recovery');
      assert.ok(settled < lines.findIndex((l) => l['msg'] === 'ready'), 'before the daemon is ready');
      const live = Number(lines[settled]?.['live']);
      assert.ok(live > 0 && Number(second.daemon.openStore.recovery.eventsReplayed) >= live);
      const before = lines.length;
      let cycles = 0;
      while (!lines.slice(before).some((l) => String(l['msg']).startsWith('heap compacted')) && cycles < 50) {
        second.sim.cloud.advance();
        await second.daemon.runCycle();
        cycles++;
      }
      const again = lines.slice(before).filter((l) => String(l['msg']).startsWith('heap compacted'));
      assert.equal(again.length, 1);
      assert.equal(again[0]?.['after'], 'cycles');
      assert.ok(second.daemon.log.stats().eventsAppended >= live, `only after as many events as live resources (${cycles} cycles)`);
    } finally {
      await second.daemon.close();
    }
  });
});
