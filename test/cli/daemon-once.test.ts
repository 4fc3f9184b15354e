/**
 * `elava daemon --once` as a cron job or CI step sees it, run as a real child process:
 * the exit code says whether every scope, some, or none were listed (0 / 10 / 11), the last
 * line sums it up, no interval hint is printed, and each run's cycle number continues from
 * the log. The all-ok run takes its AWS endpoints from the SDK's AWS_ENDPOINT_URL_*
 * variables only, which redirect Elava as documented.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimCloud, type SimCloud } from '../../src/sim/cloud.js';
import { simAwsCredentials } from '../../src/sim/clients.js';
import { defaultScenario } from '../../src/sim/scenario.js';
import { tempDir } from '../helpers/tmp.js';
import { runElava, type Finished } from './elava-process.js';

const ACCOUNT = '111111111111';

/** AWS settings of a child that must never reach a real AWS credential source. */
function awsEnv(extra: Record<string, string> = {}): Record<string, string> {
  const creds = simAwsCredentials(ACCOUNT);
  return {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_CONFIG_FILE: '/nonexistent/elava-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/elava-test-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function logLines(f: Finished): Array<Record<string, unknown>> {
  return f.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The summary: the last log line, which must be the --once one. */
function summary(f: Finished): Record<string, unknown> {
  const last = logLines(f).at(-1);
  assert.ok(last !== undefined && last['once'] === true, `last line is the --once summary:\n${f.stdout.slice(-2000)}`);
  return last;
}

function awsConfig(dir: string, lines: readonly string[]): string {
  const file = path.join(dir, 'elava.toml');
  fs.writeFileSync(file, [
    `dataDir = "${path.join(dir, 'data')}"`, 'http.listen = "off"', '[aws]', 'regions = ["us-east-1", "eu-west-1"]',
    ...lines, '[[aws.accounts]]', `id = "${ACCOUNT}"`, '',
  ].join('\n'));
  return file;
}

describe('elava daemon --once exit codes', () => {
  let cloud: SimCloud;
  before(async () => {
    cloud = await startSimCloud(defaultScenario({ aws: { accounts: [ACCOUNT], regions: ['us-east-1', 'eu-west-1'] } }));
  });
  after(() => cloud.close());

  it('exits 0 when every scope was listed, with endpoints from AWS_ENDPOINT_URL_* alone', async () => {
    // given a real-cloud config without endpoint keys, and the SDK's variables naming the simulator
    const dir = tempDir('elava-once-ok-');
    const env = awsEnv({
      AWS_ENDPOINT_URL_EC2: cloud.ec2Endpoint, AWS_ENDPOINT_URL_RDS: cloud.rdsEndpoint, AWS_ENDPOINT_URL_STS: cloud.stsEndpoint,
    });
    cloud.clearRequestLog();
    // when one cycle runs
    const r = await runElava(['daemon', '--once', '--create', '--config', awsConfig(dir, [])], { env });
    // then it exits 0, says so last, prints no interval hint, and the simulator was asked
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    const s = summary(r);
    assert.equal(s['exitCode'], 0);
    assert.equal(s['scopes'], 6);
    assert.equal(s['failedScopes'], 0);
    assert.match(String(s['msg']), /every scope listed; exit 0$/);
    assert.equal(logLines(r).filter((l) => /scanning every/.test(String(l['msg']))).length, 0);
    assert.deepEqual([...new Set(cloud.requestLog().map((e) => e.service))].sort(), ['ec2', 'rds', 'sts']);
  });

  it('exits 10 when some scopes failed', async () => {
    // given a simulated cloud whose EC2 in eu-west-1 refuses us
    const dir = tempDir('elava-once-some-');
    const scenario = path.join(dir, 'scenario.toml');
    fs.writeFileSync(scenario, '[[faults]]\nkind = "access-denied"\nservice = "ec2"\nregion = "eu-west-1"\n');
    // when one cycle runs
    const args = ['daemon', '--simulate', '--scenario', scenario, '--once', '--http-listen', 'off', '--data-dir', dir];
    const r = await runElava(args);
    // then it exits 10 and the summary counts the failed scopes by reason
    assert.equal(r.code, 10, r.stderr);
    const s = summary(r);
    assert.equal(s['exitCode'], 10);
    assert.deepEqual(s['reasons'], { 'access-denied': 2 });
    assert.ok((s['scopes'] as number) > 2);
    assert.equal(s['level'], 40);
  });

  it('exits 11 when every scope failed (every endpoint down)', async () => {
    // given endpoints where nothing listens
    const closed = await startSimCloud(defaultScenario());
    await closed.close();
    const dir = tempDir('elava-once-none-');
    const file = awsConfig(dir, [
      `endpoints = { ec2 = "${closed.ec2Endpoint}", rds = "${closed.rdsEndpoint}", sts = "${closed.stsEndpoint}" }`,
      'retry.maxAttempts = 1',
    ]);
    // when one cycle runs
    const r = await runElava(['daemon', '--once', '--create', '--config', file], { env: awsEnv() });
    // then it exits 11 and says every scope failed
    assert.equal(r.code, 11, r.stderr + r.stdout.slice(-2000));
    const s = summary(r);
    assert.equal(s['failedScopes'], 6);
    assert.deepEqual(s['reasons'], { unreachable: 6 });
    assert.match(String(s['msg']), /6 of 6 scopes failed \(unreachable 6\); exit 11$/);
  });
});

describe('elava daemon --once cycle numbers', () => {
  it('continue from the log across runs instead of starting at 1', async () => {
    // given a data directory one --once run has written
    const dir = tempDir('elava-once-cycles-');
    const args = ['daemon', '--simulate', '--once', '--http-listen', 'off', '--data-dir', dir];
    const first = await runElava(args);
    assert.equal(first.code, 0, first.stderr);
    // when a second run follows
    const second = await runElava(args);
    assert.equal(second.code, 0, second.stderr);
    // then its cycle is numbered after the first's, by the revision it committed as
    const [a, b] = [summary(first), summary(second)];
    assert.equal(a['cycle'], 1);
    assert.ok((b['cycle'] as number) > (a['cycle'] as number), `second cycle ${String(b['cycle'])}`);
    assert.equal(b['cycle'], b['revision']);
    const cycleLine = logLines(second).find((l) => /^cycle \d+ committed/.test(String(l['msg'])));
    assert.equal(cycleLine?.['cycle'], b['cycle']);
  });
});
