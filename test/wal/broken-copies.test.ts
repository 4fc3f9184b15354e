/**
 * `.broken` copies stay bounded: repeated torn-tail repairs keep only the newest copies,
 * a copy interrupted by a kill never survives under a final name, and copies of segments
 * that compaction deleted are removed on open.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { keepBrokenCopy, pruneBrokenCopies } from '../../src/wal/broken-copies.js';
import { nodeFileSystem } from '../../src/wal/file-system.js';
import { Wal } from '../../src/wal/wal.js';
import { tempDir } from '../helpers/tmp.js';
import { deterministicCommit, range, writeCommits } from './log-helpers.js';

const SEGMENT = 16 * 1024;

function brokenNames(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes('.broken')).sort();
}

function newest(dir: string): string {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort().at(-1)!;
}

/** Leaves the last write of the newest segment unfinished: its final record cut short by zeros. */
function tearLastWrite(dir: string): void {
  const file = path.join(dir, newest(dir));
  const bytes = fs.readFileSync(file);
  let at = 64;
  let last = 64;
  while (at + 8 <= bytes.length && bytes.readUInt32LE(at) !== 0) {
    last = at;
    at += Math.ceil((8 + bytes.readUInt32LE(at)) / 8) * 8;
  }
  bytes.fill(0, last + 8, at); // the commit record's body never reached the disk
  fs.writeFileSync(file, bytes);
}

describe('.broken copies', () => {
  it('keeps only the newest copies after many torn-tail repairs', async () => {
    const dir = tempDir();
    await writeCommits({ dir, create: true, segmentSizeBytes: SEGMENT }, range(1, 3), 4);
    const keep = 3;
    let main = 3;
    for (let i = 0; i < 7; i++) {
      const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT, brokenCopiesKept: keep });
      await wal.append(deterministicCommit(++main, 4));
      await wal.close();
      tearLastWrite(dir);
      main--; // the torn commit is cut on the next open
    }
    const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT, brokenCopiesKept: keep });
    assert.equal(wal.lastMain, main, 'every commit before each torn write is kept');
    await wal.close();
    const copies = brokenNames(dir);
    assert.equal(copies.length, keep, copies.join(' '));
    assert.deepEqual(copies, [`${newest(dir)}.broken.5`, `${newest(dir)}.broken.6`, `${newest(dir)}.broken.4`].sort());
  });

  it('never leaves a partial copy under a final name: a copy interrupted at its temp name is removed on open', async () => {
    const dir = tempDir();
    await writeCommits({ dir, create: true, segmentSizeBytes: SEGMENT }, range(1, 3), 4);
    fs.writeFileSync(path.join(dir, `${newest(dir)}.broken.tmp`), Buffer.alloc(100, 7)); // a kill mid-copy
    const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT });
    await wal.close();
    assert.deepEqual(brokenNames(dir), []);
    const name = keepBrokenCopy(nodeFileSystem, dir, newest(dir));
    assert.deepEqual(fs.readFileSync(path.join(dir, name)), fs.readFileSync(path.join(dir, newest(dir))));
  });

  it('removes the copies of segments that no longer exist (compacted away) and keeps later ones', () => {
    const dir = tempDir();
    const seg = (seq: number): string => `${seq.toString(16).padStart(16, '0')}-${(seq * 10 + 1).toString(16).padStart(16, '0')}.wal`;
    fs.writeFileSync(path.join(dir, seg(5)), 'x');
    fs.writeFileSync(path.join(dir, seg(6)), 'x');
    for (const n of [`${seg(2)}.broken`, `${seg(4)}.broken.1`, `${seg(5)}.broken`, `${seg(7)}.broken`, 'unrelated.broken-ish']) {
      fs.writeFileSync(path.join(dir, n), 'x');
    }
    const deleted = pruneBrokenCopies(nodeFileSystem, dir, 8);
    assert.deepEqual(deleted.sort(), [`${seg(2)}.broken`, `${seg(4)}.broken.1`]);
    assert.deepEqual(brokenNames(dir), [`${seg(5)}.broken`, `${seg(7)}.broken`, 'unrelated.broken-ish'].sort());
  });
});
