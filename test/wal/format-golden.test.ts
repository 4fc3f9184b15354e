/**
 * Pins both on-disk formats byte for byte. test/fixtures/wal-v2 is what the current writer
 * writes: if that test fails, the format changed: either undo the change, or bump
 * FORMAT_VERSION, document it in the README and regenerate with UPDATE_GOLDEN=1 npm test.
 * test/fixtures/wal-v1 was written by the format-1 writer, which no longer exists: it pins
 * reading format 1, and the writer appending to a log that ends in a format-1 segment.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SEGMENT_HEADER_BYTES, SEGMENT_SIZE_BYTES_MIN } from '../../src/limits.js';
import { PointReader } from '../../src/wal/read-at.js';
import { Wal, type WalOptions } from '../../src/wal/wal.js';
import { readLog } from '../../src/wal/reader.js';
import type { LogEventRead } from '../../src/wal/types.js';
import { verifyLog } from '../../wal-tools/verify.js';
import { copyDir, repoRoot, tempDir } from '../helpers/tmp.js';

const V1_DIR = path.join(repoRoot(), 'test', 'fixtures', 'wal-v1');
const V2_DIR = path.join(repoRoot(), 'test', 'fixtures', 'wal-v2');

/** The layer above, as a test sees it: an event names its key and tag in its own fields. */
function keyOf(payload: unknown): string | null {
  const key = (payload as { key?: unknown } | null)?.key;
  return typeof key === 'string' ? key : null;
}
function tagOf(payload: unknown): number {
  const tag = (payload as { tag?: unknown } | null)?.tag;
  return typeof tag === 'number' ? tag : 0;
}
const KEYED: Pick<WalOptions, 'eventKey' | 'eventTag'> = { eventKey: keyOf, eventTag: tagOf };

const NON_ASCII_KEY = 'gcp/prøject-ü/europe-west1/gce.disk/disque-été-日本';

/** The commits of both golden logs (format 1 was written from the same list, without keys). */
const V1_COMMITS = [
  { main: 1, timeMs: 1_790_000_000_000, events: [] },
  { main: 2, timeMs: 1_790_000_001_000, events: [{ type: 'appeared', key: 'aws/1/r/ec2.volume/vol-1', n: 1 }] },
  { main: 3, timeMs: 1_790_000_002_000, events: [null, 'x', 42, { nested: [1, 2, { deep: true }] }] },
  { main: 5, timeMs: 1_790_000_003_000, events: [Buffer.alloc(1900, 0xab), Buffer.alloc(1900, 0xcd)] },
  { main: 6, timeMs: 1_790_000_004_000, events: [{ type: 'disappeared', key: 'aws/1/r/ec2.volume/vol-1' }] },
];
const V2_COMMITS = [
  { main: 1, timeMs: 1_790_000_000_000, events: [] },
  { main: 2, timeMs: 1_790_000_001_000, events: [{ type: 'appeared', key: 'aws/1/r/ec2.volume/vol-1', tag: 1, n: 1 }] },
  { main: 3, timeMs: 1_790_000_002_000, events: [null, 'x', 42, { nested: [1, 2, { deep: true }] }] },
  { main: 5, timeMs: 1_790_000_003_000, events: [Buffer.alloc(1900, 0xab), Buffer.alloc(1900, 0xcd)] },
  { main: 6, timeMs: 1_790_000_004_000, events: [{ type: 'disappeared', key: 'aws/1/r/ec2.volume/vol-1', tag: 3 }, { type: 'changed', key: NON_ASCII_KEY, tag: 0x12 }] },
];

async function writeGoldenV2(dir: string): Promise<void> {
  const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT_SIZE_BYTES_MIN, ...KEYED });
  for (const c of V2_COMMITS) await wal.append(c);
  await wal.close();
}

function walFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
}

function formatVersionOf(file: string): number {
  return fs.readFileSync(file).readUInt32LE(8);
}

function events(dir: string): LogEventRead[] {
  return [...readLog(dir)].filter((e): e is LogEventRead => e.kind === 'event');
}

/** What a payload reads back as (msgpack gives binary values back as Buffers). */
function asRead(payload: unknown): unknown {
  return Buffer.isBuffer(payload) ? Buffer.from(payload) : payload;
}

describe('on-disk format 2', () => {
  it('matches the golden segments byte for byte', async () => {
    const dir = tempDir();
    await writeGoldenV2(dir);
    const written = walFiles(dir);
    assert.ok(written.length >= 2, 'the golden log spans a roll-over');
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.rmSync(V2_DIR, { recursive: true, force: true });
      fs.mkdirSync(V2_DIR, { recursive: true });
      for (const name of written) fs.copyFileSync(path.join(dir, name), path.join(V2_DIR, name));
    }
    const golden = walFiles(V2_DIR);
    assert.deepEqual(written, golden, 'segment names');
    for (const name of golden) {
      const want = fs.readFileSync(path.join(V2_DIR, name));
      const got = fs.readFileSync(path.join(dir, name));
      const firstDiff = want.findIndex((b, i) => got[i] !== b);
      assert.ok(got.length === want.length && firstDiff === -1, `${name} differs (length ${got.length} vs ${want.length}, first differing byte ${firstDiff})`);
    }
  });

  it('reads every event back with its payload, key and tag', () => {
    for (const name of walFiles(V2_DIR)) assert.equal(formatVersionOf(path.join(V2_DIR, name)), 2, `${name} is format 2`);
    const read = events(V2_DIR);
    const want = V2_COMMITS.flatMap((c) => c.events.map((payload, sub) => ({ main: c.main, sub, payload, key: keyOf(payload), tag: tagOf(payload) })));
    assert.deepEqual(read.map((e) => ({ main: e.main, sub: e.sub, payload: e.payload, key: e.key, tag: e.tag })), want);
    assert.ok(read.some((e) => e.key === NON_ASCII_KEY && e.tag === 0x12), 'a non-ASCII key and a tag with bit 0x10');
    assert.ok(read.some((e) => e.key === null && e.tag === 0), 'a keyless event');
  });

  it('reads each event at its location with its key and tag', () => {
    const reader = new PointReader(V2_DIR);
    try {
      for (const e of events(V2_DIR)) {
        assert.deepEqual(reader.readEvent(e.location, { main: e.main, sub: e.sub }), { payload: e.payload, key: e.key, tag: e.tag });
        assert.deepEqual(reader.read(e.location), e.payload);
      }
    } finally {
      reader.close();
    }
  });
});

describe('on-disk format 1', () => {
  it('reads the golden format-1 segments back as written: every event, no key, tag 0', () => {
    const names = walFiles(V1_DIR);
    assert.ok(names.length >= 2);
    for (const name of names) assert.equal(formatVersionOf(path.join(V1_DIR, name)), 1, `${name} is format 1`);
    const mains = [...readLog(V1_DIR)].filter((e) => e.kind === 'commit').map((e) => e.main);
    assert.deepEqual(mains, V1_COMMITS.map((c) => c.main));
    const want = V1_COMMITS.flatMap((c) => c.events.map((payload, sub) => ({ main: c.main, sub, timeMs: c.timeMs, payload: asRead(payload), key: null, tag: 0 })));
    assert.deepEqual(events(V1_DIR).map((e) => ({ main: e.main, sub: e.sub, timeMs: e.timeMs, payload: e.payload, key: e.key, tag: e.tag })), want);
  });

  it('a format-1 event reads at its location without key or tag', () => {
    const reader = new PointReader(V1_DIR);
    try {
      for (const e of events(V1_DIR)) assert.deepEqual(reader.readEvent(e.location, { main: e.main, sub: e.sub }), { payload: e.payload, key: null, tag: 0 });
    } finally {
      reader.close();
    }
  });

  it('the writer appends format-1 frames to a format-1 segment, then opens format-2 segments', async () => {
    // Given a log whose newest segment is format 1 (a daemon upgraded over its old log)
    const dir = path.join(tempDir(), 'log');
    copyDir(V1_DIR, dir);
    const before = walFiles(dir);
    const lastName = before.at(-1)!;
    const lastBefore = fs.readFileSync(path.join(dir, lastName));
    // When the current writer appends small commits, then one that cannot fit that segment
    const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT_SIZE_BYTES_MIN, ...KEYED });
    const small = { main: 7, timeMs: 1_790_000_005_000, events: [{ type: 'appeared', key: 'aws/1/r/ec2.volume/vol-2', tag: 1 }] };
    const placedSmall = await wal.append(small);
    const large = { main: 8, timeMs: 1_790_000_006_000, events: [{ type: 'changed', key: NON_ASCII_KEY, tag: 0x12, blob: Buffer.alloc(3900, 1) }] };
    const placedLarge = await wal.append(large);
    const afterRoll = { main: 9, timeMs: 1_790_000_007_000, events: [{ type: 'disappeared', key: 'aws/1/r/ec2.volume/vol-2', tag: 3 }, 'keyless'] };
    await wal.append(afterRoll);
    await wal.close();
    // Then the small commit went into the format-1 segment, without key or tag,
    assert.equal(placedSmall.segment, lastName);
    assert.notEqual(placedLarge.segment, lastName, 'the large commit rolled over');
    const after = walFiles(dir);
    assert.deepEqual(after.slice(0, before.length), before);
    assert.ok(after.length > before.length);
    assert.equal(formatVersionOf(path.join(dir, lastName)), 1, 'the old segment keeps its format');
    for (const name of after.slice(before.length)) assert.equal(formatVersionOf(path.join(dir, name)), 2, `new segment ${name} is format 2`);
    const lastAfter = fs.readFileSync(path.join(dir, lastName));
    let usedBytes = lastBefore.length;
    while (usedBytes > 0 && lastBefore[usedBytes - 1] === 0) usedBytes--;
    assert.ok(usedBytes > SEGMENT_HEADER_BYTES && lastAfter.subarray(0, usedBytes).equals(lastBefore.subarray(0, usedBytes)), 'the old records are untouched');
    // and the whole mixed log reads back in order, the CRC chain intact across formats
    const read = events(dir);
    const appended = read.filter((e) => e.main >= 7).map((e) => ({ main: e.main, payload: e.payload, key: e.key, tag: e.tag }));
    assert.deepEqual(appended, [
      { main: 7, payload: small.events[0], key: null, tag: 0 },
      { main: 8, payload: large.events[0], key: NON_ASCII_KEY, tag: 0x12 },
      { main: 9, payload: afterRoll.events[0], key: 'aws/1/r/ec2.volume/vol-2', tag: 3 },
      { main: 9, payload: 'keyless', key: null, tag: 0 },
    ]);
    assert.deepEqual([...readLog(dir)].filter((e) => e.kind === 'commit').map((e) => e.main), [1, 2, 3, 5, 6, 7, 8, 9]);
    const verified = verifyLog([dir], { settleMs: 0 });
    assert.equal(verified.exitClass, 'clean', JSON.stringify(verified.problems));
    assert.equal(verified.commits, 8);
    assert.equal(verified.segments, after.length);
    // and a writer opened again goes on in the format-2 segment
    const again = Wal.open({ dir, segmentSizeBytes: SEGMENT_SIZE_BYTES_MIN, ...KEYED });
    await again.append({ main: 10, timeMs: 1_790_000_008_000, events: [{ key: 'k', tag: 2 }] });
    await again.close();
    const last = events(dir).at(-1)!;
    assert.deepEqual({ main: last.main, key: last.key, tag: last.tag }, { main: 10, key: 'k', tag: 2 });
  });
});
