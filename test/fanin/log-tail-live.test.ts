/**
 * The forwarder's reads against a log another process is writing (a daemon beside its
 * forwarder): pass after pass, resumed where the last stopped, every commit is read once,
 * in order, whole, and no read fails or stalls on a commit caught half-written (the reader
 * may copy a page before the writer's copy reaches it and the next one after).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { readCommitsAfter } from '../../src/fanin/log-tail.js';
import type { ReadPosition } from '../../src/wal/reader.js';
import { tempDir } from '../helpers/tmp.js';

const CHILD = path.join(path.dirname(new URL(import.meta.url).pathname), 'live-writer-child.js');
const COMMITS = 150;
const EVENTS = 1000;

describe('log tail beside a live writer', () => {
  it('reads every commit once, in order and whole, however the reads fall against the writes', { timeout: 120_000 }, async () => {
    const dir = path.join(tempDir('elava-live-tail-'), 'log');
    const child = spawn(process.execPath, [CHILD, dir, String(COMMITS), String(EVENTS)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    const mains: number[] = [];
    let after = 0;
    let from: ReadPosition | null = null;
    let damaged = 0;
    const hasSegment = (): boolean => fs.existsSync(dir) && fs.readdirSync(dir).some((n) => n.endsWith('.wal'));
    for (let i = 0; i < 600 && !hasSegment() && running; i++) await sleep(50);
    for (let pass = 0; pass < 100_000; pass++) {
      const wasRunning = running;
      const p = readCommitsAfter(dir, after, 8192, from);
      for (const c of p.commits) {
        assert.equal(c.events.length, EVENTS, `commit ${c.main} whole`);
        mains.push(c.main);
      }
      if (p.commits.length > 0) after = p.commits[p.commits.length - 1]!.main;
      from = p.next;
      if (p.damage !== null) damaged++;
      if (!wasRunning && p.endMain !== null && p.commits.length === 0) break;
      assert.ok(wasRunning || p.damage === null, `damage after the writer exited: ${p.damage?.why}`);
      await sleep(1);
    }
    assert.equal(await exited, 0);
    assert.deepEqual(mains, Array.from({ length: COMMITS }, (_, i) => i + 1));
    // How often a read met a commit mid-write: shown, not asserted (it depends on timing).
    console.log(`# ${damaged} reads stopped at a commit caught mid-write`);
  });
});
