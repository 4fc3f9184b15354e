/**
 * What format 2 adds: every event frame carries a key and a tag beside its payload. The
 * writer refuses a key it cannot frame with nothing written; damage inside the key region
 * is damage (never a torn cut); readers hand out key and tag, and can leave payloads to be
 * decoded on demand, only while they stand at the event.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { EVENT_KEY_BYTES_MAX } from '../../src/limits.js';
import { isDamageCode, isWalError } from '../../src/wal/errors.js';
import { FORMAT_VERSION, FRAME_HEAD_BYTES, RECORD_BODY_HEAD_BYTES, crc32 } from '../../src/wal/frame.js';
import { LogReader, readLog } from '../../src/wal/reader.js';
import { findNextFrame } from '../../src/wal/scan-raw.js';
import { nodeFileSystem } from '../../src/wal/file-system.js';
import type { LogEventRead } from '../../src/wal/types.js';
import { Wal } from '../../src/wal/wal.js';
import { verifyLog } from '../../wal-tools/verify.js';
import { copyDir, tempDir } from '../helpers/tmp.js';
import { KEYED, range, writeCommits } from './log-helpers.js';

const SEGMENT = 16 * 1024;
const LAST_MAIN = 40;

function events(dir: string): LogEventRead[] {
  return [...readLog(dir)].filter((e): e is LogEventRead => e.kind === 'event');
}

function walFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
}

function snapshot(dir: string): Map<string, Buffer> {
  return new Map(walFiles(dir).map((n) => [n, fs.readFileSync(path.join(dir, n))]));
}

function patchByte(file: string, offset: number, xor: number): void {
  const bytes = fs.readFileSync(file);
  bytes[offset] = bytes[offset]! ^ xor;
  fs.writeFileSync(file, bytes);
}

describe('event key and tag (format 2)', () => {
  let base = '';
  before(async () => {
    base = tempDir();
    await writeCommits({ dir: base, create: true, segmentSizeBytes: SEGMENT }, range(1, LAST_MAIN), 8);
  });

  it('hands every event out with the key and tag it was appended with', () => {
    const read = events(base);
    assert.ok(read.length > 50);
    for (const e of read) {
      assert.equal(e.key, KEYED.eventKey!(e.payload), `${e.main}.${e.sub} key`);
      assert.equal(e.tag, KEYED.eventTag!(e.payload), `${e.main}.${e.sub} tag`);
    }
    assert.ok(read.some((e) => e.tag === 0x11) && read.some((e) => e.tag === 1), 'both tags occur');
  });

  for (const where of ['a sealed segment', 'the last commit of the newest segment'] as const) {
    it(`reports a flipped byte inside a key in ${where} as damage, and cuts nothing`, async () => {
      // Given a keyed event
      const dir = path.join(tempDir(), 'log');
      copyDir(base, dir);
      const read = events(dir);
      const target = where === 'a sealed segment' ? read.find((e) => e.location.segment === walFiles(dir)[0]) : read.filter((e) => e.main === LAST_MAIN).at(-1);
      assert.ok(target && target.key !== null && target.key.length > 8);
      const file = path.join(dir, target.location.segment);
      // When one byte of its key flips on disk
      patchByte(file, target.location.offsetBytes + FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES + 5, 0x20);
      const before = snapshot(dir);
      // Then the writer refuses to open, naming the record; no byte changes
      assert.throws(() => Wal.open({ dir, segmentSizeBytes: SEGMENT }), (err) => {
        assert.ok(isWalError(err) && isDamageCode(err.code), String(err));
        assert.equal(err.code, 'WAL_CRC_MISMATCH');
        assert.equal(err.segment, target.location.segment);
        assert.equal(err.offsetBytes, target.location.offsetBytes);
        return true;
      });
      assert.deepEqual(snapshot(dir), before, 'nothing was cut');
      // and wal-dump's verify calls it corruption, not a torn tail
      const verified = verifyLog([dir], { settleMs: 0 });
      assert.equal(verified.exitClass, 'corruption');
      assert.ok(verified.problems.some((p) => p.severity === 'corruption' && p.offsetBytes === target.location.offsetBytes));
      // and a read-only reader ends at the last whole commit before it
      const reader = new LogReader(dir, { onDamage: 'stop' });
      for (const _ of reader.entries()) void _;
      assert.equal(reader.tail.damage?.offsetBytes, target.location.offsetBytes);
      assert.equal(reader.tail.lastMain, target.main - 1);
    });
  }

  it('calls a key length running past its record, under a good CRC, damage', () => {
    const dir = path.join(tempDir(), 'log');
    copyDir(base, dir);
    const target = events(dir).filter((e) => e.main === LAST_MAIN).at(-1)!;
    const file = path.join(dir, target.location.segment);
    const bytes = fs.readFileSync(file);
    const at = target.location.offsetBytes;
    const bodyBytes = bytes.readUInt32LE(at);
    const seed = previousCrc(bytes, at);
    bytes.writeUInt16LE(bodyBytes, at + FRAME_HEAD_BYTES + 2); // past the end of the body
    bytes.writeUInt32LE(crc32(bytes.subarray(at + FRAME_HEAD_BYTES, at + FRAME_HEAD_BYTES + bodyBytes), seed), at + 4);
    fs.writeFileSync(file, bytes);
    assert.throws(() => Wal.open({ dir, segmentSizeBytes: SEGMENT }), (err) => {
      assert.ok(isWalError(err, 'WAL_BAD_RECORD'), String(err));
      assert.equal(err.offsetBytes, at);
      return true;
    });
  });

  it('resynchronises past damage over keyed events only by the format-2 shape', () => {
    // Given a damaged body in a keyed event whose frame is followed by another event
    const dir = path.join(tempDir(), 'log');
    copyDir(base, dir);
    const read = events(dir);
    const i = read.findIndex((e, j) => e.key !== null && read[j + 1]?.main === e.main && read[j + 1]!.location.segment === e.location.segment);
    const w = read[i]!;
    const file = path.join(dir, w.location.segment);
    patchByte(file, w.location.offsetBytes + FRAME_HEAD_BYTES + RECORD_BODY_HEAD_BYTES + 40, 0xff);
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    try {
      // Then the format-2 search verifies the very next frame with the damaged frame's CRC
      const v2 = findNextFrame(nodeFileSystem, fd, size, w.location.offsetBytes, FORMAT_VERSION);
      assert.equal(v2.found?.candidateBytes, w.location.offsetBytes);
      assert.equal(v2.found?.offsetBytes, read[i + 1]!.location.offsetBytes);
      // while format-1 rules take a keyed event's head for garbage and look further
      const v1 = findNextFrame(nodeFileSystem, fd, size, w.location.offsetBytes, 1);
      assert.notEqual(v1.found?.candidateBytes, w.location.offsetBytes);
    } finally {
      fs.closeSync(fd);
    }
  });
});

/** The stored CRC of the frame before the one at `at` in the same segment (walked from the start). */
function previousCrc(bytes: Buffer, at: number): number {
  let crc = bytes.readUInt32LE(32); // the header's carried CRC seeds the first record
  for (let off = 64; off < at; ) {
    const body = bytes.readUInt32LE(off);
    crc = bytes.readUInt32LE(off + 4);
    off += Math.ceil((FRAME_HEAD_BYTES + body) / 8) * 8;
  }
  return crc;
}

describe('appending keys', () => {
  it('refuses a key over EVENT_KEY_BYTES_MAX bytes (counted in UTF-8) with nothing written', async () => {
    const dir = tempDir();
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT, ...KEYED });
    await wal.append({ timeMs: 1, events: [{ key: 'a' }] });
    const before = snapshot(dir);
    const tooLong = 'é'.repeat(EVENT_KEY_BYTES_MAX / 2 + 1); // under the limit in characters, over it in bytes
    await assert.rejects(wal.append({ timeMs: 2, events: [{ key: 'b' }, { key: tooLong }] }), (err) => isWalError(err, 'WAL_KEY_TOO_LARGE'));
    assert.deepEqual(snapshot(dir), before, 'no byte written');
    const longest = 'k'.repeat(EVENT_KEY_BYTES_MAX);
    const placed = await wal.append({ timeMs: 3, events: [{ key: longest }] });
    assert.equal(placed.main, 2, 'the refused commit took no revision');
    await wal.close();
    assert.deepEqual(events(dir).map((e) => [e.main, e.key]), [[1, 'a'], [2, longest]]);
  });

  it('refuses a tag outside 0..255 as a programmer error, with nothing written', async () => {
    const dir = tempDir();
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT, eventTag: () => 256 });
    const before = snapshot(dir);
    await assert.rejects(wal.append({ timeMs: 1, events: ['x'] }), (err) => (err as { code?: string }).code === 'ERR_ASSERTION');
    assert.deepEqual(snapshot(dir), before);
    await wal.close();
  });
});

describe("payloads 'on-demand'", () => {
  let dir = '';
  before(async () => {
    dir = tempDir();
    await writeCommits({ dir, create: true, segmentSizeBytes: SEGMENT }, range(1, 20), 6);
  });

  it('hands out what the eager reader hands out, when each payload is read in its turn', () => {
    const eager = events(dir).map((e) => ({ main: e.main, sub: e.sub, key: e.key, tag: e.tag, payload: e.payload, location: e.location }));
    const lazy: typeof eager = [];
    for (const e of new LogReader(dir, { payloads: 'on-demand' }).entries()) {
      if (e.kind === 'event') lazy.push({ main: e.main, sub: e.sub, key: e.key, tag: e.tag, payload: e.payload, location: e.location });
    }
    assert.deepEqual(lazy, eager);
  });

  it('throws when a payload is first read after the reader moved on; a payload read in its turn stays', () => {
    const eager = events(dir);
    const it = new LogReader(dir, { payloads: 'on-demand' }).entries();
    const nextEvent = (): LogEventRead => {
      for (let r = it.next(); !r.done; r = it.next()) if (r.value.kind === 'event') return r.value;
      assert.fail('the log holds more events');
    };
    const first = nextEvent();
    const second = nextEvent();
    const payload = second.payload; // read in its turn
    nextEvent();
    assert.throws(() => first.payload, (err) => (err as { code?: string }).code === 'ERR_ASSERTION' && /moved on/.test((err as Error).message));
    assert.equal(second.payload, payload, 'decoded once, kept');
    assert.deepEqual(payload, eager[1]!.payload);
    assert.deepEqual([first.key, first.tag], [eager[0]!.key, eager[0]!.tag], 'key and tag need no payload');
    it.return(undefined);
  });

  it('throws when a payload is first read after the reading stopped', () => {
    let kept: LogEventRead | null = null;
    for (const e of new LogReader(dir, { payloads: 'on-demand' }).entries()) {
      if (e.kind === 'event') {
        kept = e;
        break;
      }
    }
    assert.ok(kept !== null);
    assert.throws(() => kept.payload, (err) => (err as { code?: string }).code === 'ERR_ASSERTION');
  });
});
