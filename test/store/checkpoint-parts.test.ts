import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Packr } from 'msgpackr';
import { isSnapshotError } from '../../src/checkpoint/errors.js';
import { SNAP_HEADER_BYTES, SNAP_MAGIC, SnapReader } from '../../src/checkpoint/snap-file.js';
import { builtInProjections } from '../../src/projection/builtins.js';
import { ConditionSince } from '../../src/projection/condition-since.js';
import { Counts } from '../../src/projection/counts.js';
import { CurrentState } from '../../src/projection/current-state.js';
import { isProjectionError } from '../../src/projection/errors.js';
import { KeyIndexProjection } from '../../src/projection/key-index-projection.js';
import type { Projection } from '../../src/projection/projection.js';
import { partRestorer } from '../../src/projection/snapshot-parts.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { recoverState, type RecoveryProgress } from '../../src/store/recover.js';
import type { Store } from '../../src/store/store.js';
import { crc32 } from '../../src/wal/frame.js';
import { nodeFileSystem, type WalFileSystem } from '../../src/wal/file-system.js';
import { tempDir } from '../helpers/tmp.js';
import { commitAll, historyCommits, openStore } from './store-harness.js';
import { PART_ITEMS, restored, rewriteInSmallParts } from './checkpoint-rewrite.js';


/** A log of `first` commits, a checkpoint, `more` commits; then an older checkpoint is made the newest's predecessor. */
async function logWithCheckpoints(first: number, more: number): Promise<{ dir: string; store: Store; older: string; newer: string }> {
  const dir = tempDir();
  const store = await openStore(dir);
  const commits = historyCommits(first + 2 * more);
  await commitAll(store, commits.slice(0, first));
  const older = (await store.checkpoint('demand')).file;
  await commitAll(store, commits.slice(first, first + more));
  const newer = (await store.checkpoint('demand')).file;
  await commitAll(store, commits.slice(first + more));
  await store.close();
  return { dir, store, older, newer };
}

/** Byte offsets of each part of `file` and of its table (from the table itself). */
function layoutOf(dir: string, file: string): { parts: { offset: number; length: number }[]; tableOffset: number } {
  const bytes = fs.readFileSync(path.join(dir, file));
  const count = bytes.readUInt32LE(12);
  const tableOffset = bytes.length - count * 8;
  const parts: { offset: number; length: number }[] = [];
  let offset = SNAP_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const length = bytes.readUInt32LE(tableOffset + i * 8);
    parts.push({ offset, length });
    offset += length;
  }
  return { parts, tableOffset };
}

function flipByte(dir: string, file: string, at: number): void {
  const target = path.join(dir, file);
  const bytes = fs.readFileSync(target);
  bytes[at] = (bytes[at] as number) ^ 0x5a;
  fs.writeFileSync(target, bytes);
}

describe('checkpoints in parts', () => {
  it('recovers from a checkpoint of many parts to the live state, reporting each part restored', async () => {
    const { dir, store, newer } = await logWithCheckpoints(40, 15);
    await rewriteInSmallParts(dir, newer);
    const reader = SnapReader.open(nodeFileSystem, dir, newer);
    const partCount = reader.partCount;
    reader.close();
    const { projections } = restored(dir, newer);
    const keys = projections.find((p) => p instanceof KeyIndexProjection) as KeyIndexProjection;
    const current = projections.find((p) => p instanceof CurrentState) as CurrentState;
    const ages = projections.find((p) => p instanceof ConditionSince) as ConditionSince;
    assert.ok(current.size > 3 * PART_ITEMS, 'the history has live records for several parts');
    const partsOf = (n: number): number => Math.max(1, Math.ceil(n / PART_ITEMS));
    const expected = partsOf(keys.index.keyCount) + 2 * partsOf(current.size) + partsOf(ages.size) + (projections.length - 4) + 1;
    assert.equal(partCount, expected, 'key index, current state, counts and condition ages in parts, one part for each other projection, and the meta');

    const progress: RecoveryProgress[] = [];
    const recovered = await recoverState(dir, { onProgress: (p) => progress.push(p) });
    assert.equal(recovered.stats.checkpoint, newer);
    assert.equal(stateHash(recovered.projections), store.hash());

    const restoring = progress.filter((p) => p.phase === 'checkpoint');
    assert.equal(restoring.length, partCount - 1, 'one report per projection part (the meta part is not one)');
    restoring.forEach((p, i) => {
      assert.equal(p.events, i + 1);
      assert.ok(i === 0 || p.bytesDone > (restoring[i - 1] as RecoveryProgress).bytesDone, 'bytes done grow');
      assert.ok(p.bytesDone <= p.bytesTotal);
    });
  });

  it('a projection restored from its parts equals the one restored from one whole snapshot', async () => {
    const { dir, newer } = await logWithCheckpoints(30, 10);
    const { projections } = restored(dir, newer);
    const inParts = projections.filter((q) => q.snapshotParts !== undefined);
    assert.deepEqual(inParts.map((q) => q.name).sort(), ['condition-since', 'counts', 'current-state', 'key-index']);
    // A fresh set's projection; one kept by the key index's slots gets that index restored first.
    const fresh = (name: string): Projection => {
      const set = builtInProjections();
      const q = set.find((x) => x.name === name) as Projection;
      if (q.keyedBy !== undefined) q.keyedBy.restore(structuredClone((projections.find((x) => x.name === q.keyedBy?.name) as Projection).snapshot()));
      return q;
    };
    for (const p of inParts) {
      const fromParts = fresh(p.name);
      const restorer = partRestorer(fromParts);
      let n = 0;
      for (const part of p.snapshotParts?.(PART_ITEMS) ?? []) {
        restorer.add(structuredClone(part));
        n++;
      }
      restorer.finish();
      if (p.name !== 'condition-since') assert.ok(n > 2, `${p.name} made ${n} parts`); // few resources are in an aged condition
      const whole = fresh(p.name);
      whole.restore(structuredClone(p.snapshot()));
      assert.equal(stateHash([fromParts]), stateHash([p]));
      assert.equal(stateHash([whole]), stateHash([p]));
    }
  });

  it('condition ages restored from many parts equal the whole', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `gcp/p/z/compute.disk/d-${String(i).padStart(3, '0')}`);
    const whole = new ConditionSince();
    whole.restore({ keys, mains: keys.map((_, i) => 10 + i), firstSight: keys.map((_, i) => i % 2) });
    const parts = [...whole.snapshotParts(3)];
    assert.equal(parts.length, 7);
    const fromParts = new ConditionSince();
    const restorer = partRestorer(fromParts);
    for (const part of parts) restorer.add(structuredClone(part));
    restorer.finish();
    assert.equal(stateHash([fromParts]), stateHash([whole]));
    assert.equal(fromParts.sinceMain(keys[19] as string), 29);
  });

  it('refuses parts that disagree or whose keys do not ascend across parts', async () => {
    const { dir, newer } = await logWithCheckpoints(30, 10);
    const keys = restored(dir, newer).projections.find((p) => p instanceof KeyIndexProjection) as KeyIndexProjection;
    const parts = [...keys.snapshotParts(PART_ITEMS)] as Record<string, unknown>[];
    const restoreAll = (list: unknown[]): void => {
      const restorer = new KeyIndexProjection().restorer();
      for (const part of list) restorer.add(part);
      restorer.finish();
    };
    const badSnapshot = (err: unknown): boolean => isProjectionError(err, 'PROJECTION_BAD_SNAPSHOT');
    assert.throws(() => restoreAll([parts[1], parts[0], ...parts.slice(2)]), badSnapshot, 'keys out of order across parts');
    assert.throws(() => restoreAll([parts[0], { ...parts[1], lastMain: (parts[1]?.['lastMain'] as number) + 1 }]), badSnapshot, 'bookkeeping differs');
    assert.throws(() => restoreAll([parts[0], { ...parts[1], segments: ['other.wal'] }]), badSnapshot, 'segments differ');
    assert.throws(() => restoreAll([]), badSnapshot, 'no part at all');
    const counts = restored(dir, newer).projections.find((p) => p instanceof Counts) as Counts;
    const countParts = [...counts.snapshotParts(PART_ITEMS)];
    assert.ok(countParts.length > 1);
    assert.throws(() => {
      const restorer = new Counts().restorer();
      restorer.add(countParts[0]);
      restorer.add({ ...countParts[1], changes: { ...countParts[1]?.changes, appeared: 1e6 } });
    }, badSnapshot, 'counts parts disagree on the change counts');
    assert.throws(() => {
      const restorer = partRestorer(builtInProjections().find((p) => p.name === 'counts') as Projection);
      restorer.add({});
      restorer.add({});
    }, badSnapshot, 'a one-part projection given two');
  });

  for (const [what, damage] of [
    ['a byte of a middle part', (dir: string, file: string) => {
      const { parts } = layoutOf(dir, file);
      const part = parts[Math.floor(parts.length / 2)] as { offset: number; length: number };
      flipByte(dir, file, part.offset + Math.floor(part.length / 2));
    }],
    ['a byte of the part table', (dir: string, file: string) => flipByte(dir, file, layoutOf(dir, file).tableOffset + 3)],
    ['a byte of the meta part', (dir: string, file: string) => {
      const { parts } = layoutOf(dir, file);
      const meta = parts[parts.length - 1] as { offset: number; length: number };
      flipByte(dir, file, meta.offset + 1);
    }],
    ['its last byte cut', (dir: string, file: string) => fs.truncateSync(path.join(dir, file), fs.statSync(path.join(dir, file)).size - 1)],
    ['a byte appended', (dir: string, file: string) => fs.appendFileSync(path.join(dir, file), Buffer.from([0]))],
  ] as const) {
    it(`sets a checkpoint with ${what} aside (read-only: skips it) and recovers from the older one`, async () => {
      const { dir, store, older, newer } = await logWithCheckpoints(30, 10);
      await rewriteInSmallParts(dir, newer);
      damage(dir, newer);
      const target = path.join(dir, newer);

      const readOnly = await recoverState(dir, { readOnly: true });
      assert.deepEqual(readOnly.stats.brokenCheckpoints, [newer]);
      assert.ok(fs.existsSync(target), 'read-only recovery renames nothing');
      assert.equal(stateHash(readOnly.projections), store.hash());

      const recovered = await recoverState(dir);
      assert.equal(recovered.stats.checkpoint, older);
      assert.ok(!fs.existsSync(target) && fs.existsSync(`${target}.broken`));
      assert.equal(stateHash(recovered.projections), store.hash());
    });
  }

  it('does not set a checkpoint aside when reading a part fails (an I/O error is not damage)', async () => {
    const { dir, newer } = await logWithCheckpoints(30, 10);
    await rewriteInSmallParts(dir, newer);
    const { parts } = layoutOf(dir, newer);
    const snapFds = new Set<number>();
    const failing: WalFileSystem = {
      ...nodeFileSystem,
      openSync: (p, flags, mode) => {
        const fd = nodeFileSystem.openSync(p, flags, mode);
        if (p.endsWith(newer)) snapFds.add(fd);
        return fd;
      },
      readSync: (fd, buf, off, len, pos) => {
        if (snapFds.has(fd) && pos === (parts[3] as { offset: number }).offset) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        return nodeFileSystem.readSync(fd, buf, off, len, pos);
      },
    };
    await assert.rejects(recoverState(dir, { fs: failing }), (err: unknown) => isSnapshotError(err, 'SNAPSHOT_IO'));
    assert.ok(fs.existsSync(path.join(dir, newer)), 'the checkpoint stays in place');
  });

  it('a checkpoint whose write fails (disk full after its first part) leaves no file and no marker; the next one works', async () => {
    const dir = tempDir();
    let failWrites = false;
    let partsWritten = 0;
    const full: WalFileSystem = {
      ...nodeFileSystem,
      writeSync: (fd, buf, off, len, pos) => {
        if (failWrites && pos >= SNAP_HEADER_BYTES && ++partsWritten > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return nodeFileSystem.writeSync(fd, buf, off, len, pos);
      },
    };
    const store = await openStore(dir, { fs: full });
    const commits = historyCommits(40);
    await commitAll(store, commits.slice(0, 30));
    const lastMain = store.lastMain;
    failWrites = true;
    await assert.rejects(store.checkpoint('demand'), (err: unknown) => isSnapshotError(err, 'SNAPSHOT_IO'));
    failWrites = false;
    assert.ok(partsWritten > 1, 'the failure came after a part was written');
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('.snap')), [], 'no checkpoint file, no temporary file');
    assert.equal(store.lastMain, lastMain, 'no marker was committed');
    await commitAll(store, commits.slice(30));
    const { file } = await store.checkpoint('demand');
    await store.close();
    const recovered = await recoverState(dir);
    assert.equal(recovered.stats.checkpoint, file);
    assert.equal(stateHash(recovered.projections), store.hash());
  });

  it('reads a checkpoint of the first format (one body, written before parts)', async () => {
    const { dir, store, newer } = await logWithCheckpoints(30, 10);
    const { projections, loaded } = restored(dir, newer);
    // Format 1, as it was written: the 32-byte header (version 1, body length, body CRC,
    // flags, header CRC), then one msgpackr body holding every projection's snapshot.
    const body = new Packr({ variableMapSize: true }).pack({
      format: 1, coversMain: loaded.body.coversMain, createdMs: loaded.body.createdMs, structures: loaded.body.structures,
      projections: projections.map((p) => ({ name: p.name, version: p.version, state: p.snapshot() })), base: null,
    });
    const header = Buffer.alloc(SNAP_HEADER_BYTES);
    SNAP_MAGIC.copy(header, 0);
    header.writeUInt32LE(1, 8);
    header.writeUInt32LE(body.length, 12);
    header.writeUInt32LE(crc32(body, 0), 16);
    header.writeUInt32LE(crc32(header.subarray(0, 28), 0), 28);
    fs.writeFileSync(path.join(dir, newer), Buffer.concat([header, body]));

    const recovered = await recoverState(dir);
    assert.equal(recovered.stats.checkpoint, newer);
    assert.deepEqual(recovered.stats.brokenCheckpoints, []);
    assert.equal(stateHash(recovered.projections), store.hash());
  });
});
