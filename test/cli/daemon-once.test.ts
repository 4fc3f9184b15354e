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
import { defaultScenario } from '../../src/sim/scenario-load.js';
import { tempDir } from '../helpers/tmp.js';
import { runElava, type Finished } from './elava-process.js';

const ACCOUNT = '111111111111';
const REGIONS = ['us-east-1', 'eu-west-1'];
/** Only a guard against a hung child: a loaded 2-core machine can take 30 s for one run. */
const RUN_MS_MAX = 120_000;

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

function run(args: readonly string[], env?: Record<string, string>): Promise<Finished> {
  return runElava(args, { timeoutMs: RUN_MS_MAX, ...(env !== undefined ? { env } : {}) });
}

function logLines(f: Finished): Array<Record<string, unknown>> {
  const json = f.stdout.split('\n').filter((l) => l.startsWith('{'));
  return json.map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The summary: the last log line, which must be the --once one. */
function summary(f: Finished): Record<string, unknown> {
  const last = logLines(f).at(-1);
  const shown = `last line is the --once summary:\n${f.stdout.slice(-2000)}`;
  assert.ok(last !== undefined && last['once'] === true, shown);
  return last;
}

/** A real-cloud config (no --simulate) for ACCOUNT in REGIONS, plus `lines` in [aws]. */
function awsConfig(dir: string, lines: readonly string[]): string {
  const file = path.join(dir, 'elava.toml');
  const text = [
    `dataDir = "${path.join(dir, 'data')}"`,
    'http.listen = "off"',
    '[aws]',
    `regions = ${JSON.stringify(REGIONS)}`,
    ...lines,
    '[[aws.accounts]]',
    `id = "${ACCOUNT}"`,
    '',
  ];
  fs.writeFileSync(file, text.join('\n'));
  return file;
}

describe('elava daemon --once exit codes', () => {
  let cloud: SimCloud;
  before(async () => {
    const aws = { accounts: [ACCOUNT], regions: REGIONS };
    cloud = await startSimCloud(defaultScenario({ aws }));
  });
  after(() => cloud.close());

  it('exits 0 when every scope was listed, reaching AWS through AWS_ENDPOINT_URL_*', async () => {
    // given a config without endpoint keys, and the SDK's variables naming the simulator
    const env = awsEnv({
      AWS_ENDPOINT_URL_EC2: cloud.ec2Endpoint,
      AWS_ENDPOINT_URL_RDS: cloud.rdsEndpoint,
      AWS_ENDPOINT_URL_STS: cloud.stsEndpoint,
    });
    cloud.clearRequestLog();
    // when one cycle runs
    const config = awsConfig(tempDir('elava-once-ok-'), []);
    const r = await run(['daemon', '--once', '--create', '--config', config], env);
    // then it exits 0, says so last, prints no interval hint, and the simulator was asked
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    const s = summary(r);
    assert.equal(s['exitCode'], 0);
    assert.equal(s['scopes'], 16, 'every AWS type (8, the default) in 2 regions');
    assert.equal(s['failedScopes'], 0);
    assert.match(String(s['msg']), /every scope listed; exit 0$/);
    assert.equal(logLines(r).filter((l) => /scanning every/.test(String(l['msg']))).length, 0);
    const services = [...new Set(cloud.requestLog().map((e) => e.service))].sort();
    assert.deepEqual(services, ['ec2', 'rds', 'sts']);
  });

  it('exits 10 when some scopes failed', async () => {
    // given a simulated cloud whose EC2 in eu-west-1 refuses us
    const dir = tempDir('elava-once-some-');
    const scenario = path.join(dir, 'scenario.toml');
    const fault = '[[faults]]\nkind = "access-denied"\nservice = "ec2"\nregion = "eu-west-1"\n';
    fs.writeFileSync(scenario, fault);
    // when one cycle runs
    const r = await run(['daemon', '--simulate', '--scenario', scenario, '--once',
      '--http-listen', 'off', '--data-dir', dir]);
    // then it exits 10, and the summary (a warning) counts the failed scopes by reason
    assert.equal(r.code, 10, r.stderr);
    const s = summary(r);
    assert.equal(s['exitCode'], 10);
    // every EC2 type of the region: instances, volumes, addresses, snapshots, images
    assert.deepEqual(s['reasons'], { 'access-denied': 5 });
    assert.ok((s['scopes'] as number) > 2);
    assert.equal(s['level'], 40);
  });

  it('exits 11 when every scope failed (every endpoint down)', async () => {
    // given endpoints where nothing listens
    const closed = await startSimCloud(defaultScenario());
    await closed.close();
    const { ec2Endpoint: ec2, rdsEndpoint: rds, stsEndpoint: sts } = closed;
    const config = awsConfig(tempDir('elava-once-none-'), [
      `endpoints = { ec2 = "${ec2}", rds = "${rds}", sts = "${sts}" }`,
      'retry.maxAttempts = 1',
    ]);
    // when one cycle runs
    const r = await run(['daemon', '--once', '--create', '--config', config], awsEnv());
    // then it exits 11 and says every scope failed
    assert.equal(r.code, 11, r.stderr + r.stdout.slice(-2000));
    const s = summary(r);
    // the eight default AWS types in two regions
    assert.equal(s['failedScopes'], 16);
    assert.deepEqual(s['reasons'], { unreachable: 16 });
    assert.match(String(s['msg']), /16 of 16 scopes failed \(unreachable 16\); exit 11$/);
  });
});

describe('elava daemon --once cycle numbers', () => {
  it('continue from the log across runs instead of starting at 1', async () => {
    // given a data directory one --once run has written
    const dir = tempDir('elava-once-cycles-');
    const args = ['daemon', '--simulate', '--once', '--http-listen', 'off', '--data-dir', dir];
    const first = await run(args);
    assert.equal(first.code, 0, first.stderr);
    // when a second run follows
    const second = await run(args);
    assert.equal(second.code, 0, second.stderr);
    // then its cycle is numbered after the first's, by the revision it committed as
    const [a, b] = [summary(first), summary(second)];
    assert.equal(a['cycle'], 1);
    const [cycleA, cycleB] = [a['cycle'] as number, b['cycle'] as number];
    assert.ok(cycleB > cycleA, `second cycle ${cycleB}`);
    assert.equal(b['cycle'], b['revision']);
    const cycleLine = logLines(second).find((l) => /^cycle \d+ committed/.test(String(l['msg'])));
    assert.equal(cycleLine?.['cycle'], b['cycle']);
  });
});
