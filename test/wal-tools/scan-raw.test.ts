/**
 * Resynchronisation after damage (src/wal/scan-raw.ts): the next verified frame pair is
 * found right after a damaged record, nothing is found in zeros or garbage, a file full of
 * plausible length words is scanned within the CRC budget, and the zero scan reads about
 * as far as the next non-zero byte.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../src/wal/file-system.js';
import { FORMAT_VERSION } from '../../src/wal/frame.js';
import { findNextFrame, firstNonZeroByte } from '../../src/wal/scan-raw.js';
import { tempDir, writeFixtureLog } from './fixture-log.js';

function withFile<T>(bytes: Buffer, dir: string, fn: (fd: number) => T): T {
  const file = path.join(dir, 'scan.bin');
  fs.writeFileSync(file, bytes);
  const fd = fs.openSync(file, 'r');
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

describe('scan-raw', () => {
  let dir = '';
  let segment = Buffer.alloc(0);
  before(async () => {
    dir = tempDir('scan-raw');
    const files = await writeFixtureLog(path.join(dir, 'log'), 10);
    segment = fs.readFileSync(files[0]!);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('after a record whose body is damaged, reading resumes at the very next frame', () => {
    const first = 64;
    const next = first + Math.ceil((8 + segment.readUInt32LE(first)) / 8) * 8;
    const damaged = Buffer.from(segment);
    damaged[first + 30] = damaged[first + 30]! ^ 0xff;
    const r = withFile(damaged, dir, (fd) => findNextFrame(nodeFileSystem, fd, damaged.length, first, FORMAT_VERSION));
    assert.deepEqual(r.found, { candidateBytes: first, offsetBytes: next, crcSeed: segment.readUInt32LE(first + 4) });
  });

  test('after a damaged length word, the pair after the damaged frame is found', () => {
    const first = 64;
    const second = first + Math.ceil((8 + segment.readUInt32LE(first)) / 8) * 8;
    const third = second + Math.ceil((8 + segment.readUInt32LE(second)) / 8) * 8;
    const damaged = Buffer.from(segment);
    damaged.writeUInt32LE(0xffff_ffff, first);
    const r = withFile(damaged, dir, (fd) => findNextFrame(nodeFileSystem, fd, damaged.length, first, FORMAT_VERSION));
    assert.equal(r.found?.candidateBytes, second);
    assert.equal(r.found?.offsetBytes, third);
  });

  test('zeros and patterned garbage hold no frame', () => {
    for (const bytes of [Buffer.alloc(64 * 1024), Buffer.alloc(64 * 1024, 0x5a)]) {
      const r = withFile(bytes, dir, (fd) => findNextFrame(nodeFileSystem, fd, bytes.length, 0, FORMAT_VERSION));
      assert.equal(r.found, null);
      assert.equal(r.budgetExhausted, false);
    }
  });

  test('a file of plausible frame heads is scanned without finding a false frame', () => {
    const bytes = Buffer.alloc(256 * 1024);
    for (let at = 0; at + 24 <= bytes.length; at += 24) {
      bytes.writeUInt32LE(16, at); // a minimal body: every aligned head looks like a frame
      bytes.writeUInt32LE(0xdeadbeef, at + 4);
      bytes[at + 8] = 1;
    }
    const r = withFile(bytes, dir, (fd) => findNextFrame(nodeFileSystem, fd, bytes.length, 0, FORMAT_VERSION));
    assert.equal(r.found, null);
  });

  test('firstNonZeroByte finds the first non-zero byte, or null', () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    bytes[2 * 1024 * 1024 + 5] = 1;
    withFile(bytes, dir, (fd) => {
      assert.equal(firstNonZeroByte(nodeFileSystem, fd, 0, bytes.length), 2 * 1024 * 1024 + 5);
      assert.equal(firstNonZeroByte(nodeFileSystem, fd, 0, 2 * 1024 * 1024), null);
    });
  });

  test('firstNonZeroByte reads a few bytes, not a window, when the non-zero byte is near', () => {
    // A resync over a half-written commit asks once per zero word it meets: each answer
    // must cost about the distance to the next non-zero byte, not a whole read window.
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    bytes[40] = 7;
    let readBytes = 0;
    const counting = { ...nodeFileSystem, readSync: (fd: number, buf: Buffer, offset: number, length: number, position: number): number => {
      readBytes += length;
      return nodeFileSystem.readSync(fd, buf, offset, length, position);
    } };
    withFile(bytes, dir, (fd) => {
      assert.equal(firstNonZeroByte(counting, fd, 0, bytes.length), 40);
      assert.ok(readBytes <= 4096, `read ${readBytes} bytes to find a byte 40 bytes on`);
      readBytes = 0;
      assert.equal(firstNonZeroByte(counting, fd, 48, bytes.length), null);
      assert.equal(readBytes, bytes.length - 48, 'zero-filled space is read once');
    });
  });
});
