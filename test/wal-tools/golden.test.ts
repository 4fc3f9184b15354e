/**
 * Golden outputs of wal-dump over a fixture log written by the real writer. The fixture is
 * deterministic, so the outputs are byte-for-byte stable; they change only when the
 * format or the output does. Regenerate with UPDATE_GOLDEN=1 (and review the diff).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GOLDEN_DIR, runCli, tempDir, writeFixtureLog } from './fixture-log.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

function checkGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (UPDATE) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), `golden file ${name} is missing: run with UPDATE_GOLDEN=1`);
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `output differs from ${name} (UPDATE_GOLDEN=1 regenerates)`);
}

describe('wal-dump golden outputs', () => {
  let dir = '';
  before(async () => {
    dir = path.join(tempDir('golden'), 'log');
    const files = await writeFixtureLog(dir, 40);
    assert.equal(files.length, 2, 'the fixture spans a roll-over');
  });
  after(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  const cases: { name: string; args: string[] }[] = [
    { name: 'plain.txt', args: [] },
    { name: 'json.ndjson', args: ['--json'] },
    { name: 'stats.txt', args: ['--stats'] },
    { name: 'stats.json', args: ['--stats', '--json'] },
    { name: 'filtered-account-type.txt', args: ['--key', 'aws/111111111111', '--type', 'ec2.instance'] },
    { name: 'filtered-revisions-kinds.txt', args: ['--from', '20', '--to', '26', '--kind', 'changed,commit,header'] },
    { name: 'filtered-time-limit.txt', args: ['--since', '2024-05-01T12:30:00Z', '--until', String(Date.UTC(2024, 4, 1, 12, 35)), '--limit', '7'] },
  ];
  for (const c of cases) {
    test(`dump ${c.args.join(' ') || '(no options)'} matches ${c.name}`, () => {
      const r = runCli([...c.args, dir]);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      checkGolden(c.name, r.stdout);
    });
  }

  test('every JSON line parses and carries its location', () => {
    const r = runCli(['--json', dir]);
    const objects = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(objects.length > 100);
    for (const o of objects) {
      assert.equal(typeof o.segment, 'string');
      if (o.kind !== 'header') assert.equal(typeof o.offsetBytes, 'number');
    }
    const changed = objects.find((o) => o.kind === 'event' && o.type === 'changed');
    assert.ok(changed && typeof changed.payload === 'object', 'a changed event carries its decoded payload');
  });

  test('a clean log verifies with exit 0 and says so', () => {
    const r = runCli(['--verify', dir]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^ok: 2 segments, 40 commits, \d+ events, revisions 1 \.\. 40\n$/);
  });
});
