/**
 * wal-dump over both on-disk formats (the golden logs of test/wal/format-golden.test.ts):
 * it reads and verifies each, names each segment's format, and shows the key and tag a
 * format-2 frame carries.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT, runCli } from './fixture-log.js';

const V1_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'wal-v1');
const V2_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'wal-v2');
const NON_ASCII_KEY = 'gcp/prøject-ü/europe-west1/gce.disk/disque-été-日本';

function jsonItems(dir: string): Record<string, unknown>[] {
  const r = runCli(['--json', dir]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('wal-dump over format 1 and format 2', () => {
  test('--json gives each format-2 event the key and tag of its frame', () => {
    const items = jsonItems(V2_DIR);
    const headers = items.filter((o) => o.kind === 'header');
    assert.ok(headers.length >= 2 && headers.every((h) => h.formatVersion === 2));
    const events = items.filter((o) => o.kind === 'event').map((o) => ({ main: o.main, sub: o.sub, key: o.key, tag: o.tag }));
    assert.deepEqual(events, [
      { main: 2, sub: 0, key: 'aws/1/r/ec2.volume/vol-1', tag: 1 },
      { main: 3, sub: 0, key: null, tag: 0 },
      { main: 3, sub: 1, key: null, tag: 0 },
      { main: 3, sub: 2, key: null, tag: 0 },
      { main: 3, sub: 3, key: null, tag: 0 },
      { main: 5, sub: 0, key: null, tag: 0 },
      { main: 5, sub: 1, key: null, tag: 0 },
      { main: 6, sub: 0, key: 'aws/1/r/ec2.volume/vol-1', tag: 3 },
      { main: 6, sub: 1, key: NON_ASCII_KEY, tag: 0x12 },
    ]);
  });

  test('--json reads format 1: tag 0, and the key the payload names', () => {
    const items = jsonItems(V1_DIR);
    assert.ok(items.filter((o) => o.kind === 'header').every((h) => h.formatVersion === 1));
    const events = items.filter((o) => o.kind === 'event');
    assert.equal(events.length, 8);
    assert.ok(events.every((e) => e.tag === 0));
    assert.deepEqual(events.filter((e) => e.key !== null).map((e) => e.key), ['aws/1/r/ec2.volume/vol-1', 'aws/1/r/ec2.volume/vol-1']);
  });

  test('text output shows the segment format, and a frame tag beside its key', () => {
    const r = runCli([V2_DIR]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^--- segment 0 \S+: format 2, first revision 1,/m);
    const line = r.stdout.split('\n').find((l) => l.startsWith('6.1 '));
    assert.ok(line?.includes(`${NON_ASCII_KEY}  tag 0x12`), line);
    const v1 = runCli([V1_DIR]);
    assert.match(v1.stdout, /^--- segment 0 \S+: format 1, first revision 1,/m);
    assert.doesNotMatch(v1.stdout, / tag 0x/);
  });

  test('both golden logs verify clean', () => {
    for (const dir of [V1_DIR, V2_DIR]) {
      const r = runCli(['--verify', dir]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^ok: 3 segments, 5 commits, \d+ events, revisions 1 \.\. 6\n$/);
    }
  });
});
