/**
 * The forwarder's view of the local log (log-tail.ts): passes that resume where the last one
 * stopped read each commit once and exactly as a fresh read does; a commit caught half-way
 * through its write ("a zero length word, but non-zero bytes follow") is reported as damage
 * with every whole commit before it, and read whole once its bytes are all there.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readCommitsAfter, type TailPass } from '../../src/fanin/log-tail.js';
import { SEGMENT_SIZE_BYTES_MIN } from '../../src/limits.js';
import { readLog } from '../../src/wal/reader.js';
import { Wal } from '../../src/wal/wal.js';
import { tempDir } from '../helpers/tmp.js';
import { range } from '../wal/log-helpers.js';

const root = tempDir('elava-log-tail-');

/** Commit `main`: `main % 9` appeared events (some commits hold none). */
function commit(main: number): { main: number; timeMs: number; events: unknown[] } {
  const events = [];
  for (let sub = 0; sub < main % 9; sub++) {
    const key = `aws/123456789012/us-east-1/ec2.instance/i-${main}-${sub}`;
    events.push({ type: 'appeared', key, record: { key, id: `i-${main}-${sub}`, state: 'running', tags: { Name: `web-${sub}`, env: 'prod' }, attrs: { pad: 'x'.repeat(200) } } });
  }
  return { main, timeMs: 1_790_000_000_000 + main, events };
}

async function writeLog(dir: string, mains: number[]): Promise<void> {
  const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT_SIZE_BYTES_MIN * 4 });
  for (const m of mains) await wal.append(commit(m));
  await wal.close();
}

function mainsOf(pass: TailPass): number[] {
  return pass.commits.map((c) => c.main);
}

describe('log tail passes', () => {
  it('resumed pass after pass, hand out every commit once, as a fresh read does, across segments', async () => {
    const dir = path.join(root, 'passes');
    await writeLog(dir, range(1, 200));
    const fresh = readCommitsAfter(dir, 0, Number.MAX_SAFE_INTEGER);
    let after = 0;
    let from = null;
    const got = [];
    for (let i = 0; i < 1000; i++) {
      const pass = readCommitsAfter(dir, after, 50, from);
      got.push(...pass.commits);
      if (pass.endMain !== null) break;
      after = pass.commits[pass.commits.length - 1]!.main;
      from = pass.next;
      assert.equal(from?.lastMain, after);
    }
    assert.deepEqual(got.map((c) => c.main), range(1, 200));
    assert.deepEqual(got, fresh.commits);
    assert.equal(fresh.endMain, 200);
  });

  it('report a commit caught half-written as damage after the whole commits, and read it once it is whole', async () => {
    const dir = path.join(root, 'half');
    await writeLog(dir, range(1, 30)); // 30 holds three events
    let lastStart = null;
    for (const e of readLog(dir)) if (e.main === 30 && lastStart === null) lastStart = e.location;
    assert.ok(lastStart !== null);
    const file = path.join(dir, lastStart.segment);
    const whole = fs.readFileSync(file);
    // What a reader can see mid-write: the commit's first bytes still zero, later ones written.
    const seen = Buffer.from(whole);
    seen.fill(0, lastStart.offsetBytes, lastStart.offsetBytes + 8);
    fs.writeFileSync(file, seen);
    const before = readCommitsAfter(dir, 0, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(mainsOf(before), range(1, 29));
    assert.equal(before.endMain, null, 'not caught up');
    assert.ok(before.damage !== null);
    assert.equal(before.damage.lastMain, 29);
    fs.writeFileSync(file, whole);
    const afterwards = readCommitsAfter(dir, 29, Number.MAX_SAFE_INTEGER, before.next);
    assert.deepEqual(mainsOf(afterwards), [30]);
    assert.equal(afterwards.endMain, 30);
    assert.equal(afterwards.damage, null);
  });
});
