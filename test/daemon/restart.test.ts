/**
 * Restarting the daemon on the same data directory: it recovers from its shutdown
 * checkpoint to exactly the state it stopped with, continues at the next revision, and
 * finishes a compaction that a crash left scheduled but unfinished.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ElavaEvent } from '../../src/model/events.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { openTestDaemon } from './daemon-harness.js';

describe('daemon restart', () => {
  it('recovers from its shutdown checkpoint and continues at the next revision', async () => {
    const dir = `${tempDir('elava-restart-')}/data`;
    const first = await openTestDaemon(dir);
    await first.daemon.runCycle();
    first.sim.cloud.advance();
    await first.daemon.runCycle();
    await first.daemon.close();
    const hashAtStop = stateHash(first.daemon.state);
    const lastMain = first.daemon.log.lastMain;
    assert.equal(lastMain, 3, 'two cycles and the shutdown checkpoint marker');

    const second = await openTestDaemon(dir);
    try {
      assert.equal(stateHash(second.daemon.state), hashAtStop);
      const logs = second.logs.lines.find((l) => l['msg'] === 'state recovered');
      assert.equal(logs?.['checkpoint'], 'checkpoint-0000000000000002.snap');
      const report = await second.daemon.runCycle();
      assert.equal(report.revision, lastMain + 1);
    } finally {
      await second.daemon.close();
    }
  });

  it('counts the tail it recovered toward its next checkpoint, so a daemon that never stops cleanly still takes them', async () => {
    // A log whose newest checkpoint is followed by a tail, as a crash (no shutdown
    // checkpoint) leaves it: three commits of 20 events written straight through the Store.
    const dir = `${tempDir('elava-tail-')}/data`;
    const first = await openTestDaemon(dir);
    await first.daemon.runCycle();
    await first.daemon.close(); // checkpoint at revision 2 (the cycle, then its marker)
    const store = await Store.open(dir);
    const scope = (n: number): ElavaEvent => ({ type: 'scope-scanned', scope: `aws/123456789012/eu-north-1/ec2.volume/${n}`, status: 'failed', listed: 0, durationMs: 1, error: { code: 'throttled', message: 'slow down' } });
    for (let c = 0; c < 3; c++) await store.commit(Array.from({ length: 20 }, (_, n) => scope(n)), Date.now());
    await store.close();

    // A checkpoint is due after 62 events: the 61 recovered (the checkpoint's marker, then
    // the three commits) and any one more.
    const second = await openTestDaemon(dir, {}, { 'checkpoint-every-events': '62' });
    try {
      assert.equal(second.daemon.openStore.recovery.eventsReplayed, 61);
      const report = await second.daemon.runCycle();
      assert.ok(report.events < 62, `one cycle (${report.events} events) is not a checkpoint's worth on its own`);
      const taken = second.logs.lines.filter((l) => l['msg'] === 'checkpoint taken' && l['reason'] === 'policy');
      assert.equal(taken.length, 1, 'the recovered tail and the cycle together made a checkpoint due');
    } finally {
      await second.daemon.close();
    }
  });

  it('finishes at start a compaction that was scheduled and not finished', async () => {
    const dir = `${tempDir('elava-resume-')}/data`;
    const first = await openTestDaemon(dir);
    await first.daemon.runCycle();
    first.sim.cloud.advance();
    await first.daemon.runCycle();
    const r = await first.daemon.openStore.compact(1, { crashAt: 'after-scheduled' });
    assert.equal(r.finished, false);
    assert.equal(first.daemon.openStore.pendingCompactionMain, 1);
    await first.daemon.close();

    const second = await openTestDaemon(dir);
    try {
      assert.equal(second.daemon.openStore.pendingCompactionMain, null);
      assert.equal(second.daemon.openStore.resumedCompaction?.finished, true);
      assert.ok(second.logs.lines.some((l) => String(l['msg']).startsWith('a compaction was scheduled and not finished')));
    } finally {
      await second.daemon.close();
    }
  });
});
