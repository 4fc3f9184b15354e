/**
 * `elava daemon` under signals, as a child process against the SIMULATED cloud:
 * SIGTERM in the middle of a slow listing exits 0 without committing half a cycle, and a
 * restart continues at the next revision; SIGKILL loses no committed cycle; a second
 * signal exits at once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ElavaEvent } from '../../src/model/events.js';
import { recoverState } from '../../src/store/recover.js';
import { LogReader } from '../../src/wal/reader.js';
import { tempDir } from '../helpers/tmp.js';
import { startElava } from './elava-process.js';

const root = tempDir('elava-signals-');

/** EC2 listings on the simulator's tick 1 (the daemon's second cycle) take 20 s. */
const SLOW_SCENARIO = `
[fleet]
ec2Instances = 10
ec2Volumes = 10
rdsInstances = 5
gceInstances = 10
gceDisks = 10

[[faults]]
kind = "slow"
service = "ec2"
delayMs = 20000
ticks = [1]
`;

interface Commit {
  main: number;
  types: string[];
}

function commits(dir: string): Commit[] {
  const out: Commit[] = [];
  let types: string[] = [];
  for (const e of new LogReader(dir).entries()) {
    if (e.kind === 'event') types.push((e.payload as ElavaEvent).type);
    else {
      out.push({ main: e.main, types });
      types = [];
    }
  }
  return out;
}

function daemonArgs(dir: string, extra: string[] = [], interval = '200ms'): string[] {
  return ['daemon', '--simulate', '--data-dir', dir, '--create', '--http-listen', '127.0.0.1:0', '--interval', interval, '--jitter', '0s', '--log-level', 'debug', ...extra];
}

describe('elava daemon and signals', () => {
  it('on SIGTERM mid-scan exits 0, commits no half cycle, and a restart continues at the next revision', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(root, 't-')), 'data');
    const scenario = path.join(root, 'slow.toml');
    fs.writeFileSync(scenario, SLOW_SCENARIO);
    const run = startElava(daemonArgs(dir, ['--scenario', scenario]));
    await run.waitForLog((l) => l['cycle'] === 1 && l['revision'] === 1);
    await run.waitForLog((l) => l['msg'] === 'cycle 2 started');
    await new Promise((r) => setTimeout(r, 300)); // the EC2 listings are now waiting on the slow simulator
    const signalledAt = Date.now();
    run.child.kill('SIGTERM');
    const done = await run.finished;
    assert.equal(done.code, 0, done.stderr);
    assert.ok(Date.now() - signalledAt < 5000, 'the slow listing was aborted, not waited for');
    assert.ok(done.stdout.includes('cycle aborted by shutdown; nothing committed'));
    const after = commits(dir);
    // cycle 1, then the shutdown checkpoint's marker; nothing of cycle 2
    assert.deepEqual(after.map((c) => c.main), [1, 2]);
    assert.ok(after[0]!.types.includes('scope-scanned'));
    assert.deepEqual(after[1]!.types, ['checkpoint']);
    const again = startElava(daemonArgs(dir, ['--once']));
    const finished = await again.finished;
    assert.equal(finished.code, 0, finished.stderr);
    const next = commits(dir).filter((c) => c.main > 2 && c.types.includes('scope-scanned'));
    assert.deepEqual(next.map((c) => c.main), [3], 'the restart committed its cycle as revision 3');
  });

  it('after SIGKILL, a restart recovers every committed cycle', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(root, 'k-')), 'data');
    const run = startElava(daemonArgs(dir, [], '100ms'));
    const third = await run.waitForLog((l) => l['cycle'] === 3 && typeof l['revision'] === 'number');
    run.child.kill('SIGKILL');
    const done = await run.finished;
    assert.equal(done.signal, 'SIGKILL');
    const logged = done.stdout.split('\n').filter((l) => l.includes('"revision"') && l.includes('committed as revision')).map((l) => (JSON.parse(l) as { revision: number }).revision);
    assert.ok(logged.length >= 3 && logged.includes(third['revision'] as number));
    const recovered = await recoverState(dir, { readOnly: true });
    assert.ok(recovered.lastMain >= Math.max(...logged), `recovered ${recovered.lastMain}, committed ${logged.join(',')}`);
    const restart = startElava(daemonArgs(dir, ['--once']));
    const fin = await restart.finished;
    assert.equal(fin.code, 0, fin.stderr);
    const revs = commits(dir).filter((c) => c.types.includes('scope-scanned')).map((c) => c.main);
    for (const r of logged) assert.ok(revs.includes(r), `cycle at revision ${r} survived`);
  });

  it('exits at once with 128 + the signal number on a second signal', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(root, 'd-')), 'data');
    const scenario = path.join(root, 'slow2.toml');
    fs.writeFileSync(scenario, SLOW_SCENARIO.replace('ticks = [1]', 'ticks = [0]'));
    const run = startElava(daemonArgs(dir, ['--scenario', scenario]));
    await run.waitForLog((l) => l['msg'] === 'cycle 1 started');
    // Two different signals: the kernel would merge two pending SIGTERMs into one. Which of
    // the two is handled first is up to the kernel; the second one decides the exit code.
    run.child.kill('SIGINT');
    run.child.kill('SIGTERM');
    const done = await run.finished;
    const second = /second (SIGINT|SIGTERM): exiting now/.exec(done.stderr);
    assert.ok(second !== null, done.stderr);
    assert.equal(done.code, second[1] === 'SIGINT' ? 130 : 143);
    assert.equal(commits(dir).length, 0, 'nothing was committed');
  });
});
