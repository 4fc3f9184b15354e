/**
 * A checkpoint is written part by part with the event loop turning in between; meanwhile
 * the Store holds other commits back (StateWriter.holdCommits), so the file holds exactly
 * the state at its covered revision and its marker is the very next commit.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isSnapshotError } from '../../src/checkpoint/errors.js';
import { SNAP_TMP_SUFFIX } from '../../src/checkpoint/snap-file.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { Store } from '../../src/store/store.js';
import { nodeFileSystem, type WalFileSystem } from '../../src/wal/file-system.js';
import { countLoopTurns, type LoopTurns } from '../helpers/loop-turns.js';
import { tempDir } from '../helpers/tmp.js';
import { restored } from './checkpoint-rewrite.js';
import { commitAll, commitTimeMs, historyCommits, openStore } from './store-harness.js';

const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

async function storeWith(commits: number, fs?: WalFileSystem): Promise<{ dir: string; store: Store; rest: ReturnType<typeof historyCommits> }> {
  const dir = tempDir();
  const store = await openStore(dir, fs ? { fs } : {});
  stores.push(store);
  const all = historyCommits(commits + 3);
  await commitAll(store, all.slice(0, commits));
  return { dir, store, rest: all.slice(commits) };
}

function isCheckpointTemp(file: string): boolean {
  return path.basename(file).startsWith('checkpoint-') && file.endsWith(SNAP_TMP_SUFFIX);
}

describe('a checkpoint holds commits back while it writes', () => {
  it('queues commits made during the write behind its marker, in order, and writes the state at its covered revision', async () => {
    const { dir, store, rest } = await storeWith(30);
    const before = store.lastMain;
    const hashBefore = store.hash();
    const taking = store.checkpoint('demand');
    const a = store.commit(rest[0]!, commitTimeMs(before + 2));
    const b = store.commit(rest[1]!, commitTimeMs(before + 3));
    const info = await taking;
    assert.equal(info.coversMain, before);
    assert.equal(info.markerMain, before + 1);
    assert.equal((await a).main, before + 2);
    assert.equal((await b).main, before + 3);
    // A commit after the queue has drained goes straight through.
    assert.equal((await store.commit(rest[2]!, commitTimeMs(before + 4))).main, before + 4);
    const { projections } = restored(dir, info.file);
    assert.equal(stateHash(projections), hashBefore, 'the file holds the state at coversMain, not a later one');
    const liveHash = store.hash();
    const reopened = await Store.open(dir, { readOnly: true });
    assert.equal(reopened.recovery.checkpoint, info.file);
    assert.equal(reopened.hash(), liveHash);
    await reopened.close();
  });

  it('waits for a commit in flight to be applied before it starts', async () => {
    const { dir, store, rest } = await storeWith(20);
    const inFlight = store.commit(rest[0]!, commitTimeMs(store.lastMain + 1));
    let hashApplied = '';
    void inFlight.then(() => (hashApplied = store.hash()));
    const info = await store.checkpoint('demand');
    const { main } = await inFlight;
    assert.equal(info.coversMain, main, 'the commit in flight is in the checkpoint');
    assert.equal(info.markerMain, main + 1);
    const { projections } = restored(dir, info.file);
    assert.equal(stateHash(projections), hashApplied);
  });

  it('gives the event loop a turn between parts', async () => {
    let turns: LoopTurns | null = null;
    const seenAtWrites: number[] = [];
    let tmpFd = -1;
    const fs: WalFileSystem = {
      ...nodeFileSystem,
      openSync: (p, flags, mode) => {
        const fd = nodeFileSystem.openSync(p, flags, mode);
        if (isCheckpointTemp(p)) tmpFd = fd;
        return fd;
      },
      writeSync: (fd, buf, off, len, pos) => {
        if (fd === tmpFd && turns !== null) seenAtWrites.push(turns.count);
        return nodeFileSystem.writeSync(fd, buf, off, len, pos);
      },
    };
    const { store } = await storeWith(20, fs);
    turns = countLoopTurns();
    await store.checkpoint('demand');
    turns.stop();
    const distinct = new Set(seenAtWrites).size;
    // One write per part (each projection, then the meta) plus the table and header.
    assert.ok(seenAtWrites.length >= store.projections.length + 1, `${seenAtWrites.length} writes`);
    assert.ok(distinct >= store.projections.length, `the parts were written in ${distinct} turns of the event loop, one expected per projection`);
  });

  for (const fault of ['open', 'fdatasync'] as const) {
    it(`lets the held commits go when the write fails (${fault} of the file refused)`, async () => {
      let failing = false;
      let tmpFd = -1;
      let syncs = 0;
      const fs: WalFileSystem = {
        ...nodeFileSystem,
        openSync: (p, flags, mode) => {
          if (failing && fault === 'open' && isCheckpointTemp(p)) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          const fd = nodeFileSystem.openSync(p, flags, mode);
          if (isCheckpointTemp(p)) tmpFd = fd;
          return fd;
        },
        fdatasyncSync: (fd) => {
          // The second part's flush fails: the first part is already on disk.
          if (failing && fault === 'fdatasync' && fd === tmpFd && ++syncs === 2) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
          nodeFileSystem.fdatasyncSync(fd);
        },
      };
      const { dir, store, rest } = await storeWith(10, fs);
      const before = store.lastMain;
      failing = true;
      const taking = store.checkpoint('demand');
      const held = store.commit(rest[0]!, commitTimeMs(before + 1));
      await assert.rejects(taking, (err: unknown) => isSnapshotError(err, 'SNAPSHOT_IO'));
      failing = false;
      assert.equal((await held).main, before + 1, 'the held commit lands once the checkpoint gives up');
      assert.deepEqual(readdirSync(dir).filter(isCheckpointTemp), [], 'no temporary file left');
      const info = await store.checkpoint('demand');
      assert.equal(info.coversMain, before + 1);
    });
  }
});
