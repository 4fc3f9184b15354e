/**
 * Batched point reads (PointReader.batch, used by queries that read many records in log
 * order) answer exactly what single reads answer: across window boundaries, across
 * segments, for a record larger than the window, in any order; and the window is gone
 * after the batch, so bytes the writer appends later are read from disk.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BATCH_READ_WINDOW_BYTES, SEGMENT_SIZE_BYTES_MIN } from '../../src/limits.js';
import { PointReader } from '../../src/wal/read-at.js';
import { readLog } from '../../src/wal/reader.js';
import type { RecordLocation } from '../../src/model/record-location.js';
import { Wal } from '../../src/wal/wal.js';
import { tempDir } from '../helpers/tmp.js';
import { deterministicCommit, range } from './log-helpers.js';

const root = tempDir('elava-read-window-');

function events(dir: string): Array<{ location: RecordLocation; main: number; sub: number; payload: unknown }> {
  const out = [];
  for (const e of readLog(dir)) if (e.kind === 'event') out.push({ location: e.location, main: e.main, sub: e.sub, payload: e.payload });
  return out;
}

describe('batched point reads', () => {
  it('answer what single reads answer: log order, reverse order, across segments, past the window', async () => {
    const dir = path.join(root, 'log');
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT_SIZE_BYTES_MIN * 64 });
    for (const m of range(1, 400)) await wal.append(deterministicCommit(m, 8));
    const big = { type: 'appeared', key: 'aws/1/r/ec2.instance/big', record: { key: 'aws/1/r/ec2.instance/big', blob: 'x'.repeat(BATCH_READ_WINDOW_BYTES + 1000) } };
    await wal.append({ main: 401, timeMs: 1, events: [big] });
    for (const m of range(402, 420)) await wal.append(deterministicCommit(m, 8));
    const all = events(dir);
    assert.ok(new Set(all.map((e) => e.location.segment)).size >= 2, 'more than one segment');
    const reader = new PointReader(dir, { structures: () => wal.structures });
    try {
      for (const order of [all, [...all].reverse()]) {
        const got = reader.batch(() => order.map((e) => reader.read(e.location, { main: e.main, sub: e.sub })));
        assert.deepEqual(got, order.map((e) => e.payload));
      }
      // The window is gone after the batch: a commit appended now is read from disk.
      const before = reader.batch(() => reader.read(all[all.length - 1]!.location));
      assert.deepEqual(before, all[all.length - 1]!.payload);
      await wal.append(deterministicCommit(424, 8));
      const added = events(dir).filter((e) => e.main === 424);
      assert.ok(added.length > 0);
      for (const e of added) assert.deepEqual(reader.batch(() => reader.read(e.location, { main: 424, sub: e.sub })), e.payload);
    } finally {
      reader.close();
      await wal.close();
    }
  });
});
