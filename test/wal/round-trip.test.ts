import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { RECORD_SIZE_BYTES_MAX } from '../../src/limits.js';
import { isWalError } from '../../src/wal/errors.js';
import { Wal } from '../../src/wal/wal.js';
import { readLog } from '../../src/wal/reader.js';
import { readEventAt } from '../../src/wal/read-at.js';
import { tempDir } from '../helpers/tmp.js';
import { deterministicCommit, range, readBack, writeCommits } from './log-helpers.js';

const SMALL_SEGMENT = 16 * 1024;

describe('round trip', () => {
  it('reads back commits of 0..N events across several roll-overs, in order and intact', async () => {
    const dir = tempDir();
    await writeCommits({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT }, range(1, 200), 6);
    const segments = fs.readdirSync(dir).filter((n) => n.endsWith('.wal'));
    assert.ok(segments.length >= 4, `expected several segments, got ${segments.length}`);
    const { commits } = readBack(dir);
    assert.deepEqual([...commits.keys()], range(1, 200));
    for (const main of range(1, 200)) {
      const expected = deterministicCommit(main, 6);
      assert.deepEqual(commits.get(main), { timeMs: expected.timeMs, events: expected.events });
    }
  });

  it('carries payloads from 0 bytes up to the record limit, and refuses one byte more', async () => {
    const dir = tempDir();
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT });
    // msgpack bin32 framing is 5 bytes; the record body head is 16 bytes.
    const largest = RECORD_SIZE_BYTES_MAX - 16 - 5;
    const sizes = [0, 1, 7, 8, 9, 4095, 4096, 70_000, largest];
    let main = 0;
    for (const n of sizes) await wal.append({ main: ++main, timeMs: main, events: [Buffer.alloc(n, n % 251)] });
    await assert.rejects(wal.append({ main: ++main, timeMs: main, events: [Buffer.alloc(largest + 1)] }), (err) => isWalError(err, 'WAL_COMMIT_TOO_LARGE'));
    await wal.append({ main: ++main, timeMs: main, events: [Buffer.alloc(3, 1)] });
    await wal.close();
    const payloads = [...readLog(dir)].filter((e) => e.kind === 'event').map((e) => e.payload as Uint8Array);
    assert.deepEqual(payloads.map((p) => p.length), [...sizes, 3]);
    for (const [i, n] of sizes.entries()) assert.ok(Buffer.from(payloads[i]!).equals(Buffer.alloc(n, n % 251)), `payload of ${n} bytes`);
  });

  it('starts reading at a revision, skipping earlier commits', async () => {
    const dir = tempDir();
    await writeCommits({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT }, range(1, 120));
    const mains = new Set<number>();
    for (const e of readLog(dir, { fromMain: 77 })) mains.add(e.main);
    assert.deepEqual([...mains], range(77, 120).filter((m) => m >= 77));
  });

  it('reads one event back by the location the reader reported', async () => {
    const dir = tempDir();
    await writeCommits({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT }, range(1, 60));
    const events = [...readLog(dir)].filter((e) => e.kind === 'event');
    for (const e of events.filter((_, i) => i % 7 === 0)) {
      if (e.kind !== 'event') continue;
      assert.deepEqual(readEventAt(dir, e.location, { expect: { main: e.main, sub: e.sub } }), e.payload);
    }
    const first = events[0]!;
    assert.throws(() => readEventAt(dir, first.location, { expect: { main: first.main + 1, sub: 0 } }), (err) => isWalError(err, 'WAL_BAD_RECORD'));
  });

  it('continues after reopen with the next revision', async () => {
    const dir = tempDir();
    await writeCommits({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT }, range(1, 30));
    const wal = Wal.open({ dir, segmentSizeBytes: SMALL_SEGMENT });
    assert.equal(wal.lastMain, 30);
    assert.equal(wal.nextMain, 31);
    await wal.append(deterministicCommit(31));
    await wal.close();
    assert.deepEqual([...readBack(dir).commits.keys()], range(1, 31));
  });

  it('group-commits appends that arrive together into fewer fdatasyncs', async () => {
    const dir = tempDir();
    const wal = Wal.open({ dir, create: true });
    await Promise.all(range(1, 64).map((m) => wal.append(deterministicCommit(m))));
    assert.ok(wal.fsyncHistogram.count < 8, `64 concurrent appends took ${wal.fsyncHistogram.count} fdatasyncs`);
    assert.equal(wal.lastMain, 64);
    await wal.close();
  });

  it('creates files 0600 and the directory 0700', async () => {
    const parent = tempDir();
    const dir = `${parent}/data`;
    await writeCommits({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT }, range(1, 80));
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    for (const name of fs.readdirSync(dir)) assert.equal(fs.statSync(`${dir}/${name}`).mode & 0o777, 0o600, name);
  });

  it('refuses to open a directory that does not exist unless asked to create it', () => {
    const dir = `${tempDir()}/missing`;
    assert.throws(() => Wal.open({ dir }), (err) => isWalError(err, 'WAL_NOT_FOUND'));
  });
});

describe('structure table in the log', () => {
  it('decodes a lone segment copied out of the log on its own', async () => {
    const dir = tempDir();
    await writeCommits({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT }, range(1, 120));
    const last = fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort().at(-1)!;
    const alone = tempDir();
    fs.copyFileSync(`${dir}/${last}`, `${alone}/${last}`);
    const fromWhole = [...readLog(dir)].filter((e) => e.location.segment === last).map((e) => (e.kind === 'event' ? e.payload : e.main));
    const fromAlone = [...readLog(alone)].map((e) => (e.kind === 'event' ? e.payload : e.main));
    assert.ok(fromAlone.length > 5);
    assert.deepEqual(fromAlone, fromWhole);
  });

  it('round-trips many object shapes, past the shared-structure slots, across reopen and roll-over', async () => {
    const dir = tempDir();
    const shape = (m: number, s: number): Record<string, number> => ({ [`k${(m * 7 + s) % 90}`]: m, [`j${s % 3}`]: s, common: 1 });
    let wal = Wal.open({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT });
    for (const m of range(1, 150)) {
      if (m === 75) {
        await wal.close();
        wal = Wal.open({ dir, segmentSizeBytes: SMALL_SEGMENT });
      }
      await wal.append({ main: m, timeMs: m, events: range(0, 3).map((s) => shape(m, s)) });
    }
    await wal.close();
    const { commits } = readBack(dir);
    assert.equal(commits.size, 150);
    for (const [m, c] of commits) assert.deepEqual(c.events, range(0, 3).map((s) => shape(m, s)), `commit ${m}`);
    const last = [...readLog(dir)].filter((e) => e.kind === 'event').at(-1)!;
    assert.deepEqual(readEventAt(dir, last.location), last.kind === 'event' ? last.payload : null, 'a point read finds its structures in its segment');
  });
});

describe('append placement', () => {
  it('resolves each append with the segment and offsets where its events landed, across roll-overs', async () => {
    const dir = tempDir();
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SMALL_SEGMENT });
    const placements = [];
    for (const m of range(1, 90)) placements.push(await wal.append(deterministicCommit(m)));
    const structures = wal.structures;
    await wal.close();
    const { PointReader } = await import('../../src/wal/read-at.js');
    const reader = new PointReader(dir, { structures });
    const fromLog = [...readLog(dir)];
    for (const p of placements) {
      const expected = deterministicCommit(p.main);
      assert.equal(p.offsetsBytes.length, expected.events.length + 1);
      for (const [sub, event] of expected.events.entries()) {
        assert.deepEqual(reader.read({ segment: p.segment, offsetBytes: p.offsetsBytes[sub]! }, { main: p.main, sub }), event);
      }
      const commitEntry = fromLog.find((e) => e.kind === 'commit' && e.main === p.main)!;
      assert.deepEqual(commitEntry.location, { segment: p.segment, offsetBytes: p.offsetsBytes.at(-1) });
    }
    reader.close();
    assert.ok(new Set(placements.map((p) => p.segment)).size > 2, 'placements span several segments');
  });
});
