/**
 * Roll-over without a stall: the next segment is zero-filled and fdatasync'd in the
 * background, timed into its own histogram, so the append that rolls over syncs only the
 * new header and its own data. And group commit: appends queued in one turn share exactly
 * one write and one fdatasync.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeFileSystem, type WalFileSystem } from '../../src/wal/file-system.js';
import { Wal } from '../../src/wal/wal.js';
import { tempDir } from '../helpers/tmp.js';
import { deterministicCommit } from './log-helpers.js';

const SEGMENT = 16 * 1024;

function countingFs(): WalFileSystem & { syncs: number; writes: number } {
  const wfs = {
    ...nodeFileSystem,
    syncs: 0,
    writes: 0,
    fdatasyncSync(fd: number) {
      wfs.syncs++;
      nodeFileSystem.fdatasyncSync(fd);
    },
    writeSync(fd: number, buf: Buffer, off: number, len: number, pos: number) {
      wfs.writes++;
      return nodeFileSystem.writeSync(fd, buf, off, len, pos);
    },
  };
  return wfs;
}

/** Lets the background preparer run until it has synced `count` prepared files (bounded). */
async function preparedSyncs(wal: Wal, count: number): Promise<void> {
  for (let turn = 0; turn < 10_000 && wal.prepareFsyncHistogram.count < count; turn++) {
    await new Promise<void>((r) => setImmediate(r));
  }
  assert.ok(wal.prepareFsyncHistogram.count >= count, 'the next segment was synced in the background');
}

describe('roll-over and group commit', () => {
  it('an append that rolls over onto a prepared segment syncs only the header and its commit', async () => {
    const wfs = countingFs();
    const wal = Wal.open({ dir: tempDir(), create: true, segmentSizeBytes: SEGMENT, fs: wfs });
    const atOpen = wal.prepareFsyncHistogram.count; // the first segment's own sync
    assert.equal(atOpen, 1);
    let rolls = 0;
    for (let main = 1; rolls < 3 && main < 10_000; main++) {
      await preparedSyncs(wal, atOpen + rolls + 1);
      const [segments, syncs, commitSyncs] = [wal.stats().segments, wfs.syncs, wal.fsyncHistogram.count];
      await wal.append(deterministicCommit(main, 8));
      if (wal.stats().segments === segments) continue;
      rolls++;
      assert.equal(wfs.syncs - syncs, 2, 'the new header and the commit: the fill was synced before');
      assert.equal(wal.fsyncHistogram.count - commitSyncs, 2, 'both timed as log syncs');
    }
    assert.equal(rolls, 3);
    await wal.close();
  });

  it('appends queued in one turn share exactly one write and one fdatasync', async () => {
    const wfs = countingFs();
    const wal = Wal.open({ dir: tempDir(), create: true, fs: wfs });
    await wal.append(deterministicCommit(1, 4));
    const [syncs, writes, timed] = [wfs.syncs, wfs.writes, wal.fsyncHistogram.count];
    const placements = await Promise.all(Array.from({ length: 64 }, (_, i) => wal.append(deterministicCommit(i + 2, 4))));
    assert.equal(placements.length, 64);
    assert.equal(wfs.writes - writes, 1, 'one write');
    assert.equal(wfs.syncs - syncs, 1, 'one fdatasync');
    assert.equal(wal.fsyncHistogram.count - timed, 1, 'timed once');
    await wal.close();
  });
});
