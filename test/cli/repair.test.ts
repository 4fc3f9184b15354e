/**
 * A flipped bit in the newest segment, end to end as a user meets it: the daemon refuses to
 * start (exit 3, one line with file, offset, last whole revision and what follows) and
 * changes no byte; queries answer from what is whole before the damage and say so;
 * `elava repair` shows what a cut loses and changes nothing; `--accept-loss` cuts, and the
 * next revisions are above every revision the cut part held; wal-dump, queries and
 * `elava verify` then agree.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { repoRoot, tempDir } from '../helpers/tmp.js';
import { cleanEnv, runElava } from './elava-process.js';

const WAL_DUMP = path.join(repoRoot(), 'dist', 'wal-tools', 'wal-dump.js');

function newestSegment(dir: string): string {
  return path.join(dir, fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort().at(-1)!);
}

function digest(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Frame offsets by their length words (an independent walk of the format). */
function frameOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let at = 64; at + 8 <= bytes.length && bytes.readUInt32LE(at) !== 0;) {
    out.push(at);
    at += Math.ceil((8 + bytes.readUInt32LE(at)) / 8) * 8;
  }
  return out;
}

function walDump(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [WAL_DUMP, ...args], { env: cleanEnv(), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a damaged byte in the newest segment', () => {
  const dir = path.join(tempDir('elava-repair-'), 'data');
  const daemon = ['daemon', '--simulate', '--once', '--data-dir', dir, '--http-listen', 'off'];
  let segment = '';
  let damagedAt = 0;

  before(async () => {
    for (let i = 0; i < 3; i++) {
      const r = await runElava(i === 0 ? [...daemon, '--create'] : daemon);
      assert.equal(r.code, 0, r.stderr);
    }
    segment = newestSegment(dir);
    const bytes = fs.readFileSync(segment);
    const frames = frameOffsets(bytes);
    // A record of the second commit: whole commits before it (the first cycle) and after it.
    const firstCommit = frames.findIndex((at) => bytes[at + 8] === 2);
    damagedAt = frames[firstCommit + 2]!;
    bytes[damagedAt + 20] = bytes[damagedAt + 20]! ^ 0x04; // one bit inside the record body
    fs.writeFileSync(segment, bytes);
  });

  it('refuses to start with exit 3, names file, offset and what follows, and changes no byte', async () => {
    const before = digest(segment);
    const r = await runElava(daemon);
    assert.equal(r.code, 3, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`${path.basename(segment)} at byte ${damagedAt}`));
    assert.match(lines[0]!, /last whole revision before it: \d+; \d+ whole commits? with \d+ events follow/);
    assert.equal(digest(segment), before, 'the files are left byte for byte as they were');
    assert.ok(!fs.readdirSync(dir).some((n) => n.includes('.broken')), 'no copy, no cut');
  });

  it('answers queries from what is whole before the damage, with a warning', async () => {
    const r = await runElava(['list', '--data-dir', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: the log is damaged .* at byte \d+\): answering from revision \d+/);
    assert.ok(r.stdout.trim().length > 0, 'resources from before the damage are listed');
    const v = await runElava(['verify', '--data-dir', dir]);
    assert.equal(v.code, 3, v.stdout + v.stderr);
    assert.equal(walDump(['--verify', dir]).code, 3);
  });

  it('repair without --accept-loss shows the loss and changes nothing; with it, revisions continue above the cut', async () => {
    const before = digest(segment);
    const dry = await runElava(['repair', '--data-dir', dir]);
    assert.equal(dry.code, 3, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /a cut there loses: \d+ whole commits? with \d+ events follow \(revisions \d+\.\.\d+\)/);
    assert.equal(digest(segment), before);
    const plan = JSON.parse((await runElava(['repair', '--data-dir', dir, '--json'])).stdout) as { plan: { damage: { lastMain: number; lost: { mainMax: number } } } };
    const cut = await runElava(['repair', '--data-dir', dir, '--accept-loss', '--json']);
    assert.equal(cut.code, 0, cut.stdout + cut.stderr);
    const recorded = (JSON.parse(cut.stdout.trim().split('\n').at(-1)!) as { main: number }).main;
    assert.ok(recorded > plan.plan.damage.lost.mainMax, `repair at ${recorded} is above every cut revision (${plan.plan.damage.lost.mainMax})`);
    assert.ok(fs.readdirSync(dir).some((n) => n === `${path.basename(segment)}.broken`), 'a .broken copy is kept');

    const again = await runElava(daemon);
    assert.equal(again.code, 0, again.stderr);
    const dump = walDump(['--json', '--kind', 'commit', dir]);
    assert.equal(dump.code, 0, dump.stderr);
    const mains = dump.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { main: number }).main);
    const after = mains.filter((m) => m > plan.plan.damage.lastMain);
    assert.ok(after.length >= 2 && after.every((m) => m >= recorded), `commits after the cut: ${after.join(',')}`);
    assert.equal(walDump(['--verify', dir]).code, 0);
    const v = await runElava(['verify', '--data-dir', dir]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const list = await runElava(['list', '--data-dir', dir, '--json']);
    assert.equal(list.code, 0);
    assert.doesNotMatch(list.stderr, /damaged/);
  });
});

describe('exit codes tell damage from everything else', () => {
  it('an unreadable segment (an I/O error, here EISDIR) is exit 1 for every command and wal-dump, never 3', async () => {
    const dir = tempDir('elava-eio-');
    fs.mkdirSync(path.join(dir, '0000000000000000-0000000000000001.wal'));
    for (const args of [['verify'], ['list'], ['checkpoint'], ['repair'], ['daemon', '--simulate', '--once', '--http-listen', 'off']]) {
      const r = await runElava([...args, '--data-dir', dir]);
      assert.equal(r.code, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /EISDIR: EISDIR/, 'the error code is said once');
    }
    assert.equal(walDump(['--verify', dir]).code, 1);
  });
});
