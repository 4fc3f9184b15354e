/**
 * `elava compact` while a daemon runs: the lock is the daemon's, so the command asks the
 * daemon (POST /v1/admin/compact at the address it keeps in the data directory); the
 * daemon compacts between cycles, keeps scanning, and the log verifies afterwards.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ADMIN_ADDRESS_FILE } from '../../src/daemon/admin-address.js';
import { tempDir } from '../helpers/tmp.js';
import { runElava, startElava } from './elava-process.js';

describe('elava compact against a running daemon', () => {
  it('asks the daemon, which compacts online and keeps scanning', async () => {
    const dir = path.join(tempDir('elava-compact-live-'), 'data');
    const run = startElava(['daemon', '--simulate', '--data-dir', dir, '--create', '--http-listen', '127.0.0.1:0', '--interval', '200ms', '--jitter', '0s']);
    try {
      await run.waitForLog((l) => l['cycle'] === 3 && typeof l['revision'] === 'number', 60_000);
      assert.ok(fs.existsSync(path.join(dir, ADMIN_ADDRESS_FILE)), 'the daemon left its address');
      const usage = await runElava(['compact', '--before', 'x', '--data-dir', dir]);
      assert.equal(usage.code, 2, 'a bad revision is a usage error before anything is asked');
      const r = await runElava(['compact', '--before', '2', '--data-dir', dir, '--json'], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout) as { compacted: boolean; atMain: number; finished: boolean };
      assert.deepEqual([body.compacted, body.atMain, body.finished], [true, 2, true]);
      await run.waitForLog((l) => l['msg'] === 'compaction done on request');
      const again = await runElava(['compact', '--before', '2', '--data-dir', dir]);
      assert.equal(again.code, 1, 'compacting again at the same revision is refused');
      assert.match(again.stderr, /MVCC_COMPACTED/);
      const after = await run.waitForLog((l) => typeof l['cycle'] === 'number' && typeof l['revision'] === 'number' && (l['revision'] as number) > body.atMain + 3, 60_000);
      assert.ok(after, 'cycles go on after the compaction');
    } finally {
      run.child.kill('SIGTERM');
      const done = await run.finished;
      assert.equal(done.code, 0, done.stderr);
    }
    assert.equal(fs.existsSync(path.join(dir, ADMIN_ADDRESS_FILE)), false, 'removed at a clean stop');
    const verify = await runElava(['verify', '--data-dir', dir]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const below = await runElava(['at', '1', '--data-dir', dir]);
    assert.equal(below.code, 5, 'reads below the compaction point are compacted');
  });
});
