/**
 * A corpus of damaged logs: bit flips and truncations at many offsets, zeroed sectors,
 * random bytes, gigabyte length words, swapped and missing segments. For each, verify must
 * give the right exit code and point at the right segment and byte offset. Most cases run
 * verify in-process (fast); a representative subset spawns the CLI to check the exit code,
 * the one-line message and that nothing crashes or hangs.
 *
 * The expected verdicts come from an independent walk of the pristine segment's length
 * words (frameLayout), not from the log's own code, following the torn-write rule
 * (src/wal/torn.ts):
 * - damage in a sealed segment is corruption at the first frame it touches;
 * - damage in the newest segment is a torn tail (reported at the start of the commit it
 *   belongs to, where the next open cuts) only when it runs into never-written bytes (a
 *   zero sector, zeros through the end of a cut-short record, or the end of the file), no
 *   whole commit follows it and no single flipped bit explains it; a flipped bit over
 *   written bytes (length and CRC words included) is corruption there too;
 * - damage in frame padding is harmless; in the zero space past the data of the newest
 *   segment it is a torn tail unless it shares a sector with the end of data.
 * The writer's open is held to the same verdict on every case: it refuses exactly where
 * verify says corruption, and cuts exactly where verify says torn.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isDamageCode, isWalError } from '../../src/wal/errors.js';
import { Wal } from '../../src/wal/wal.js';
import { verifyLog, type VerifyResult } from '../../wal-tools/verify.js';
import { copyLog, runCli, segmentFiles, tempDir, writeFixtureLog } from './fixture-log.js';

interface FrameInfo {
  at: number;
  bodyBytes: number;
  end: number;
  type: number;
}

interface Layout {
  frames: FrameInfo[];
  /** Offsets where a commit may start: 64 and the end of every commit record. */
  boundaries: Set<number>;
  /** Where data may end cleanly: the boundaries, and the ends of structures records right after one. */
  cleanEnds: Set<number>;
  dataEnd: number;
}

/** Frames by their length words, from the pristine bytes. */
function frameLayout(bytes: Buffer): Layout {
  const frames: FrameInfo[] = [];
  const boundaries = new Set<number>([64]);
  const cleanEnds = new Set<number>([64]);
  let at = 64;
  let onlyStructures = true;
  while (at + 8 <= bytes.length && bytes.readUInt32LE(at) !== 0) {
    const bodyBytes = bytes.readUInt32LE(at);
    const end = at + Math.ceil((8 + bodyBytes) / 8) * 8;
    const type = bytes[at + 8]!;
    frames.push({ at, bodyBytes, end, type });
    onlyStructures &&= type === 3;
    if (onlyStructures) cleanEnds.add(end);
    if (type === 2) {
      boundaries.add(end);
      cleanEnds.add(end);
      onlyStructures = true;
    }
    at = end;
  }
  return { frames, boundaries, cleanEnds, dataEnd: at };
}

function commitStart(layout: Layout, frame: FrameInfo): number {
  let start = 64;
  for (const b of layout.boundaries) if (b <= frame.at && b > start) start = b;
  return start;
}

interface Expected {
  exitCode: 0 | 3;
  /** null: no problem at all. */
  problem: { severity: 'torn-tail' | 'corruption'; segment: string; offsetBytes: number } | null;
}

function clean(): Expected {
  return { exitCode: 0, problem: null };
}

function corruption(segment: string, offsetBytes: number): Expected {
  return { exitCode: 3, problem: { severity: 'corruption', segment, offsetBytes } };
}

function torn(segment: string, offsetBytes: number): Expected {
  return { exitCode: 0, problem: { severity: 'torn-tail', segment, offsetBytes } };
}

function assertOutcome(r: VerifyResult, want: Expected, what: string): void {
  assert.equal(r.exitCode, want.exitCode, `${what}: exit code (problems: ${JSON.stringify(r.problems)})`);
  if (want.problem === null) {
    assert.deepEqual(r.problems, [], `${what}: no problems`);
    return;
  }
  const first = r.problems[0];
  assert.ok(first, `${what}: a problem is reported`);
  assert.deepEqual({ severity: first.severity, segment: first.segment, offsetBytes: first.offsetBytes }, want.problem, `${what}: ${first.message}`);
}

function expectFlip(layout: Layout, name: string, newest: boolean, b: number): Expected {
  if (b < 64) return corruption(name, 0);
  const f = layout.frames.find((x) => x.at <= b && b < x.end);
  const aligned = b - (b % 8);
  // Zero space past the data: a torn write's later sector, unless it shares the end's sector.
  if (!f) return newest && Math.ceil(layout.dataEnd / 512) * 512 <= b ? torn(name, layout.dataEnd) : corruption(name, aligned);
  if (b >= f.at + 8 + f.bodyBytes) return clean(); // padding is outside the CRC
  // A flipped bit over written bytes, the length and CRC words included: one bit explains
  // it, so it is never taken for an unfinished write, in the newest segment as anywhere.
  return corruption(name, f.at);
}

function expectTruncation(bytes: Buffer, layout: Layout, name: string, next: string | null, cut: number): Expected {
  if (cut < 64) return corruption(name, 0);
  let t = cut;
  const holder = layout.frames.find((x) => x.at <= t && t < x.end);
  if (holder && t >= holder.at + 8 + holder.bodyBytes) t = holder.end; // only padding was cut
  if (t >= layout.dataEnd) return clean();
  const g = layout.frames.find((x) => x.at <= t && t < x.end)!;
  const headCut = t < g.at + 8;
  const headZero = bytes.subarray(g.at, t).every((x) => x === 0);
  if (headCut && headZero && layout.cleanEnds.has(g.at)) {
    // Only structures records after the last commit: a commit begun and never written.
    if (next === null) return layout.boundaries.has(g.at) ? clean() : torn(name, commitStart(layout, g));
    return corruption(next, 0);
  }
  if (next === null) return torn(name, commitStart(layout, g));
  if (headCut && layout.cleanEnds.has(g.at)) return corruption(name, g.at + bytes.subarray(g.at, t).findIndex((x) => x !== 0));
  return corruption(name, g.at);
}

/**
 * The writer's open of a copy of `dir` gives the verdict verify gave: corruption refuses
 * (a damage code, nothing cut), a torn tail is cut exactly where verify said, clean opens
 * untouched.
 */
function assertWriterAgrees(dir: string, r: VerifyResult): void {
  const copy = tempDir('corpus-writer');
  copyLog(dir, copy);
  try {
    const first = r.problems[0];
    if (r.exitCode === 3) {
      const before = filesOf(copy);
      assert.throws(() => Wal.open({ dir: copy, segmentSizeBytes: 16 * 1024 }), (err) => isWalError(err) && isDamageCode(err.code), `writer refuses: ${first?.message}`);
      assert.deepEqual(filesOf(copy), before, 'a refused open leaves every file byte for byte');
      return;
    }
    assert.equal(r.exitCode, 0, 'the corpus holds no operating errors');
    const wal = Wal.open({ dir: copy, segmentSizeBytes: 16 * 1024 });
    try {
      if (first?.severity === 'torn-tail') {
        assert.ok(wal.repaired !== null || isZeroAfter(copy, first), `writer cuts the torn tail: ${first.message}`);
        assert.equal(wal.stats().currentSegment, first.segment);
        assert.equal(wal.stats().offsetBytes, first.offsetBytes, 'writer cuts where verify said');
      } else {
        assert.equal(wal.repaired, null, 'a clean log is not touched');
      }
    } finally {
      void wal.close();
    }
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

function filesOf(dir: string): Map<string, Buffer> {
  return new Map(fs.readdirSync(dir).filter((n) => n !== 'LOCK').map((n) => [n, fs.readFileSync(path.join(dir, n))]));
}

/** A truncated newest segment can be torn with nothing to zero (the cut part is beyond its end). */
function isZeroAfter(dir: string, p: { segment: string | null; offsetBytes: number | null }): boolean {
  const bytes = fs.readFileSync(path.join(dir, p.segment!));
  return bytes.subarray(p.offsetBytes!).every((x) => x === 0);
}

function verifyDir(dir: string): VerifyResult {
  return verifyLog({ kind: 'dir', dir }, { settleMs: 0 });
}

describe('wal-dump --verify over a corpus of damaged logs', () => {
  let root = '';
  let pristine = '';
  let work = '';
  let names: string[] = [];
  before(async () => {
    root = tempDir('corpus');
    pristine = path.join(root, 'pristine');
    work = path.join(root, 'work');
    names = (await writeFixtureLog(pristine, 80)).map((f) => path.basename(f));
    assert.ok(names.length >= 3, `the fixture needs 3 segments, has ${names.length}`);
    copyLog(pristine, work);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /**
   * Damages one segment of `work` in place, verifies, holds the writer's open of a copy to
   * the same verdict, and puts the pristine bytes back.
   */
  function withDamage(index: number, damage: (file: string, bytes: Buffer) => void): VerifyResult {
    const file = path.join(work, names[index]!);
    const bytes = fs.readFileSync(path.join(pristine, names[index]!));
    damage(file, bytes);
    try {
      const r = verifyDir(work);
      assertWriterAgrees(work, r);
      return r;
    } finally {
      fs.writeFileSync(file, bytes);
    }
  }

  test('the pristine fixture verifies clean', () => {
    assertOutcome(verifyDir(work), clean(), 'pristine');
  });

  for (const [label, index] of [['a sealed segment', 1], ['the newest segment', -1]] as const) {
    test(`a bit flip anywhere in ${label} is found at the frame it hits`, () => {
      const i = index < 0 ? names.length - 1 : index;
      const bytes = fs.readFileSync(path.join(pristine, names[i]!));
      const layout = frameLayout(bytes);
      let cases = 0;
      for (let b = 0; b < Math.min(bytes.length, layout.dataEnd + 300); b += 37) {
        const mask = 1 << (b % 8);
        const r = withDamage(i, (file, pristineBytes) => {
          const damaged = Buffer.from(pristineBytes);
          damaged[b] = damaged[b]! ^ mask;
          fs.writeFileSync(file, damaged);
        });
        assertOutcome(r, expectFlip(layout, names[i]!, index < 0, b), `flip ${names[i]} byte ${b}`);
        cases++;
      }
      assert.ok(cases > 80, `only ${cases} cases`);
    });

    test(`truncating ${label} at any offset is judged by where the cut falls`, () => {
      const i = index < 0 ? names.length - 1 : index;
      const bytes = fs.readFileSync(path.join(pristine, names[i]!));
      const layout = frameLayout(bytes);
      const next = index < 0 ? null : names[i + 1]!;
      const offsets = [0, 1, 63, 64, 65, 72, ...layout.frames.flatMap((f) => [f.at, f.at + 3, f.at + 8, f.end - 1]), layout.dataEnd, layout.dataEnd + 100];
      for (let t = 64; t < layout.dataEnd; t += 53) offsets.push(t);
      for (const t of offsets) {
        const r = withDamage(i, (file) => fs.truncateSync(file, t));
        assertOutcome(r, expectTruncation(bytes, layout, names[i]!, next, t), `truncate ${names[i]} at ${t}`);
      }
    });
  }

  test('a zeroed sector in the middle of a segment is corruption at the first frame it touches', () => {
    for (const i of [0, names.length - 1]) {
      const bytes = fs.readFileSync(path.join(pristine, names[i]!));
      const layout = frameLayout(bytes);
      for (let z0 = 512; z0 + 512 < layout.dataEnd - 2048; z0 += 512) {
        const f = layout.frames.find((x) => x.at + 8 + x.bodyBytes > z0)!;
        const damaged = withDamage(i, (file, pristineBytes) => {
          const copy = Buffer.from(pristineBytes);
          copy.fill(0, z0, z0 + 512);
          fs.writeFileSync(file, copy);
        });
        assertOutcome(damaged, corruption(names[i]!, f.at), `zero ${names[i]} [${z0}, ${z0 + 512})`);
      }
    }
  });

  test('a zeroed last sector of data in the newest segment is a torn tail at its commit, or clean if it wiped whole commits', () => {
    const i = names.length - 1;
    const bytes = fs.readFileSync(path.join(pristine, names[i]!));
    const layout = frameLayout(bytes);
    const z0 = Math.floor((layout.dataEnd - 1) / 512) * 512;
    const f = layout.frames.find((x) => x.end > z0)!;
    const want = f.at >= z0 && layout.boundaries.has(f.at) ? clean() : torn(names[i]!, commitStart(layout, f));
    const r = withDamage(i, (file, pristineBytes) => {
      const copy = Buffer.from(pristineBytes);
      copy.fill(0, z0, z0 + 512);
      fs.writeFileSync(file, copy);
    });
    assertOutcome(r, want, `zero last sector at ${z0}`);
  });

  test('random bytes over a frame and length words claiming gigabytes are corruption at that frame', () => {
    const bytes = fs.readFileSync(path.join(pristine, names[0]!));
    const layout = frameLayout(bytes);
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff;
    for (const f of layout.frames.slice(0, -3).filter((_, k) => k % 5 === 0)) {
      const r = withDamage(0, (file, pristineBytes) => {
        const copy = Buffer.from(pristineBytes);
        for (let k = f.at; k < f.at + 40; k++) copy[k] = random();
        fs.writeFileSync(file, copy);
      });
      assertOutcome(r, corruption(names[0]!, f.at), `random bytes at ${f.at}`);
    }
    for (const length of [0xffff_fff0, 0x4000_0000, 3 * 1024 * 1024, 9]) {
      const f = layout.frames[4]!;
      const r = withDamage(0, (file, pristineBytes) => {
        const copy = Buffer.from(pristineBytes);
        copy.writeUInt32LE(length, f.at);
        fs.writeFileSync(file, copy);
      });
      assertOutcome(r, corruption(names[0]!, f.at), `length word ${length}`);
    }
  });

  test('swapped segments are bad headers at the first swapped file', () => {
    const [a, b] = [path.join(work, names[0]!), path.join(work, names[1]!)];
    const [bytesA, bytesB] = [fs.readFileSync(a), fs.readFileSync(b)];
    fs.writeFileSync(a, bytesB);
    fs.writeFileSync(b, bytesA);
    try {
      const r = verifyDir(work);
      assertOutcome(r, corruption(names[0]!, 0), 'swapped');
      assert.equal(r.problems[0]!.code, 'WAL_BAD_HEADER');
      assert.equal(r.problems[1]!.segment, names[1]);
    } finally {
      fs.writeFileSync(a, bytesA);
      fs.writeFileSync(b, bytesB);
    }
  });

  test('a missing middle segment is a sequence gap at the segment after it', () => {
    const middle = path.join(work, names[1]!);
    const saved = fs.readFileSync(middle);
    fs.rmSync(middle);
    try {
      const r = verifyDir(work);
      assertOutcome(r, corruption(names[2]!, 0), 'missing middle');
      assert.equal(r.problems[0]!.code, 'WAL_SEQUENCE_GAP');
    } finally {
      fs.writeFileSync(middle, saved);
    }
  });

  test('a segment replaced by random bytes, an empty segment file and a malformed name are corruption', () => {
    const garbage = Buffer.alloc(20_000);
    for (let k = 0; k < garbage.length; k++) garbage[k] = (k * 7919 + 13) & 0xff;
    assertOutcome(withDamage(1, (file) => fs.writeFileSync(file, garbage)), corruption(names[1]!, 0), 'random segment');
    assertOutcome(withDamage(1, (file) => fs.writeFileSync(file, Buffer.alloc(0))), corruption(names[1]!, 0), 'empty segment');
    const odd = path.join(work, 'not-a-segment.wal');
    fs.writeFileSync(odd, 'x');
    try {
      const r = verifyDir(work);
      assert.equal(r.exitCode, 3);
      assert.equal(r.problems[0]!.code, 'WAL_BAD_NAME');
    } finally {
      fs.rmSync(odd);
    }
  });

  test('an empty or missing directory is an operating error (exit 1), not corruption', () => {
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'README'), 'not a log');
    for (const dir of [empty, path.join(root, 'missing')]) {
      const r = verifyLog([dir], { settleMs: 0 });
      assert.equal(r.exitCode, 1, dir);
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0]!.severity, 'error');
    }
  });

  describe('the CLI on damaged logs', () => {
    const noCrash = (stderr: string): void => {
      assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
      assert.doesNotMatch(stderr, /unexpected failure/);
    };

    test('corruption in a sealed segment: exit 3 and a one-line message naming file and offset, for verify and dump', () => {
      const bytes = fs.readFileSync(path.join(pristine, names[0]!));
      const f = frameLayout(bytes).frames[10]!;
      const copy = Buffer.from(bytes);
      copy[f.at + 20] = copy[f.at + 20]! ^ 0x10;
      const file = path.join(work, names[0]!);
      fs.writeFileSync(file, copy);
      try {
        for (const args of [['--verify'], [], ['--json'], ['--stats']]) {
          const r = runCli([...args, work]);
          assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
          noCrash(r.stderr);
          const lines = r.stderr.trimEnd().split('\n');
          assert.equal(lines.length, 1, r.stderr);
          assert.ok(lines[0]!.includes(`${names[0]} at byte ${f.at}`), lines[0]);
        }
        const raw = runCli(['--raw', work]);
        assert.equal(raw.code, 3);
        assert.match(raw.stdout, new RegExp(`!! skipped \\d+ bytes at 0:${f.at}`));
        assert.match(raw.stdout, /^80 +\d+:\d+ +24 +commit/m, '--raw reads on to the last commit');
      } finally {
        fs.writeFileSync(file, bytes);
      }
    });

    test('a torn tail in the newest segment: exit 0 with a warning, records up to it shown', () => {
      const newest = path.join(work, names[names.length - 1]!);
      const bytes = fs.readFileSync(newest);
      const layout = frameLayout(bytes);
      const last = layout.frames[layout.frames.length - 1]!;
      fs.truncateSync(newest, last.at + 12);
      try {
        const v = runCli(['--verify', work]);
        assert.equal(v.code, 0);
        assert.match(v.stderr, /^wal-dump: warning: .* torn tail after revision 79/);
        noCrash(v.stderr);
        const d = runCli([work]);
        assert.equal(d.code, 0);
        assert.match(d.stdout, /^69 +\d+:\d+ +24 +commit/m);
        assert.match(d.stdout, /^80\.0 .*\(uncommitted: no commit record\)$/m);
      } finally {
        fs.writeFileSync(newest, bytes);
      }
    });

    test('gigabyte length, garbage file, missing segment, empty dir, missing dir, usage: right code, one line, no crash', () => {
      const garbageDir = path.join(root, 'garbage');
      fs.mkdirSync(garbageDir, { recursive: true });
      const garbageFile = path.join(garbageDir, '0000000000000000-0000000000000001.wal');
      fs.writeFileSync(garbageFile, Buffer.alloc(5000, 0xab));
      const huge = Buffer.from(fs.readFileSync(path.join(pristine, names[names.length - 1]!)));
      huge.writeUInt32LE(0xffff_fff0, 64);
      const hugeDir = path.join(root, 'huge');
      fs.mkdirSync(hugeDir, { recursive: true });
      const hugeFile = path.join(hugeDir, names[names.length - 1]!);
      fs.writeFileSync(hugeFile, huge);
      const gapDir = path.join(root, 'gap');
      copyLog(pristine, gapDir);
      fs.rmSync(path.join(gapDir, names[1]!));
      const emptyDir = path.join(root, 'empty-cli');
      fs.mkdirSync(emptyDir, { recursive: true });
      const cases: { args: string[]; code: number; stderr: RegExp }[] = [
        { args: ['--verify', hugeFile], code: 3, stderr: /at byte 64: record length over the record size limit: a length word no writer wrote/ },
        { args: ['--verify', garbageDir], code: 3, stderr: /at byte 0: not an Elava segment \(bad magic\)/ },
        { args: [garbageFile], code: 3, stderr: /bad magic/ },
        { args: ['--verify', gapDir], code: 3, stderr: new RegExp(`${names[2]} at byte 0: segment sequence jumps from 0 to 2`) },
        { args: [emptyDir], code: 1, stderr: /no segment files/ },
        { args: ['--verify', path.join(root, 'nowhere')], code: 1, stderr: /does not exist/ },
        { args: [path.join(root, 'nowhere')], code: 1, stderr: /does not exist/ },
        { args: ['--verify', '--stats', work], code: 2, stderr: /cannot be combined/ },
        { args: ['--verify', '--from', '3', work], code: 2, stderr: /takes no filters/ },
        { args: ['--from', 'x', work], code: 2, stderr: /--from wants a whole number/ },
        { args: ['--kind', 'nope', work], code: 2, stderr: /unknown --kind/ },
        { args: [], code: 2, stderr: /give a log directory/ },
      ];
      for (const c of cases) {
        const r = runCli(c.args);
        assert.equal(r.code, c.code, `${c.args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, c.stderr, c.args.join(' '));
        noCrash(r.stderr);
      }
    });

    test('--help documents every exit code', () => {
      const r = runCli(['--help']);
      assert.equal(r.code, 0);
      for (const code of ['0  clean', '1  anything else', '2  usage error', '3  corruption']) assert.ok(r.stdout.includes(code), code);
    });
  });

  test('segmentFiles lists the fixture in order (sanity of the harness)', () => {
    assert.deepEqual(segmentFiles(pristine).map((f) => path.basename(f)), names);
  });
});
