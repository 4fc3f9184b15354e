/**
 * A read resumed at an earlier reader's position (what the fan-in forwarder does on every
 * pass over a growing log) hands out exactly what a read from the start hands out after
 * that position: within a segment, at a segment's end, after commits appended since, with a
 * structure table grown since; and a position whose segment is gone, or whose bytes no
 * longer match, never yields wrong events.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SEGMENT_SIZE_BYTES_MIN } from '../../src/limits.js';
import { LogReader, readLog, type ReadPosition } from '../../src/wal/reader.js';
import type { LogEntry } from '../../src/wal/types.js';
import { Wal } from '../../src/wal/wal.js';
import { isWalError } from '../../src/wal/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { deterministicCommit, range } from './log-helpers.js';

const root = tempDir('elava-read-resume-');

type Seen = Array<{ kind: string; main: number; sub: number | null; payload: unknown }>;

function seen(entries: Iterable<LogEntry>): Seen {
  const out: Seen = [];
  for (const e of entries) out.push({ kind: e.kind, main: e.main, sub: e.kind === 'event' ? e.sub : null, payload: e.kind === 'event' ? e.payload : null });
  return out;
}

/** Reads from the start up to and including commit `main`'s entry; the reader's position then. */
function positionAfter(dir: string, main: number): ReadPosition {
  const reader = new LogReader(dir);
  for (const e of reader.entries()) if (e.kind === 'commit' && e.main === main) return reader.position!;
  throw new Error(`no commit ${main}`);
}

async function writeLog(dir: string, mains: number[]): Promise<void> {
  const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT_SIZE_BYTES_MIN * 4 });
  for (const m of mains) await wal.append(deterministicCommit(m, 8));
  await wal.close();
}

describe('a resumed read', () => {
  it('hands out what a full read hands out after the position (table: inside a segment, at its end, at the log end)', async () => {
    const dir = path.join(root, 'table');
    await writeLog(dir, range(1, 300));
    const segmentEnds = new Map<string, number>();
    for (const e of readLog(dir)) if (e.kind === 'commit') segmentEnds.set(e.location.segment, e.main);
    assert.ok(segmentEnds.size >= 3, 'several segments');
    const lastOfFirstSegment = [...segmentEnds.values()][0]!;
    for (const after of [1, 17, lastOfFirstSegment, lastOfFirstSegment + 1, 299, 300]) {
      const position = positionAfter(dir, after);
      assert.equal(position.lastMain, after);
      const resumed = new LogReader(dir, { fromMain: after + 1, resume: position });
      const want = seen(readLog(dir)).filter((e) => e.main > after);
      assert.deepEqual(seen(resumed.entries()), want, `resumed after ${after}`);
      assert.equal(resumed.tail.lastMain, 300);
    }
  });

  it('reads commits appended since, with a structure table grown since', async () => {
    const dir = path.join(root, 'grown');
    await writeLog(dir, range(1, 20));
    const first = new LogReader(dir);
    assert.equal(seen(first.entries()).length > 0, true);
    const position = first.position!;
    assert.equal(position.lastMain, 20);
    const wal = Wal.open({ dir, segmentSizeBytes: SEGMENT_SIZE_BYTES_MIN * 4 });
    const novel = { type: 'scope-scanned', scope: 'aws/1/r/ec2.volume', status: 'complete', counts: { seen: 3 }, shapeNeverSeenBefore: true };
    await wal.append({ main: 21, timeMs: 1, events: [novel] });
    await wal.append(deterministicCommit(22, 8));
    await wal.close();
    const resumed = seen(new LogReader(dir, { fromMain: 21, resume: position }).entries());
    assert.deepEqual(resumed, seen(readLog(dir)).filter((e) => e.main > 20));
    assert.deepEqual(resumed[0]!.payload, novel);
  });

  it('starts as without the position when its segment is gone', async () => {
    const dir = path.join(root, 'gone');
    await writeLog(dir, range(1, 40));
    const position = { ...positionAfter(dir, 10), segment: '00000000000000ff-00000000000000ff.wal' };
    const resumed = seen(new LogReader(dir, { fromMain: 11, resume: position }).entries());
    assert.deepEqual(resumed, seen(readLog(dir)).filter((e) => e.main > 10));
  });

  it('reports damage, never other events, when the bytes at the position no longer chain', async () => {
    const dir = path.join(root, 'stale');
    await writeLog(dir, range(1, 40));
    const position = { ...positionAfter(dir, 10), crc: (positionAfter(dir, 10).crc ^ 1) >>> 0 };
    assert.throws(() => seen(new LogReader(dir, { fromMain: 11, resume: position }).entries()), (err: unknown) => isWalError(err) && err.code === 'WAL_CRC_MISMATCH');
    const stopped = new LogReader(dir, { fromMain: 11, resume: position, onDamage: 'stop' });
    assert.deepEqual(seen(stopped.entries()), []);
    assert.equal(stopped.tail.damage?.code, 'WAL_CRC_MISMATCH');
  });
});
