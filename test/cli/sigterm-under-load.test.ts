/**
 * SIGTERM at random moments of a large scan on a busy machine: `elava daemon --simulate`
 * as a child process, signalled again and again while two busy child processes compete
 * for the CPU. Every time the daemon must log the aborted cycle and exit 0 — which also
 * means within its own 10 s bound, since past it the daemon exits 1 ("clean stop took
 * over 10s"). The busy loops run only from the cycle's start to the daemon's exit, so
 * that the test files running beside this one are not starved while daemons start.
 *
 * The moment is random but always inside the cycle: RDS answers slowly (10 s) while EC2
 * pages through ten pages per listing and Compute through pages of 500 (large bodies,
 * read over many turns of the event loop: where google-gax's cancel used to lose the
 * call), and the signal comes within 1.5 s of the cycle's "started" line. (SIGTERM after
 * a committed cycle, with its shutdown checkpoint, is signals.test.ts's.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { startElava, type Finished } from './elava-process.js';

const root = tempDir('elava-sigterm-');
const SIGNALS = 6;
/** Past this the test stops waiting and kills the daemon (the daemon's own bound is 10 s). */
const KILL_AFTER_MS = 20_000;

const LARGE_SLOW_SCENARIO = `
[fleet]
ec2Instances = 300
ec2Volumes = 300
rdsInstances = 50
gceInstances = 2000
gceDisks = 2000

[pageSize]
ec2 = 30
gcp = 500

[[faults]]
kind = "slow"
service = "rds"
delayMs = 10000
`;

function busyLoops(count: number): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
}

function logLines(f: Finished): Array<Record<string, unknown>> {
  return f.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Starts the daemon; at a random moment of its first cycle, busy loops beside it, SIGTERM. */
async function signalDuringCycle(scenario: string, name: string): Promise<Finished> {
  const dir = path.join(fs.mkdtempSync(path.join(root, `${name}-`)), 'data');
  const run = startElava([
    ...['daemon', '--simulate', '--scenario', scenario, '--data-dir', dir, '--create'],
    ...[
      '--http-listen',
      '127.0.0.1:0',
      '--interval',
      '1h',
      '--jitter',
      '0s',
      '--log-level',
      'debug',
    ],
  ]);
  let hogs: ChildProcess[] = [];
  let killer: NodeJS.Timeout | undefined;
  try {
    await run.waitForLog((l) => l['msg'] === 'cycle 1 started', 120_000);
    hogs = busyLoops(2);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1_500)));
    run.child.kill('SIGTERM');
    killer = setTimeout(() => run.child.kill('SIGKILL'), KILL_AFTER_MS);
    return await run.finished;
  } finally {
    clearTimeout(killer);
    for (const hog of hogs) hog.kill('SIGKILL');
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  }
}

describe('elava daemon under SIGTERM on a busy machine', () => {
  it(
    'always logs the aborted cycle and exits 0, at whatever moment of a scan the signal hits',
    {
      timeout: 300_000,
    },
    async () => {
      const scenario = path.join(root, 'large-slow.toml');
      fs.writeFileSync(scenario, LARGE_SLOW_SCENARIO);
      for (let i = 0; i < SIGNALS; i++) {
        // when SIGTERM arrives at a random moment of the daemon's first cycle
        const done = await signalDuringCycle(scenario, `s${i}`);
        // then the cycle is logged as aborted and the daemon exits 0
        assert.equal(done.code, 0, `signal ${i}: exit ${done.code ?? done.signal}; ${done.stderr}`);
        const aborted = logLines(done).some(
          (l) => l['msg'] === 'cycle aborted by shutdown; nothing committed' && l['cycle'] === 1,
        );
        assert.ok(aborted, `signal ${i}: no aborted-cycle line`);
      }
    },
  );
});
