/**
 * Pins the on-disk format byte for byte. If this fails, the format changed: either undo
 * the change, or bump FORMAT_VERSION, document it in the README and regenerate with
 * UPDATE_GOLDEN=1 npm test.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SEGMENT_SIZE_BYTES_MIN } from '../../src/limits.js';
import { Wal } from '../../src/wal/wal.js';
import { readLog } from '../../src/wal/reader.js';
import { repoRoot, tempDir } from '../helpers/tmp.js';

const FIXTURE_DIR = path.join(repoRoot(), 'test', 'fixtures', 'wal-v1');

async function writeGoldenLog(dir: string): Promise<void> {
  const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT_SIZE_BYTES_MIN });
  await wal.append({ main: 1, timeMs: 1_790_000_000_000, events: [] });
  await wal.append({ main: 2, timeMs: 1_790_000_001_000, events: [{ type: 'appeared', key: 'aws/1/r/ec2.volume/vol-1', n: 1 }] });
  await wal.append({ main: 3, timeMs: 1_790_000_002_000, events: [null, 'x', 42, { nested: [1, 2, { deep: true }] }] });
  await wal.append({ main: 5, timeMs: 1_790_000_003_000, events: [Buffer.alloc(1900, 0xab), Buffer.alloc(1900, 0xcd)] });
  await wal.append({ main: 6, timeMs: 1_790_000_004_000, events: [{ type: 'disappeared', key: 'aws/1/r/ec2.volume/vol-1' }] });
  await wal.close();
}

describe('on-disk format', () => {
  it('matches the golden segments byte for byte', async () => {
    const dir = tempDir();
    await writeGoldenLog(dir);
    const written = fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort();
    assert.ok(written.length >= 2, 'the golden log spans a roll-over');
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.rmSync(FIXTURE_DIR, { recursive: true, force: true });
      fs.mkdirSync(FIXTURE_DIR, { recursive: true });
      for (const name of written) fs.copyFileSync(path.join(dir, name), path.join(FIXTURE_DIR, name));
    }
    const golden = fs.readdirSync(FIXTURE_DIR).filter((n) => n.endsWith('.wal')).sort();
    assert.deepEqual(written, golden, 'segment names');
    for (const name of golden) {
      const want = fs.readFileSync(path.join(FIXTURE_DIR, name));
      const got = fs.readFileSync(path.join(dir, name));
      const firstDiff = want.findIndex((b, i) => got[i] !== b);
      assert.ok(got.length === want.length && firstDiff === -1, `${name} differs (length ${got.length} vs ${want.length}, first differing byte ${firstDiff})`);
    }
  });

  it('reads the golden segments back as written', () => {
    const mains = [...readLog(FIXTURE_DIR)].filter((e) => e.kind === 'commit').map((e) => e.main);
    assert.deepEqual(mains, [1, 2, 3, 5, 6]);
  });
});
