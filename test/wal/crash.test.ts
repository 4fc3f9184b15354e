import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/tmp.js';
import { deterministicCommit, readBack } from './log-helpers.js';

const KILLS = 60;
const SEGMENT = 64 * 1024; // small, so kills land during roll-overs too
const CHILD = path.join(path.dirname(new URL(import.meta.url).pathname), 'crash-child.js');

/** Runs the child until it has acknowledged something, then SIGKILLs it at a random moment. */
function runAndKill(dir: string, seed: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(SEGMENT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let stderr = '';
    let buffered = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
      if (!armed && acked.length > 0) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), (seed * 7919) % 60);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('crash safety under kill -9', () => {
  it(`keeps every acknowledged commit intact and no commit half-present across ${KILLS} kills`, { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const acknowledged = new Set<number>();
    for (let k = 0; k < KILLS; k++) {
      for (const m of await runAndKill(dir, k)) acknowledged.add(m);
      const { commits } = readBack(dir);
      for (const m of acknowledged) {
        assert.ok(commits.has(m), `kill ${k}: acknowledged commit ${m} is present`);
      }
      for (const [m, c] of commits) {
        const expected = deterministicCommit(m, 12);
        assert.deepEqual(c.events, expected.events, `kill ${k}: commit ${m} is whole and intact`);
      }
    }
    assert.ok(acknowledged.size > KILLS, `appends were acknowledged (${acknowledged.size})`);
  });
});
