/**
 * Configuration: layering (defaults < file < ELAVA_* < flags), validation that names the key
 * and where the value came from, and the documented example, which must stay valid and
 * mention every key.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type ConfigSources } from '../../src/daemon/config-load.js';
import { CONFIG_KEYS, envNameOf, flagNameOf } from '../../src/daemon/config-keys.js';
import { isDaemonError } from '../../src/daemon/errors.js';
import { parseDurationMs } from '../../src/daemon/duration.js';
import { parseListen } from '../../src/daemon/listen-address.js';
import { repoRoot, tempDir } from '../helpers/tmp.js';

const dir = tempDir('elava-config-');
let n = 0;
function file(text: string): string {
  const p = path.join(dir, `c${n++}.toml`);
  fs.writeFileSync(p, text);
  return p;
}

const GCP_ONLY = 'gcp.projects = ["p1"]\n';

function load(s: Partial<ConfigSources>): ReturnType<typeof loadConfig> {
  return loadConfig({ env: {}, ...s });
}

function failure(s: Partial<ConfigSources>): { key: string | null; message: string; exitCode: number } {
  try {
    load(s);
  } catch (err) {
    assert.ok(isDaemonError(err), String(err));
    return { key: err.key, message: err.message, exitCode: err.exitCode };
  }
  return assert.fail('expected a config error');
}

describe('daemon configuration', () => {
  it('layers defaults, the file, the environment and flags, later winning', () => {
    const p = file(`${GCP_ONLY}interval = "2m"\nconcurrency = 3\n`);
    assert.equal(load({ configPath: p }).intervalMs, 120_000);
    assert.equal(load({ configPath: p, env: { ELAVA_INTERVAL: '90s' } }).intervalMs, 90_000);
    const c = load({ configPath: p, env: { ELAVA_INTERVAL: '90s' }, flags: new Map([['interval', '45s']]) });
    assert.equal(c.intervalMs, 45_000);
    assert.equal(c.concurrency, 3, 'keys not overridden keep the file value');
  });

  it('bounds a whole listing by listingDeadline: 30 minutes by default, never below requestTimeout', () => {
    assert.equal(load({ configPath: file(GCP_ONLY) }).listingDeadlineMs, 30 * 60_000);
    assert.equal(load({ configPath: file(GCP_ONLY), env: { ELAVA_LISTING_DEADLINE: '10m' } }).listingDeadlineMs, 600_000);
    const bad = failure({ configPath: file(`${GCP_ONLY}listingDeadline = "5s"\nrequestTimeout = "60s"\n`) });
    assert.equal(bad.key, 'listingDeadline');
    assert.match(bad.message, /must be at least requestTimeout/);
    assert.equal(bad.exitCode, 2);
  });

  it('reads the retention policy: 30 days whole and no horizon by default, and refuses what cannot be', () => {
    const day = 86_400_000;
    assert.deepEqual(load({ configPath: file(GCP_ONLY) }).retention, { keepAllMs: 30 * day, horizonMs: null });
    const set = load({ configPath: file(`${GCP_ONLY}[retention]\nkeepAll = "7d"\nhorizon = "400d"\n`) });
    assert.deepEqual(set.retention, { keepAllMs: 7 * day, horizonMs: 400 * day });
    const vectors: Array<[string, string, RegExp]> = [
      ['keepAll = "12h"', 'retention.keepAll', /at least 1d/],
      ['horizon = "soon"', 'retention.horizon', /neither a duration/],
      ['keepAll = "30d"\nhorizon = "20d"', 'retention.horizon', /longer than retention.keepAll/],
    ];
    for (const [toml, key, message] of vectors) {
      const bad = failure({ configPath: file(`${GCP_ONLY}[retention]\n${toml}\n`) });
      assert.equal(bad.key, key, toml);
      assert.match(bad.message, message);
      assert.equal(bad.exitCode, 2);
    }
  });

  it('derives env and flag names from the key path', () => {
    assert.equal(envNameOf('aws.retry.maxAttempts'), 'ELAVA_AWS_RETRY_MAX_ATTEMPTS');
    assert.equal(flagNameOf('aws.retry.maxAttempts'), 'aws-retry-max-attempts');
    assert.equal(envNameOf('dataDir'), 'ELAVA_DATA_DIR');
    const c = load({ configPath: file(GCP_ONLY), env: { ELAVA_AWS_ACCOUNTS: '123456789012, 210987654321', ELAVA_AWS_REGIONS: 'us-east-1', ELAVA_OWNER_TAG_KEYS: 'Team' } });
    assert.deepEqual(c.aws?.accounts, [{ id: '123456789012' }, { id: '210987654321' }]);
    assert.deepEqual(c.ownerTagKeys, ['Team']);
  });

  it('marks the default data directory as not explicit, and any configured one as explicit', () => {
    assert.equal(load({ configPath: file(GCP_ONLY) }).dataDirExplicit, false);
    assert.equal(load({ configPath: file(GCP_ONLY), env: { ELAVA_DATA_DIR: '/srv/elava' } }).dataDirExplicit, true);
  });

  it('names the key and the source of a bad value', () => {
    const f = failure({ configPath: file(GCP_ONLY), env: { ELAVA_CONCURRENCY: 'lots' } });
    assert.equal(f.key, 'concurrency');
    assert.equal(f.message, 'config concurrency (from ELAVA_CONCURRENCY): must be an integer, got "lots"');
    assert.equal(f.exitCode, 2);
  });

  it('requires a token for a non-loopback listen address, and accepts loopback without one', () => {
    assert.equal(failure({ configPath: file(`${GCP_ONLY}http.listen = "10.0.0.5:9464"\n`) }).key, 'http.listen');
    const withToken = load({ configPath: file(`${GCP_ONLY}http.listen = "0.0.0.0:9464"\n`), env: { ELAVA_HTTP_TOKEN: 'x'.repeat(32) } });
    assert.equal(withToken.http.listen?.loopback, false);
    assert.equal(load({ configPath: file(`${GCP_ONLY}http.listen = "[::1]:9464"\n`) }).http.listen?.host, '::1');
    assert.equal(load({ configPath: file(`${GCP_ONLY}http.listen = "off"\n`) }).http.listen, null);
  });

  it('refuses a short token and a wrongly typed section', () => {
    assert.equal(failure({ configPath: file(GCP_ONLY), env: { ELAVA_HTTP_TOKEN: 'short' } }).key, 'http.token');
    assert.equal(failure({ configPath: file('aws = "yes"\n') }).key, 'aws');
    assert.equal(failure({ configPath: file(`${GCP_ONLY}[[aws.accounts]]\nid = "123456789012"\nrole = "x"\n`) }).key, 'aws.accounts[0].role');
  });

  it('parses durations with units and refuses bare numbers', () => {
    const cases: Array<[string, number | null]> = [['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h30m', 5_400_000], ['30d', 2_592_000_000], ['300', null], ['5x', null], ['', null], ['9999d', null]];
    for (const [text, ms] of cases) assert.equal(parseDurationMs(text), ms, text);
  });

  it('parses listen addresses, refusing host names other than localhost', () => {
    assert.deepEqual(parseListen('127.0.0.1:0'), { host: '127.0.0.1', port: 0, loopback: true });
    assert.equal(typeof parseListen('example.com:80'), 'string');
    assert.equal(typeof parseListen('127.0.0.1:70000'), 'string');
    assert.equal(typeof parseListen('127.0.0.1'), 'string');
  });

  it('accepts elava.example.toml as documented, and it mentions every key', () => {
    const example = path.join(repoRoot(), 'elava.example.toml');
    const c = load({ configPath: example });
    assert.equal(c.aws?.accounts.length, 2);
    assert.equal(c.aws?.accounts[1]?.roleArn, 'arn:aws:iam::210987654321:role/elava-readonly');
    assert.deepEqual(c.gcp?.projects, ['my-project']);
    const text = fs.readFileSync(example, 'utf8');
    for (const k of CONFIG_KEYS) {
      const leaf = k.path.split('.').at(-1)!;
      assert.ok(new RegExp(`^#? ?${leaf} =`, 'm').test(text) || text.includes(`[[${k.path}]]`), `example documents ${k.path}`);
    }
  });
});
