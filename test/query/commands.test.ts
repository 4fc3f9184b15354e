import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QUERY_COMMAND_NAMES, runQueryCommand, type QueryCommandName } from '../../src/query/commands.js';
import { QUERY_EXIT_CODES } from '../../src/query/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { captureIo, KEYS, R, T0, writeFixture, type FixtureLog } from './query-fixture.js';

describe('query commands', () => {
  let log: FixtureLog;
  before(async () => {
    log = await writeFixture();
  });
  after(async () => {
    await log.store.close();
  });

  async function run(name: QueryCommandName, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = captureIo();
    const code = await runQueryCommand(name, [...argv, '--data-dir', log.dir], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('prints an aligned table with a count line', async () => {
    const r = await run('list', '--type', 'ec2.instance', '--state', 'stopped');
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    assert.deepEqual(r.out.split('\n'), [
      'KEY                                          STATE    OWNER  NAME',
      `${KEYS.i2}  stopped  web    -`,
      `${KEYS.i3}  stopped  -      -`,
      '2 resource(s) at revision 6 (2026-11-20T05:00:00Z)',
      '',
    ]);
  });

  it('prints NDJSON with --json: one record per line', async () => {
    const r = await run('list', '--unowned', '--json');
    assert.equal(r.code, 0);
    const lines = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(lines, [R.i3, R.disk1]);
  });

  it('filters by tag K=V', async () => {
    const r = await run('list', '--tag', 'Owner=web', '--json');
    assert.deepEqual(r.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { key: string }).key), [KEYS.i1, KEYS.i2]);
  });

  it('gets a resource at a time', async () => {
    const r = await run('get', KEYS.i1, '--at', '2026-11-20T02:30Z', '--json');
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out), { key: KEYS.i1, revision: { main: 3, sub: 2 }, timeMs: T0 + 2 * 3_600_000, record: R.i1c, alive: true });
  });

  it('prints the ownership timeline of a resource', async () => {
    const r = await run('history', KEYS.i1, '--field', 'tags.Owner');
    assert.equal(r.code, 0);
    assert.deepEqual(r.out.trimEnd().split('\n'), [
      'REV  TIME                  KIND      BEFORE    AFTER',
      '1.2  2026-11-20T00:00:00Z  appeared  -         platform',
      '2.2  2026-11-20T01:00:00Z  changed   platform  -',
      '5.2  2026-11-20T04:00:00Z  appeared  -         web',
    ]);
  });

  it('prints a diff between two times as NDJSON tagged by change', async () => {
    const r = await run('diff', '2026-11-20T02:00Z', '2026-11-20T03:00Z', '--json');
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out.trim()), { change: 'disappeared', key: KEYS.i1, last: R.i1c });
  });

  it('prints what disappeared since a revision', async () => {
    const r = await run('disappeared', '--since', '1');
    assert.equal(r.code, 0);
    assert.match(r.out, /^4\s+2026-11-20T03:00:00Z\s+aws\/123456789012\/us-east-1\/ec2\.instance\/i-1\s+stopped/m);
  });

  it('prints the waste report sections', async () => {
    const r = await run('waste', '--stopped-days', '5', '--now', '2026-11-30T00:00Z', '--json');
    assert.equal(r.code, 0);
    const sections = r.out.trimEnd().split('\n').map((l) => {
      const o = JSON.parse(l) as { section: string; key: string };
      return `${o.section} ${o.key}`;
    });
    assert.deepEqual(sections, [
      `unattached-volume ${KEYS.disk1}`, // unattached since first seen: oldest
      `unattached-volume ${KEYS.volA}`, // seen detached two hours later
      `long-stopped-instance ${KEYS.i3}`,
      `long-stopped-instance ${KEYS.i2}`,
      `stopped-rds ${KEYS.db1}`,
      `unowned ${KEYS.i3}`,
      `unowned ${KEYS.disk1}`,
    ]);
  });

  const failures: Array<[what: string, name: QueryCommandName, argv: string[], code: number, message: RegExp]> = [
    ['an unknown key', 'get', ['aws/1/r/ec2.instance/nope'], 4, /^elava get: no resource with key aws\/1\/r\/ec2.instance\/nope$/],
    ['a revision after the newest', 'at', ['7'], 6, /^elava at: revision 7 is after the newest revision 6$/],
    ['a time before the first revision', 'at', ['2026-11-19T12:00Z'], 7, /^elava at: 2026-11-19T12:00Z is before the first revision/],
    ['a point that does not parse', 'diff', ['1', 'tomorrow'], 2, /^elava diff: "tomorrow" is neither a revision/],
    ['an unknown option', 'list', ['--colour'], 2, /^elava list: Unknown option '--colour'.*\(see elava list --help\)$/],
    ['a missing argument', 'history', [], 2, /^elava history: expects KEY, got none \(see elava history --help\)$/],
    ['an unknown type', 'list', ['--type', 'vm'], 2, /^elava list: unknown type "vm"/],
    ['a bad field', 'history', [KEYS.i1, '--field', 'colour'], 2, /^elava history: unknown field "colour"/],
    ['disappeared without --since', 'disappeared', [], 2, /^elava disappeared: needs --since/],
    ['a negative --stopped-days', 'waste', ['--stopped-days=-3'], 2, /^elava waste: --stopped-days needs a number/],
  ];
  for (const [what, name, argv, code, message] of failures) {
    it(`exits ${code} with one clear line for ${what}`, async () => {
      const r = await run(name, ...argv);
      assert.equal(r.code, code);
      assert.equal(r.out, '');
      assert.match(r.err.trimEnd(), message);
      assert.equal(r.err.trimEnd().split('\n').length, 1);
    });
  }

  it('exits 1 for a data directory that does not exist', async () => {
    const io = captureIo();
    const missing = path.join(tempDir(), 'nope');
    assert.equal(await runQueryCommand('list', ['--data-dir', missing], io), 1);
    assert.equal(io.err(), `elava list: data directory ${missing} does not exist (pass --data-dir)\n`);
  });

  it('exits 1 for a data directory that is a file', async () => {
    const io = captureIo();
    const file = path.join(tempDir(), 'file');
    fs.writeFileSync(file, 'x');
    assert.equal(await runQueryCommand('list', ['--data-dir', file], io), 1);
    assert.match(io.err(), /is not a directory/);
  });

  it('exits 8 for a data directory without a log', async () => {
    const io = captureIo();
    assert.equal(await runQueryCommand('waste', ['--data-dir', tempDir()], io), 8);
    assert.match(io.err(), /holds no log yet/);
  });

  for (const name of QUERY_COMMAND_NAMES) {
    it(`prints help for ${name} with the exit code table`, async () => {
      const io = captureIo();
      assert.equal(await runQueryCommand(name, ['--help'], io), 0);
      assert.match(io.out(), new RegExp(`^usage: elava ${name}`));
      for (const exit of new Set(Object.values(QUERY_EXIT_CODES))) assert.match(io.out(), new RegExp(`^  ${exit}  `, 'm'));
    });
  }
});
