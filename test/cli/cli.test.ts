/**
 * The `elava` command as users meet it: help and version, unknown commands, and start-up
 * errors that are one clear line on stderr with a non-zero exit (2 for bad config or usage,
 * 1 for the data directory, the port, a second daemon).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot, tempDir } from '../helpers/tmp.js';
import { errLines, runElava, startElava } from './elava-process.js';

const root = tempDir('elava-cli-');
function sub(name: string): string {
  return fs.mkdtempSync(path.join(root, name));
}

const COMMANDS = ['daemon', 'sim', 'checkpoint', 'compact', 'rebuild', 'verify'];

describe('elava --help and --version', () => {
  it('prints the version from package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
    const r = await runElava(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), `elava ${pkg.version}`);
  });

  it('lists every command in the main help', async () => {
    const r = await runElava(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  });

  it('answers --help on every command with its usage, exit 0', async () => {
    for (const c of COMMANDS) {
      const r = await runElava([c, '--help']);
      assert.equal(r.code, 0, `${c} --help`);
      assert.match(r.stdout, new RegExp(`^usage: elava ${c}`), `${c} --help`);
    }
  });

  it('documents every config key of the daemon as a flag and an environment variable', async () => {
    const r = await runElava(['daemon', '--help']);
    for (const s of ['--data-dir', 'ELAVA_DATA_DIR', '--http-listen', 'ELAVA_HTTP_LISTEN', '--aws-retry-max-attempts', 'ELAVA_CHECKPOINT_EVERY_EVENTS']) assert.ok(r.stdout.includes(s), s);
  });

  it('rejects an unknown command with the usage on stderr, exit 2', async () => {
    const r = await runElava(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    assert.match(r.stderr, /usage: elava <command>/);
    assert.equal(r.stdout, '');
  });

  it('rejects an unknown option with exit 2 and no stack trace', async () => {
    const r = await runElava(['verify', '--frob']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --frob/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('ends quietly with exit 0 when its reader closes the pipe early (elava list --json | head -1)', async () => {
    const { spawn } = await import('node:child_process');
    const { ELAVA_JS } = await import('./elava-process.js');
    const { Wal } = await import('../../src/wal/wal.js');
    const { record } = await import('../query/query-fixture.js');
    const dir = sub('pipe-');
    const wal = Wal.open({ dir, create: true });
    const events = [];
    for (let i = 0; i < 3000; i++) {
      const key = `aws/123456789012/us-east-1/ec2.volume/vol-${String(i).padStart(6, '0')}`;
      events.push({ type: 'appeared', key, record: record('ec2.volume', key, 'available', { Owner: 'platform' }) });
    }
    await wal.append({ main: 1, timeMs: Date.parse('2026-11-20T00:00:00Z'), events });
    await wal.close();
    const child = spawn(process.execPath, [ELAVA_JS, 'list', '--json', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // read one chunk, then hang up
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
    assert.equal(code, 0);
  });
});

interface BadConfig {
  name: string;
  args?: string[];
  env?: Record<string, string>;
  toml?: string;
  /** What the one line must say: the key and the problem. */
  line: RegExp;
}

const BAD_CONFIGS: BadConfig[] = [
  { name: 'an interval that is not a duration', args: ['--simulate', '--interval', '5x'], line: /config interval \(from --interval\): "5x" is not a duration/ },
  { name: 'jitter longer than the interval', args: ['--simulate', '--interval', '10s', '--jitter', '1m'], line: /config jitter .*must not exceed interval/ },
  { name: 'a non-loopback listen address without a token', args: ['--simulate'], env: { ELAVA_HTTP_LISTEN: '0.0.0.0:9464' }, line: /config http\.listen \(from ELAVA_HTTP_LISTEN\): 0\.0\.0\.0:9464 is not a loopback address, so http\.token/ },
  { name: 'an unknown key in the file', toml: 'intervall = "5m"\n', line: /config intervall \(from .*elava\.toml\): unknown key/ },
  { name: 'a value out of range in the file', toml: 'concurrency = 0\n[[aws.accounts]]\nid = "123456789012"\n', line: /config concurrency .*: 0 is out of range 1\.\.256/ },
  { name: 'a malformed account id', toml: 'aws.regions = ["us-east-1"]\n[[aws.accounts]]\nid = "12345"\n', line: /config aws\.accounts\[0\]\.id .*not a 12-digit AWS account id/ },
  { name: 'a file that is not TOML', toml: 'interval = \n', line: /config file .*elava\.toml: not valid TOML/ },
  { name: 'nothing to scan', toml: 'interval = "1m"\n', line: /nothing to scan: set aws\.accounts or gcp\.projects/ },
  { name: 'a bad log level from the environment', args: ['--simulate'], env: { ELAVA_LOG_LEVEL: 'loud' }, line: /config log\.level \(from ELAVA_LOG_LEVEL\): "loud" is not one of/ },
];

describe('elava daemon refuses bad configuration with one line naming the key, exit 2', () => {
  for (const bad of BAD_CONFIGS) {
    it(`refuses ${bad.name}`, async () => {
      const dir = sub('elava-cfg-');
      const args = ['daemon', '--data-dir', path.join(dir, 'data'), '--create', '--once', ...(bad.args ?? [])];
      if (bad.toml !== undefined) {
        fs.writeFileSync(path.join(dir, 'elava.toml'), bad.toml);
        args.push('--config', path.join(dir, 'elava.toml'));
      }
      const r = await runElava(args, bad.env ? { env: bad.env } : {});
      assert.equal(r.code, 2, r.stderr);
      assert.equal(errLines(r).length, 1, r.stderr);
      assert.match(errLines(r)[0]!, bad.line);
      assert.equal(fs.existsSync(path.join(dir, 'data')), false, 'nothing was created');
    });
  }
});

describe('elava daemon start-up errors', () => {
  it('refuses an explicitly configured data directory that does not exist', async () => {
    const dir = path.join(sub('elava-missing-'), 'not-there');
    const r = await runElava(['daemon', '--simulate', '--once', '--http-listen', 'off', '--data-dir', dir]);
    assert.equal(r.code, 1);
    assert.deepEqual(errLines(r), [`elava: data directory ${dir} does not exist (create it with \`mkdir -m 700 ${dir}\`, or pass --create)`]);
    assert.equal(fs.existsSync(dir), false);
  });

  it('refuses a data directory it may not write to', async (t) => {
    if (process.getuid?.() === 0) {
      t.skip('running as root: chmod 000 does not keep root out, so this cannot be observed here');
      return;
    }
    const dir = path.join(sub('elava-noperm-'), 'data');
    fs.mkdirSync(dir, { mode: 0o000 });
    const r = await runElava(['daemon', '--simulate', '--once', '--http-listen', 'off', '--data-dir', dir]);
    fs.chmodSync(dir, 0o700);
    assert.equal(r.code, 1);
    assert.equal(errLines(r).length, 1, r.stderr);
    assert.match(errLines(r)[0]!, /data directory .*(EACCES|permission denied)/i);
  });

  it('refuses a port in use with one line naming the address', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const dir = sub('elava-port-');
      const r = await runElava(['daemon', '--simulate', '--once', '--data-dir', path.join(dir, 'd'), '--create', '--http-listen', `127.0.0.1:${port}`]);
      assert.equal(r.code, 1);
      assert.deepEqual(errLines(r), [`elava: http.listen 127.0.0.1:${port}: address already in use (another daemon? set http.listen / ELAVA_HTTP_LISTEN)`]);
      // HTTP is bound before the data directory is touched (so /healthz answers during a
      // long recovery): a port in use leaves nothing behind, no directory and no lock
      assert.equal(fs.existsSync(path.join(dir, 'd')), false);
    } finally {
      server.close();
    }
  });

  it('refuses a second daemon on the same data directory, naming the holder pid', async () => {
    const dir = path.join(sub('elava-twice-'), 'd');
    const first = startElava(['daemon', '--simulate', '--interval', '1m', '--jitter', '0s', '--data-dir', dir, '--create', '--http-listen', '127.0.0.1:0']);
    try {
      await first.waitForLog((l) => l['msg'] === 'ready');
      const second = await runElava(['daemon', '--simulate', '--once', '--data-dir', dir, '--http-listen', '127.0.0.1:0']);
      assert.equal(second.code, 1);
      assert.equal(errLines(second).length, 1, second.stderr);
      assert.match(errLines(second)[0]!, new RegExp(`^elava: data directory .* is in use by process ${first.child.pid} on `));
    } finally {
      first.child.kill('SIGTERM');
      const done = await first.finished;
      assert.equal(done.code, 0, done.stderr);
    }
  });
});
