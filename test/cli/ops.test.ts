/**
 * The data-directory commands end to end on a log written by `elava daemon --simulate
 * --once`: query commands read it (also through ELAVA_DATA_DIR), checkpoint, rebuild,
 * compact and verify keep it consistent, and misuse gets exit 2.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { errLines, runElava } from './elava-process.js';

describe('elava data-directory commands', () => {
  const dir = path.join(tempDir('elava-ops-'), 'data');

  before(async () => {
    const r = await runElava(['daemon', '--simulate', '--once', '--data-dir', dir, '--create', '--http-listen', 'off']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('runs query commands on the log, read-only, with --data-dir or ELAVA_DATA_DIR', async () => {
    const list = await runElava(['list', '--data-dir', dir, '--type', 'rds.instance', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.equal(rows.length, 20, 'the default scenario: 10 RDS instances in each of 2 regions');
    assert.ok(rows.every((r) => r.type === 'rds.instance'));
    const viaEnv = await runElava(['list', '--type', 'rds.instance', '--json'], { env: { ELAVA_DATA_DIR: dir } });
    assert.equal(viaEnv.stdout, list.stdout);
    const missing = await runElava(['history', 'aws/1/x/ec2.instance/nope', '--data-dir', dir]);
    assert.notEqual(missing.code, 0);
    assert.deepEqual(errLines(missing), ['elava history: no resource with key aws/1/x/ec2.instance/nope']);
  });

  it('checkpoints, rebuilds to the same state, compacts, and verifies after each', async () => {
    const verify = async (): Promise<string> => {
      const v = await runElava(['verify', '--data-dir', dir, '--json']);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      return (JSON.parse(v.stdout) as { state: { rebuiltHash: string } }).state.rebuiltHash;
    };
    await verify();
    const cp = await runElava(['checkpoint', '--data-dir', dir]);
    assert.equal(cp.code, 0, cp.stderr);
    assert.match(cp.stdout, /^checkpoint checkpoint-0+2\.snap covers revision 2/);
    const rb = await runElava(['rebuild', '--data-dir', dir, '--json']);
    assert.equal(rb.code, 0, rb.stderr);
    const rebuilt = JSON.parse(rb.stdout) as { revision: number; hash: string };
    assert.equal(rebuilt.revision, 3, 'the state of the log, including the checkpoint marker');
    const cmp = await runElava(['compact', '--before', '2', '--data-dir', dir]);
    assert.equal(cmp.code, 0, cmp.stderr);
    assert.match(cmp.stdout, /^compacted at revision 2/);
    await verify();
    const below = await runElava(['get', 'aws/111111111111/us-east-1/ec2.instance/x', '--at', '1', '--data-dir', dir]);
    assert.notEqual(below.code, 0, 'history below the compaction point is gone');
  });

  it('refuses misuse with exit 2', async () => {
    for (const args of [['compact', '--data-dir', dir], ['compact', '--keep', '5x', '--data-dir', dir], ['verify', 'extra'], ['list', '--bogus']]) {
      const r = await runElava(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(errLines(r).length, 1, r.stderr);
    }
  });

  it('says plainly when the data directory does not exist', async () => {
    const r = await runElava(['verify', '--data-dir', path.join(dir, 'nope')]);
    assert.equal(r.code, 1);
    assert.equal(errLines(r).length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
