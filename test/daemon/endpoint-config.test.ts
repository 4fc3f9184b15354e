/**
 * Endpoint keys of the configuration: aws.endpoints.ec2 / .rds as one URL or one per region
 * (TOML table, or `region=URL` pairs in env/flags), aws.endpoints.sts; only http(s) URLs,
 * and a URL with a password is refused without the password appearing in the message.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, type ConfigSources } from '../../src/daemon/config-load.js';
import { isDaemonError } from '../../src/daemon/errors.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('elava-endpoints-');
const BASE = [
  '[aws]', 'regions = ["us-east-1", "eu-west-1"]', '[[aws.accounts]]', 'id = "123456789012"', '',
];

function configFile(lines: readonly string[]): string {
  const p = path.join(dir, `c${fs.readdirSync(dir).length}.toml`);
  fs.writeFileSync(p, [...BASE, ...lines, ''].join('\n'));
  return p;
}

function endpoints(s: Partial<ConfigSources>): unknown {
  return loadConfig({ configPath: configFile([]), env: {}, ...s }).aws?.endpoints;
}

function problem(s: Partial<ConfigSources>): { key: string | null; message: string } {
  try {
    loadConfig({ configPath: configFile([]), env: {}, ...s });
  } catch (err) {
    assert.ok(isDaemonError(err, 'CONFIG_INVALID'), String(err));
    return { key: err.key, message: err.message };
  }
  return assert.fail('expected a config error');
}

describe('endpoint configuration', () => {
  it('takes a TOML table of region = URL for EC2, one URL for RDS, and an STS URL', () => {
    const file = configFile([
      '[aws.endpoints]',
      'rds = "https://rds.internal"',
      'sts = "https://sts.internal"',
      '[aws.endpoints.ec2]',
      '"us-east-1" = "https://ec2-use1.internal"',
      '"eu-west-1" = "http://127.0.0.1:8080"',
    ]);
    assert.deepEqual(endpoints({ configPath: file }), {
      ec2: { 'us-east-1': 'https://ec2-use1.internal', 'eu-west-1': 'http://127.0.0.1:8080' },
      rds: 'https://rds.internal',
      sts: 'https://sts.internal',
    });
  });

  it('reads region=URL pairs from the environment and one URL from a flag', () => {
    const env = {
      ELAVA_AWS_ENDPOINTS_EC2: 'us-east-1=https://a.internal, eu-west-1=https://b.internal',
    };
    const flags = new Map([['aws-endpoints-rds', 'https://rds.internal:8443']]);
    assert.deepEqual(endpoints({ env, flags }), {
      ec2: { 'us-east-1': 'https://a.internal', 'eu-west-1': 'https://b.internal' },
      rds: 'https://rds.internal:8443',
    });
  });

  // what, the variable (ELAVA_AWS_ENDPOINTS_<KEY>) and its text, what the message says
  const refused: Array<[string, string, string, RegExp]> = [
    ['an ftp URL', 'STS', 'ftp://sts.internal', /not an http\(s\) URL/],
    ['text that is no URL', 'EC2', 'sts internal', /is not a URL/],
    ['a region outside aws.regions', 'RDS', 'ap-south-1=https://x.internal',
      /"ap-south-1" is not in aws.regions/],
    ['a per-region URL with a password', 'EC2', 'us-east-1=https://bob:hunter2@x.internal',
      /"https:\/\/\*\*\*@x.internal" must not carry a user name or password/],
    ['a bad scheme with a password', 'STS', 'ftp://bob:hunter2@x.internal',
      /"ftp:\/\/\*\*\*@x.internal" is not an http\(s\) URL/],
  ];
  for (const [what, service, text, message] of refused) {
    it(`refuses ${what}, naming the key and never the password`, () => {
      const key = `aws.endpoints.${service.toLowerCase()}`;
      const p = problem({ env: { [`ELAVA_AWS_ENDPOINTS_${service}`]: text } });
      assert.equal(p.key, key);
      assert.match(p.message, message);
      assert.doesNotMatch(p.message, /hunter2/);
    });
  }
});
