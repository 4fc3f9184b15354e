/**
 * `elava list|get|...` with a real `elava daemon --simulate` process running: answers come
 * through the daemon's socket (counted in its /metrics) with the bytes and exit codes of
 * the read-only open; --no-daemon and ELAVA_NO_DAEMON skip the socket; the socket is 0600
 * and goes at a clean stop; a stale socket left by SIGKILL neither hangs the CLI nor stops
 * the next daemon; a data directory too long for a socket path still answers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { QUERY_SOCKET_FILE } from '../../src/query/socket-path.js';
import { tempDir } from '../helpers/tmp.js';
import { runElava, startElava, type Finished, type Running } from './elava-process.js';

const root = tempDir('elava-qsock-cli-');
const NOW = '2030-01-01T00:00Z';

/** A daemon that runs one cycle at start, then waits an hour: its state holds still. */
function startDaemon(dir: string, create = true): Running {
  return startElava(['daemon', '--simulate', '--data-dir', dir, ...(create ? ['--create'] : []), '--http-listen', '127.0.0.1:0', '--interval', '1h', '--jitter', '0s']);
}

async function untilCycle(run: Running): Promise<void> {
  await run.waitForLog((l) => typeof l['cycle'] === 'number' && typeof l['revision'] === 'number', 60_000);
}

async function socketAnswers(run: Running): Promise<number> {
  const http = (await run.waitForLog((l) => typeof l['http'] === 'string'))['http'] as string;
  const text = await (await fetch(`http://${http}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('elava_query_socket_answers_total{')).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
}

async function stop(run: Running): Promise<Finished> {
  run.child.kill('SIGTERM');
  const done = await run.finished;
  assert.equal(done.code, 0, done.stderr);
  return done;
}

const same = (a: Finished, b: Finished, what: string): void => {
  assert.equal(a.code, b.code, `${what}: exit code; ${a.stderr} / ${b.stderr}`);
  assert.equal(a.stdout, b.stdout, `${what}: stdout`);
  assert.equal(a.stderr, b.stderr, `${what}: stderr`);
};

describe('query commands with a daemon running', () => {
  it('answer through its 0600 socket as the read-only open does; --no-daemon and ELAVA_NO_DAEMON skip it', async () => {
    const dir = path.join(root, 'data');
    const run = startDaemon(dir);
    try {
      await untilCycle(run);
      const stat = fs.lstatSync(path.join(dir, QUERY_SOCKET_FILE));
      assert.ok(stat.isSocket());
      assert.equal(stat.mode & 0o777, 0o600);
      const cwd = tempDir('elava-qsock-cwd-'); // not the daemon's: a relative --prices is the CLI's
      fs.writeFileSync(path.join(cwd, 'prices.json'), JSON.stringify({ aws: { default: { publicIpv4Hour: 0.5 } } }));
      const cases: Array<[string[], number]> = [
        [['list'], 0],
        [['list', '--json', '--provider', 'aws'], 0],
        [['get', 'aws/000000000000/nowhere/ec2.instance/i-nope'], 4],
        [['at', '999999'], 6],
        [['waste', '--now', NOW, '--prices', 'prices.json'], 0],
        [['waste', '--now', NOW, '--prices', 'missing.json'], 2],
        [['diff', '1', '1', '--json'], 0],
      ];
      let asked = 0;
      for (const [args, code] of cases) {
        const viaDaemon = await runElava([...args, '--data-dir', dir], { cwd });
        const readOnly = await runElava([...args, '--data-dir', dir, '--no-daemon'], { cwd });
        asked++;
        assert.equal(viaDaemon.code, code, viaDaemon.stderr);
        same(viaDaemon, readOnly, args.join(' '));
      }
      const byEnv = await runElava(['list'], { cwd, env: { ELAVA_DATA_DIR: dir } });
      asked++;
      const forced = await runElava(['list'], { cwd, env: { ELAVA_DATA_DIR: dir, ELAVA_NO_DAEMON: '1' } });
      same(byEnv, forced, 'ELAVA_DATA_DIR, ELAVA_NO_DAEMON');
      const usage = await runElava(['list', '--frob', '--data-dir', dir]);
      assert.equal(usage.code, 2, 'a bad command line is answered locally');
      assert.equal(await socketAnswers(run), asked, 'the socket answered each plain query, and none with --no-daemon');
    } finally {
      await stop(run);
    }
    assert.equal(fs.existsSync(path.join(dir, QUERY_SOCKET_FILE)), false, 'removed at a clean stop');
  });

  it('falls back at once from the stale socket of a daemon killed with SIGKILL; the next daemon replaces it', async () => {
    const dir = path.join(root, 'killed');
    const first = startDaemon(dir);
    await untilCycle(first);
    const before = await runElava(['list', '--json', '--data-dir', dir]);
    assert.equal(before.code, 0, before.stderr);
    first.child.kill('SIGKILL');
    await first.finished;
    assert.ok(fs.lstatSync(path.join(dir, QUERY_SOCKET_FILE)).isSocket(), 'the dead daemon left its socket');
    const t0 = Date.now();
    const after = await runElava(['list', '--json', '--data-dir', dir]);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, before.stdout, 'the log holds what the daemon answered');
    assert.equal(after.stderr, '');
    assert.ok(Date.now() - t0 < 25_000, 'no wait on the dead socket');
    const second = startDaemon(dir, false);
    try {
      await second.waitForLog((l) => l['replacedStale'] === true, 60_000);
      const again = await runElava(['list', '--counts', '--data-dir', dir]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(await socketAnswers(second), 1);
    } finally {
      await stop(second);
    }
  });

  it('answers read-only when the data directory is too long for a socket path', async () => {
    const dir = path.join(root, 'long-'.padEnd(120, 'x'));
    const run = startDaemon(dir);
    try {
      await run.waitForLog((l) => String(l['msg']).includes('too long for a Unix socket'), 60_000);
      await untilCycle(run);
      assert.equal(fs.existsSync(path.join(dir, QUERY_SOCKET_FILE)), false);
      const r = await runElava(['list', '--counts', '--data-dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /resource/);
      assert.equal(await socketAnswers(run), 0);
    } finally {
      await stop(run);
    }
  });

  it('says in --help where answers come from', async () => {
    for (const name of ['list', 'get', 'waste']) {
      const r = await runElava([name, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /daemon-query\.sock/);
      assert.match(r.stdout, /--no-daemon/);
      assert.match(r.stdout, /ELAVA_NO_DAEMON/);
      assert.match(r.stdout, /opened read-only/);
    }
  });
});
