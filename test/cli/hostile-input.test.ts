/**
 * Hostile or careless input never hangs, never creates state by accident, and gets one
 * clear line: FIFOs named like segments or given as the config, /dev/zero as the config,
 * operations on a directory that holds no log, a world-writable data directory, and
 * arguments that are out of range, not calendar dates, or repeated. A hang guard kills a
 * child after 20 s, and a killed child fails the exit-code assertion.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { repoRoot, tempDir } from '../helpers/tmp.js';
import { cleanEnv, errLines, runElava } from './elava-process.js';

const HANG_GUARD_MS = 20_000;
const WAL_DUMP = path.join(repoRoot(), 'dist', 'wal-tools', 'wal-dump.js');
const SEGMENT = '0000000000000000-0000000000000001.wal';

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

describe('hostile files', () => {
  const root = tempDir('elava-hostile-');
  const fifoDir = path.join(root, 'fifo');
  const emptyDir = path.join(root, 'empty');

  before(() => {
    fs.mkdirSync(fifoDir, { mode: 0o700 });
    mkfifo(path.join(fifoDir, SEGMENT));
    mkfifo(path.join(root, 'config.toml'));
    fs.mkdirSync(emptyDir, { mode: 0o700 });
  });

  const fifoCases: Array<{ args: string[]; code: number; line: RegExp }> = [
    { args: ['list'], code: 1, line: /is not a regular file/ },
    { args: ['verify'], code: 1, line: /is not a regular file/ },
    { args: ['checkpoint'], code: 1, line: /is not a regular file/ },
    { args: ['repair'], code: 1, line: /is not a regular file/ },
    { args: ['daemon', '--simulate', '--once', '--http-listen', 'off'], code: 1, line: /is not a regular file/ },
  ];
  for (const c of fifoCases) {
    it(`a FIFO named like a segment: elava ${c.args[0]} exits ${c.code} with one line, no hang`, async () => {
      const r = await runElava([...c.args, '--data-dir', fifoDir], { timeoutMs: HANG_GUARD_MS });
      assert.equal(r.code, c.code, r.stdout + r.stderr);
      // verify reports on stdout, the others on stderr; pino JSON lines are logs, not the message.
      const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, c.line);
    });
  }

  it('a FIFO named like a segment: wal-dump exits 1, no hang', () => {
    const r = spawnSync(process.execPath, [WAL_DUMP, '--verify', fifoDir], { env: cleanEnv(), encoding: 'utf8', timeout: HANG_GUARD_MS });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /not a regular file/);
  });

  for (const config of ['config.toml (a FIFO)', '/dev/zero']) {
    it(`--config ${config} is refused at once with exit 2`, async () => {
      const file = config.startsWith('/') ? config : path.join(root, 'config.toml');
      const r = await runElava(['daemon', '--config', file, '--once'], { timeoutMs: HANG_GUARD_MS });
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(errLines(r), [`elava: config file ${file}: not a regular file (a FIFO, a device or a directory?)`]);
    });
  }

  it('a config file over 1 MiB is refused without being parsed', async () => {
    const big = path.join(root, 'big.toml');
    fs.writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\n`);
    const r = await runElava(['daemon', '--config', big, '--once']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /larger than 1048576 bytes; not read/);
  });

  for (const args of [['checkpoint'], ['rebuild'], ['compact', '--keep', '1d'], ['repair'], ['verify']]) {
    it(`elava ${args[0]} on a directory with no log exits 1 and creates nothing`, async () => {
      const r = await runElava([...args, '--data-dir', emptyDir]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.deepEqual(errLines(r), [`elava: data directory ${emptyDir} holds no log (no *.wal segment): nothing to do; has the daemon run here?`]);
      assert.deepEqual(fs.readdirSync(emptyDir), [], 'no segment, no checkpoint, no lock left');
    });
  }

  it('warns when the data directory is world-writable', async () => {
    const open = path.join(root, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    const r = await runElava(['daemon', '--simulate', '--once', '--http-listen', 'off', '--data-dir', open]);
    assert.equal(r.code, 0, r.stderr);
    const warning = r.stdout.split('\n').find((l) => l.includes('world-writable'));
    assert.ok(warning, r.stdout.slice(0, 2000));
    assert.match(warning, /mode 0777/);
  });
});

describe('hostile arguments', () => {
  const dir = path.join(tempDir('elava-args-'), 'data');
  before(async () => {
    const r = await runElava(['daemon', '--simulate', '--once', '--create', '--http-listen', 'off', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
  });

  const cases: Array<{ args: string[]; line: string }> = [
    { args: ['list', '--at', '9999999999999999'], line: 'elava list: revision 9999999999999999 is beyond the largest revision there can be (9007199254740991)' },
    { args: ['list', '--at', '2026-02-30T10:00Z'], line: 'elava list: "2026-02-30T10:00Z" is neither a revision (1234) nor a time (2026-11-20T10:00Z or 2026-11-20)' },
    { args: ['list', '--at', '2026-02-30'], line: 'elava list: "2026-02-30" is neither a revision (1234) nor a time (2026-11-20T10:00Z or 2026-11-20)' },
    { args: ['list', '--at', '2026-11-20T24:00Z'], line: 'elava list: "2026-11-20T24:00Z" is neither a revision (1234) nor a time (2026-11-20T10:00Z or 2026-11-20)' },
    { args: ['list', '--json', '--json'], line: 'elava list: --json given twice (see elava list --help)' },
    { args: ['history', 'k', '--data-dir', 'x', '--data-dir', 'y'], line: 'elava history: --data-dir given twice (see elava history --help)' },
    { args: ['verify', '--json', '--json'], line: 'elava verify: --json given twice   (elava verify --help)' },
  ];
  for (const c of cases) {
    it(`${c.args.join(' ')}: exit 2, "${c.line}"`, async () => {
      const r = await runElava(c.args.includes('--data-dir') ? c.args : [...c.args, '--data-dir', dir]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(errLines(r)[0], c.line);
    });
  }

  it('a valid leap day and a time with a zone still resolve', async () => {
    for (const at of ['2024-02-29', '2099-01-01T00:00+02:00']) {
      const r = await runElava(['list', '--at', at, '--data-dir', dir]);
      assert.notEqual(r.code, 2, `${at}: ${r.stderr}`);
    }
  });

  it('wal-dump refuses a repeated option too', () => {
    const r = spawnSync(process.execPath, [WAL_DUMP, '--json', '--json', dir], { env: cleanEnv(), encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--json given twice/);
  });
});

describe('secrets in bad config', () => {
  const MARKER = 'S3CRETMARKER42';
  const root = tempDir('elava-secrets-');
  const url = `ftp://u:${MARKER}@127.0.0.1:1/`;
  const cases: Array<{ what: string; key: string; toml?: string; env?: Record<string, string>; flags?: string[] }> = [
    { what: 'http.token as a number', key: 'http.token', toml: `[http]\ntoken = 4242${MARKER.length}4242\n` },
    { what: 'http.token too short', key: 'http.token', env: { ELAVA_HTTP_TOKEN: MARKER.slice(0, 10) } },
    { what: 'gcp.accessToken as a number', key: 'gcp.accessToken', toml: `[gcp]\naccessToken = 4242424242424242\n` },
    { what: 'gcp.endpoint with userinfo', key: 'gcp.endpoint', flags: ['--gcp-endpoint', url] },
    { what: 'aws.endpoints.ec2 with userinfo', key: 'aws.endpoints.ec2', env: { ELAVA_AWS_ENDPOINTS_EC2: url } },
    { what: 'aws.endpoints.sts with userinfo', key: 'aws.endpoints.sts', toml: `[aws.endpoints]\nsts = "${url}"\n` },
    { what: 'externalId as a number', key: 'externalId', toml: `[[aws.accounts]]\nid = "123456789012"\nexternalId = 4242424242424242\n` },
  ];
  for (const c of cases) {
    it(`${c.what}: exit 2, names ${c.key}, never shows the value`, async () => {
      const args = ['daemon', '--once', '--data-dir', path.join(root, 'd'), ...(c.flags ?? [])];
      if (c.toml !== undefined) {
        const file = path.join(root, `${c.key}.toml`);
        fs.writeFileSync(file, c.toml.replace('4242424242424242', `4242${'4'.repeat(12)}`));
        args.push('--config', file);
      }
      // Something to scan, so that checking reaches the key under test.
      const scan: Record<string, string> = { ELAVA_GCP_PROJECTS: 'p1', ELAVA_GCP_ZONES: 'us-central1-a', ELAVA_AWS_REGIONS: 'us-east-1' };
      if (c.key !== 'externalId') scan['ELAVA_AWS_ACCOUNTS'] = '123456789012';
      const r = await runElava(args, { env: { ...scan, ...(c.env ?? {}) } });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.ok((r.stdout + r.stderr).includes(c.key), r.stderr);
      for (const secret of [MARKER, MARKER.slice(0, 10), '4242444444444444', `4242${MARKER.length}4242`]) {
        assert.ok(!(r.stdout + r.stderr).includes(secret), `${secret} leaked: ${r.stderr}`);
      }
    });
  }
});
