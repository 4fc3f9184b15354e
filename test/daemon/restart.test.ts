/**
 * Restarting the daemon on the same data directory: it recovers from its shutdown
 * checkpoint to exactly the state it stopped with, continues at the next revision, and
 * finishes a compaction that a crash left scheduled but unfinished.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stateHash } from '../../src/projection/state-hash.js';
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
