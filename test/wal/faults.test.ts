import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isWalError } from '../../src/wal/errors.js';
import { nodeFileSystem, type WalFileSystem } from '../../src/wal/file-system.js';
import { LOCK_FILE } from '../../src/wal/lock.js';
import { PREPARED_NAME } from '../../src/wal/segment-preparer.js';
import { Wal } from '../../src/wal/wal.js';
import { tempDir } from '../helpers/tmp.js';
import { deterministicCommit, range, readBack } from './log-helpers.js';

const SEGMENT = 16 * 1024;

/** node:fs with one call made to fail from a chosen moment on. */
function faultyFs(plan: { fdatasyncFailsAfter?: number; writeFailsAfter?: number; errno: string; tmpWritesFail?: boolean }): WalFileSystem & { armed: boolean } {
  let syncs = 0;
  let writes = 0;
  const wfs = {
    ...nodeFileSystem,
    armed: false,
    fdatasyncSync(fd: number) {
      if (wfs.armed && plan.fdatasyncFailsAfter !== undefined && ++syncs > plan.fdatasyncFailsAfter) {
        throw Object.assign(new Error(`injected ${plan.errno}`), { code: plan.errno });
      }
      nodeFileSystem.fdatasyncSync(fd);
    },
    writeSync(fd: number, buf: Buffer, off: number, len: number, pos: number) {
      if (wfs.armed && plan.writeFailsAfter !== undefined && ++writes > plan.writeFailsAfter) {
        // a short write first, as a filling disk does, then the error
        const half = Math.floor(len / 2);
        if (half > 0 && writes === plan.writeFailsAfter + 1) return nodeFileSystem.writeSync(fd, buf, off, half, pos);
        throw Object.assign(new Error(`injected ${plan.errno}`), { code: plan.errno });
      }
      return nodeFileSystem.writeSync(fd, buf, off, len, pos);
    },
  };
  return wfs;
}

/** node:fs on which, once `full`, every write to the segment being prepared fails with ENOSPC. */
function preparedSegmentFails(): { fs: WalFileSystem; full: boolean } {
  const disk = {
    full: false,
    fs: {
      ...nodeFileSystem,
      writeSync(fd: number, buf: Buffer, off: number, len: number, pos: number) {
        if (disk.full && fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith(PREPARED_NAME)) {
          throw Object.assign(new Error('injected ENOSPC'), { code: 'ENOSPC' });
        }
        return nodeFileSystem.writeSync(fd, buf, off, len, pos);
      },
    } as WalFileSystem,
  };
  return disk;
}

describe('fail-stop on disk errors', () => {
  it('fences the writer when fdatasync fails: that append and every later one reject; reopen keeps every acknowledged commit', async () => {
    const dir = tempDir();
    const wfs = faultyFs({ fdatasyncFailsAfter: 0, errno: 'EIO' });
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT, fs: wfs });
    for (const m of range(1, 20)) await wal.append(deterministicCommit(m));
    wfs.armed = true;
    await assert.rejects(wal.append(deterministicCommit(21)), (err) => isWalError(err, 'WAL_FENCED'));
    assert.ok(wal.isFenced);
    wfs.armed = false; // even a healthy disk now: the writer stays fenced
    await assert.rejects(wal.append(deterministicCommit(22)), (err) => isWalError(err, 'WAL_FENCED'));
    await wal.close();
    const reopened = Wal.open({ dir, segmentSizeBytes: SEGMENT });
    assert.ok(reopened.lastMain >= 20, 'every acknowledged commit survives');
    await reopened.close();
    const { commits } = readBack(dir);
    for (const m of range(1, 20)) assert.deepEqual(commits.get(m)?.events, deterministicCommit(m).events);
    assert.ok(!commits.has(22), 'nothing appended after the fence');
  });

  it('rejects an append hit by ENOSPC with a clear error and leaves no part of it visible after restart', async () => {
    const dir = tempDir();
    const wfs = faultyFs({ writeFailsAfter: 0, errno: 'ENOSPC' });
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT, fs: wfs });
    for (const m of range(1, 10)) await wal.append(deterministicCommit(m));
    wfs.armed = true;
    const big = { main: 11, timeMs: 11, events: range(0, 9).map((s) => ({ s, pad: 'x'.repeat(300) })) };
    await assert.rejects(wal.append(big), (err) => {
      assert.ok(isWalError(err, 'WAL_NO_SPACE'));
      assert.match(err.message, /ENOSPC/);
      return true;
    });
    wfs.armed = false;
    await wal.close();
    const reopened = Wal.open({ dir, segmentSizeBytes: SEGMENT });
    assert.equal(reopened.lastMain, 10);
    await reopened.append(deterministicCommit(11));
    await reopened.close();
    const { commits } = readBack(dir);
    assert.deepEqual([...commits.keys()], range(1, 11));
    assert.deepEqual(commits.get(11)?.events, deterministicCommit(11).events, 'commit 11 is the retried one, not the rejected one');
  });

  it('refuses appends with WAL_NO_SPACE while the next segment cannot be prepared, and recovers when space returns', async () => {
    const dir = tempDir();
    const disk = preparedSegmentFails();
    const wfs = disk.fs;
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT, fs: wfs });
    await new Promise((r) => setTimeout(r, 20));
    disk.full = true;
    let main = 0;
    let refused: unknown = null;
    for (let i = 0; i < 400 && !refused; i++) {
      await wal.append(deterministicCommit(++main)).catch((err) => (refused = err));
    }
    assert.ok(isWalError(refused, 'WAL_NO_SPACE'), `refused with WAL_NO_SPACE, got ${String(refused)}`);
    assert.equal(wal.isFenced, false, 'nothing ambiguous was written: the writer is not fenced');
    disk.full = false;
    await wal.append(deterministicCommit(main));
    await wal.close();
    assert.equal(readBack(dir).commits.size, main);
  });
});

describe('a roll-over that fails inside a group commit', () => {
  it('rejects what needed the new segment, writes the rest once, and leaves a log that reads back whole', async () => {
    const dir = tempDir();
    const disk = preparedSegmentFails();
    const wfs = disk.fs;
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT, fs: wfs });
    // fill the first segment to within ~1 KiB of its end, one commit at a time
    let main = 0;
    const pad = (n: number) => ({ pad: 'x'.repeat(n) });
    while (wal.stats().offsetBytes < SEGMENT - 2048) await wal.append({ main: ++main, timeMs: main, events: [pad(200)] });
    await wal.append({ main: ++main, timeMs: main, events: [pad(Math.max(16, SEGMENT - 1100 - wal.stats().offsetBytes))] });
    disk.full = true;
    fs.rmSync(path.join(dir, PREPARED_NAME), { force: true }); // the prepared file is gone, and no new one can be made
    // one batch: a small commit that fits, a large one that needs a new segment, then a small one that fits
    const small1 = wal.append({ main: main + 1, timeMs: 1, events: [pad(100)] });
    const large = wal.append({ main: main + 2, timeMs: 2, events: [pad(3000)] });
    const small2 = wal.append({ main: main + 3, timeMs: 3, events: [pad(100)] });
    const outcomes = await Promise.allSettled([small1, large, small2]);
    assert.equal(outcomes[0]!.status, 'fulfilled');
    assert.equal(outcomes[1]!.status, 'rejected');
    assert.equal(outcomes[2]!.status, 'fulfilled', 'a later commit that fits is written after the refused one');
    assert.equal(wal.isFenced, false);
    disk.full = false;
    await wal.append({ main: main + 4, timeMs: 4, events: [pad(3000)] });
    await wal.close();
    const mains = [...readBack(dir).commits.keys()];
    assert.deepEqual(mains.slice(-3), [main + 1, main + 3, main + 4], 'each acknowledged commit once, the refused one absent');
    assert.equal(new Set(mains).size, mains.length);
  });
});

describe('one writer per directory', () => {
  it('refuses a second writer, naming the process that holds the lock', async () => {
    const dir = tempDir();
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT });
    assert.throws(() => Wal.open({ dir, segmentSizeBytes: SEGMENT }), (err) => {
      assert.ok(isWalError(err, 'WAL_LOCKED'));
      assert.match(err.message, new RegExp(`process ${process.pid}`));
      return true;
    });
    await wal.close();
    const again = Wal.open({ dir, segmentSizeBytes: SEGMENT });
    await again.close();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = tempDir();
    await Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT }).close();
    const deadPid = 2 ** 22 + 12345; // above pid_max on this kind of machine: never alive
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), sinceIso: 'then' }));
    const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT });
    await wal.close();
  });
});

describe('fdatasync timing', () => {
  it('times every fdatasync into the histogram and warns past the threshold', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const { default: pino } = await import('pino');
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT, fsyncWarnMs: 0, logger });
    for (const m of range(1, 5)) await wal.append(deterministicCommit(m));
    assert.equal(wal.fsyncHistogram.count, 5);
    assert.ok(wal.fsyncHistogram.sumSeconds > 0);
    await wal.close();
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; fsyncMs: number });
    // Every commit's fdatasync, and the first segment's at open (timed apart from commits).
    assert.equal(wal.prepareFsyncHistogram.count, 1);
    assert.equal(warnings.filter((w) => w.msg === 'slow fdatasync on the log').length, 5 + 1);
    assert.ok(warnings.every((w) => w.fsyncMs > 0));
  });
});

describe('a writer in another process', () => {
  it('is named when a second writer is refused', async () => {
    const { spawn } = await import('node:child_process');
    const dir = tempDir();
    const child = spawn(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), 'crash-child.js'), dir, String(SEGMENT)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => {
        let seen = '';
        child.stdout.on('data', (c: Buffer) => {
          seen += c.toString();
          if (seen.includes('ack ')) resolve();
        });
      });
      assert.throws(() => Wal.open({ dir }), (err) => isWalError(err, 'WAL_LOCKED') && err.message.includes(`process ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const after = Wal.open({ dir });
    assert.ok(after.lastMain > 0, 'the lock of the killed writer is taken over');
    await after.close();
  });
});
