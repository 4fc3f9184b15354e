import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { isDamageCode, isWalError } from '../../src/wal/errors.js';
import { Wal } from '../../src/wal/wal.js';
import { readLog } from '../../src/wal/reader.js';
import { copyDir, tempDir } from '../helpers/tmp.js';
import { deterministicCommit, range, readBack, writeCommits } from './log-helpers.js';

const SEGMENT = 16 * 1024;
const LAST_MAIN = 40; // 40 % 9 = 4 events in the final commit (about 1.5 KiB)

interface Fixture {
  dir: string;
  segment: string;
  finalStart: number;
  finalEnd: number;
}

function lastSegment(dir: string): string {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort().at(-1)!;
}

async function buildFixture(): Promise<Fixture> {
  const dir = tempDir();
  await writeCommits({ dir, create: true, segmentSizeBytes: SEGMENT }, range(1, LAST_MAIN), 8);
  const segment = lastSegment(dir);
  const entries = [...readLog(dir)].filter((e) => e.location.segment === segment);
  const finalEntries = entries.filter((e) => e.main === LAST_MAIN);
  assert.ok(finalEntries.length >= 3, 'final commit has events and is in the last segment');
  const previous = entries.filter((e) => e.main === LAST_MAIN - 1 && e.kind === 'commit')[0];
  assert.ok(previous, 'the commit before the final one sits in the same segment');
  const finalStart = finalEntries[0]!.location.offsetBytes;
  const finalEnd = finalEntries.at(-1)!.location.offsetBytes + 32; // commit record frame is 32 bytes
  return { dir, segment, finalStart, finalEnd };
}

/** Zeroes bytes [from, to) of `file`, as a write that never reached the disk leaves them. */
function zeroRange(file: string, from: number, to: number): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(to - from), 0, to - from, from);
  fs.closeSync(fd);
}

/** Opens the damaged copy, checks what replays, appends one more commit and reads it back. */
async function assertRepairs(dir: string, what: string): Promise<void> {
  const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT });
  assert.equal(wal.lastMain, LAST_MAIN - 1, `${what}: resumes after the last whole commit`);
  await wal.append(deterministicCommit(LAST_MAIN + 1, 8));
  await wal.close();
  const { commits } = readBack(dir);
  assert.deepEqual([...commits.keys()], [...range(1, LAST_MAIN - 1), LAST_MAIN + 1], what);
  for (const m of [1, LAST_MAIN - 1, LAST_MAIN + 1]) {
    assert.deepEqual(commits.get(m)!.events, deterministicCommit(m, 8).events, `${what}: commit ${m} intact`);
  }
}

describe('torn tail repair', () => {
  let fx: Fixture;
  before(async () => {
    fx = await buildFixture();
  });

  it('keeps every earlier commit when the last segment is cut at any byte inside the final commit', async () => {
    const work = tempDir();
    for (let cut = fx.finalStart; cut < fx.finalEnd; cut++) {
      const dir = path.join(work, String(cut));
      copyDir(fx.dir, dir);
      fs.truncateSync(path.join(dir, fx.segment), cut);
      await assertRepairs(dir, `cut at ${cut}`);
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('keeps every earlier commit when the final write stopped at any 512-byte boundary (zeros from there on)', async () => {
    const work = tempDir();
    const firstSector = Math.floor(fx.finalStart / 512) * 512;
    for (let sector = firstSector; sector < fx.finalEnd; sector += 512) {
      const dir = path.join(work, String(sector));
      copyDir(fx.dir, dir);
      const file = path.join(dir, fx.segment);
      const from = Math.max(sector, fx.finalStart);
      zeroRange(file, from, fs.statSync(file).size);
      await assertRepairs(dir, `zeros from ${from}`);
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('refuses, and cuts nothing, when one bit of the last record\'s length or CRC word is flipped', () => {
    const work = tempDir();
    const commitRecord = fx.finalEnd - 32; // the log's last record: its span runs into zeros
    for (let bit = 0; bit < 64; bit++) {
      const dir = path.join(work, String(bit));
      copyDir(fx.dir, dir);
      const file = path.join(dir, fx.segment);
      const bytes = fs.readFileSync(file);
      const at = commitRecord + Math.floor(bit / 8);
      bytes[at] = bytes[at]! ^ (1 << (bit % 8));
      fs.writeFileSync(file, bytes);
      assert.throws(() => Wal.open({ dir, segmentSizeBytes: SEGMENT }), (err) => isWalError(err) && isDamageCode(err.code), `bit ${bit}`);
      assert.deepEqual(fs.readFileSync(file), bytes, `bit ${bit}: nothing cut`);
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('keeps every earlier commit when any 512-byte sector of the final commit is zeroed', async () => {
    const work = tempDir();
    const firstSector = Math.floor(fx.finalStart / 512) * 512;
    for (let sector = firstSector; sector < fx.finalEnd; sector += 512) {
      const dir = path.join(work, String(sector));
      copyDir(fx.dir, dir);
      zeroRange(path.join(dir, fx.segment), Math.max(sector, fx.finalStart), sector + 512);
      await assertRepairs(dir, `sector at ${sector}`);
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('keeps a .broken copy and zeroes the tail it cut', async () => {
    const dir = tempDir();
    copyDir(fx.dir, dir);
    const file = path.join(dir, fx.segment);
    fs.truncateSync(file, fx.finalEnd - 5);
    const before = fs.readFileSync(file);
    const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT });
    assert.equal(wal.repaired?.brokenCopy, `${fx.segment}.broken`);
    await wal.close();
    assert.ok(fs.readFileSync(path.join(dir, `${fx.segment}.broken`)).equals(before), 'the copy is the file as found');
    const after = fs.readFileSync(file);
    assert.ok(after.subarray(fx.finalStart).every((b) => b === 0), 'everything after the cut is zero');
  });

  it('leaves a clean log untouched', async () => {
    const dir = tempDir();
    copyDir(fx.dir, dir);
    const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT });
    assert.equal(wal.repaired, null);
    assert.equal(wal.lastMain, LAST_MAIN);
    await wal.close();
    assert.ok(!fs.readdirSync(dir).some((n) => n.includes('.broken')));
  });
});

describe('torn tail with a new structure table', () => {
  it('does not count a structure table logged inside the torn commit as logged', async () => {
    // given a log whose final commit introduced a new payload shape and lost its commit record
    const dir = tempDir();
    const shapeA = (m: number) => ({ type: 'a', key: `k${m}`, n: m });
    const shapeB = (m: number) => ({ brandNew: m, fields: [m, m + 1], here: 'b' });
    let wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT });
    for (const m of range(1, 5)) await wal.append({ main: m, timeMs: m, events: [shapeA(m)] });
    const torn = await wal.append({ main: 6, timeMs: 6, events: [shapeB(6), shapeB(6)] });
    await wal.close();
    const file = path.join(dir, torn.segment);
    fs.truncateSync(file, torn.offsetsBytes.at(-1)!); // the commit record never reached the disk
    // when the log is reopened (repair) and the same new shape is appended again
    wal = Wal.open({ dir, segmentSizeBytes: SEGMENT });
    assert.equal(wal.lastMain, 5);
    await wal.append({ main: 6, timeMs: 6, events: [shapeB(60)] });
    await wal.close();
    // then every commit reads back, the new shape included, and point reads agree
    const { commits } = readBack(dir);
    assert.deepEqual([...commits.keys()], range(1, 6));
    assert.deepEqual(commits.get(6)!.events, [shapeB(60)]);
  });
});
