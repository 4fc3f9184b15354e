/**
 * wal-dump against a live writer: --follow sees records appended after it started, across
 * segment roll-overs, and ends cleanly on SIGINT; --verify while the writer appends never
 * mistakes a record being written for corruption.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Wal } from '../../src/wal/wal.js';
import { CLI_PATH, SEGMENT_BYTES, appendCycles, spawnCli, tempDir } from './fixture-log.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function newLogDir(label: string): string {
  const root = tempDir(label);
  roots.push(root);
  return path.join(root, 'log');
}

/** Resolves when `predicate(text so far)` holds, or rejects after `timeoutMs`. */
function waitFor(read: () => string, predicate: (text: string) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
    while (!predicate(read())) {
      if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${read().slice(-2000)}`);
      await sleep(50);
    }
  })();
}

describe('wal-dump with a live writer', () => {
  test('--follow shows records appended across roll-overs, in order, once, and exits 0 on SIGINT', async () => {
    const dir = newLogDir('follow');
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT_BYTES });
    await appendCycles(wal, 1, 3);
    const child = spawnCli(['--follow', '--json', '--kind', 'commit,header', dir]);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stdout, (t) => t.includes('"main":3,'), 10_000);
      for (let n = 4; n <= 60; n += 4) {
        await appendCycles(wal, n, n + 3);
        await sleep(30);
      }
      await waitFor(() => stdout, (t) => t.includes('"main":63,'), 15_000);
    } finally {
      await wal.close();
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, stderr);
    assert.equal(stderr, '');
    const objects = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string; main?: number; segment: string });
    const mains = objects.filter((o) => o.kind === 'commit').map((o) => o.main);
    assert.deepEqual(mains, Array.from({ length: 63 }, (_, k) => k + 1), 'every commit once, in order');
    const headers = objects.filter((o) => o.kind === 'header').map((o) => o.segment);
    assert.ok(headers.length >= 3, `followed ${headers.length} segments`);
    assert.equal(new Set(headers).size, headers.length, 'each segment header shown once');
  });

  test('--verify while the writer appends reports no corruption', async () => {
    const dir = newLogDir('live-verify');
    const wal = Wal.open({ dir, create: true, segmentSizeBytes: SEGMENT_BYTES });
    await appendCycles(wal, 1, 2);
    let writing = true;
    const writer = (async () => {
      for (let n = 3; writing && n < 5000; n++) await appendCycles(wal, n, n);
    })();
    try {
      for (let run = 0; run < 8; run++) {
        const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [CLI_PATH, '--verify', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('exit', (code) => resolve({ code, stderr }));
        });
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /corruption/);
      }
    } finally {
      writing = false;
      await writer;
      await wal.close();
    }
  });
});
