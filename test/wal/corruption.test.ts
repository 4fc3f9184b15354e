import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { isWalError, type WalErrorCode } from '../../src/wal/errors.js';
import { Wal } from '../../src/wal/wal.js';
import { readLog } from '../../src/wal/reader.js';
import { copyDir, tempDir } from '../helpers/tmp.js';
import { range, writeCommits } from './log-helpers.js';

const SEGMENT = 16 * 1024;

function segments(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
}

function patch(file: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, offset);
  fs.closeSync(fd);
}

function expectOpenError(dir: string, codes: WalErrorCode[], segment: string, offsetBytes?: number): void {
  assert.throws(
    () => Wal.open({ dir, segmentSizeBytes: SEGMENT }),
    (err) => {
      assert.ok(isWalError(err), `a WalError, got ${String(err)}`);
      assert.ok(codes.includes(err.code), `code ${err.code} in ${codes.join(',')}`);
      assert.equal(err.segment, segment);
      if (offsetBytes !== undefined) assert.equal(err.offsetBytes, offsetBytes);
      assert.ok(err.message.includes(segment), 'the message names the file');
      return true;
    },
  );
}

describe('corruption stops the open', () => {
  let base: string;
  let sealed: string;
  let recordOffsets: number[];
  before(async () => {
    base = tempDir();
    await writeCommits({ dir: base, create: true, segmentSizeBytes: SEGMENT }, range(1, 150));
    sealed = segments(base)[1]!;
    recordOffsets = [...readLog(base)].filter((e) => e.location.segment === sealed).map((e) => e.location.offsetBytes);
    assert.ok(segments(base).length >= 4 && recordOffsets.length > 10);
  });

  it('names the file and record offset for a byte flipped inside a sealed segment', () => {
    const work = tempDir();
    for (const [i, frame] of recordOffsets.entries()) {
      if (i % 3 !== 0) continue;
      for (const delta of [4, 9, 20, 31]) {
        const dir = path.join(work, `${frame}-${delta}`);
        copyDir(base, dir);
        const file = path.join(dir, sealed);
        const byte = fs.readFileSync(file).subarray(frame + delta, frame + delta + 1);
        patch(file, frame + delta, Buffer.from([byte[0]! ^ 0x5a]));
        expectOpenError(dir, ['WAL_CRC_MISMATCH', 'WAL_BAD_RECORD'], sealed, frame);
        fs.rmSync(dir, { recursive: true });
      }
    }
  });

  it('refuses a log with a missing middle segment', () => {
    const dir = tempDir();
    copyDir(base, dir);
    const all = segments(dir);
    fs.unlinkSync(path.join(dir, all[2]!));
    expectOpenError(dir, ['WAL_SEQUENCE_GAP'], all[3]!, 0);
  });

  it('refuses a sealed segment cut short (the chain to the next segment breaks)', () => {
    const dir = tempDir();
    copyDir(base, dir);
    const file = path.join(dir, sealed);
    const lastFrame = recordOffsets.at(-1)!;
    // zero the final commit record: the segment now ends early at a commit boundary of sorts
    patch(file, lastFrame, Buffer.alloc(SEGMENT - lastFrame));
    assert.throws(() => Wal.open({ dir, segmentSizeBytes: SEGMENT }), (err) => isWalError(err) && ['WAL_CHAIN_BROKEN', 'WAL_BAD_RECORD'].includes(err.code));
  });

  it('rejects a length word claiming 4 GiB cleanly, without allocating it', () => {
    // The length word is 32 bits: 2^32-1 is the largest claim it can make.
    const dir = tempDir();
    copyDir(base, dir);
    const frame = recordOffsets[5]!;
    const max = Buffer.alloc(4);
    max.writeUInt32LE(0xffff_ffff);
    patch(path.join(dir, sealed), frame, max);
    const rssBefore = process.memoryUsage().rss;
    expectOpenError(dir, ['WAL_RECORD_TOO_LARGE'], sealed, frame);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'no large allocation');
  });

  it('rejects a length word pointing past the end of the file', () => {
    const dir = tempDir();
    copyDir(base, dir);
    const frame = recordOffsets[5]!;
    const big = Buffer.alloc(4);
    big.writeUInt32LE(SEGMENT * 2);
    patch(path.join(dir, sealed), frame, big);
    expectOpenError(dir, ['WAL_RECORD_PAST_END'], sealed, frame);
  });

  it('rejects a bad header with the file named', () => {
    const dir = tempDir();
    copyDir(base, dir);
    patch(path.join(dir, sealed), 0, Buffer.from('NOTAWAL!'));
    expectOpenError(dir, ['WAL_BAD_HEADER'], sealed, 0);
  });

  it('rejects a malformed segment file name', () => {
    const dir = tempDir();
    copyDir(base, dir);
    fs.writeFileSync(path.join(dir, 'garbage.wal'), 'x');
    expectOpenError(dir, ['WAL_BAD_NAME'], 'garbage.wal');
  });
});
