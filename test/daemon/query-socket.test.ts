/**
 * The query socket as a transport (src/daemon/query-socket.ts with the CLI's client,
 * src/cli/query-via-daemon.ts), with answers made up by the test: the socket is made
 * safely (0600, a stale one replaced, a symlink or file never followed nor removed), the
 * answer streams through whole with its exit code, a client leaving mid-answer costs the
 * daemon nothing, and every way of not answering before output falls back (null) while a
 * daemon stopping after output is one line and exit 1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import pino from 'pino';
import { queryViaDaemon } from '../../src/cli/query-via-daemon.js';
import { startQuerySocket, type QuerySocket, type QuerySocketOptions } from '../../src/daemon/query-socket.js';
import { QUERY_REQUEST_BYTES_MAX } from '../../src/limits.js';
import type { QueryIo } from '../../src/query/commands.js';
import { QUERY_SOCKET_FILE } from '../../src/query/socket-path.js';
import { encodeFrame, type QueryRequest } from '../../src/query/socket-protocol.js';
import { elavaVersion } from '../../src/version.js';
import { tempDir } from '../helpers/tmp.js';
import { captureLogs } from './daemon-harness.js';

const root = tempDir('elava-qsock-');
let n = 0;
function freshDir(): string {
  const dir = path.join(root, `d${n++}`);
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

interface Captured extends QueryIo {
  out: string[];
  err: string[];
}
function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s) };
}

async function start(dir: string, answer: QuerySocketOptions['answer'], logs = captureLogs()): Promise<QuerySocket> {
  const socket = await startQuerySocket({ dir, version: elavaVersion(), answer, logger: pino({ level: 'debug' }, logs.stream) });
  assert.ok(socket !== null, JSON.stringify(logs.lines));
  return socket;
}

const ask = (dir: string, io: QueryIo, argv: string[] = [], extra: { version?: string; acceptWaitMs?: number } = {}): Promise<number | null> =>
  queryViaDaemon('list', [...argv, '--data-dir', dir], io, { env: {}, ...extra });

/** A socket file nobody listens on: a process that listened is killed with SIGKILL. */
async function staleSocket(socketPath: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  assert.ok(fs.lstatSync(socketPath).isSocket(), 'the stale socket stays behind');
}

describe('query socket', () => {
  it('is created 0600, answers with the stream and exit code, and is removed on close', async () => {
    const dir = freshDir();
    let asked: QueryRequest | null = null;
    const socket = await start(dir, async (request, io) => {
      asked = request;
      io.stdout('line 1\nline 2\n');
      io.stderr('elava list: note: something\n');
      io.stdout('line 3\n');
      return 4;
    });
    const stat = fs.lstatSync(path.join(dir, QUERY_SOCKET_FILE));
    assert.ok(stat.isSocket());
    assert.equal(stat.mode & 0o777, 0o600);
    const io = capture();
    assert.equal(await ask(dir, io, ['--json']), 4);
    assert.deepEqual(io.out, ['line 1\nline 2\n', 'line 3\n']);
    assert.deepEqual(io.err, ['elava list: note: something\n']);
    assert.deepEqual(asked, { v: 1, version: elavaVersion(), command: 'list', argv: ['--json', '--data-dir', dir], cwd: process.cwd() });
    assert.equal(socket.stats.answered.get('list'), 1);
    await socket.close();
    assert.equal(fs.existsSync(path.join(dir, QUERY_SOCKET_FILE)), false);
    assert.equal(await ask(dir, capture()), null, 'no socket: fall back');
  });

  it('replaces the stale socket of a daemon that died; the client falls back from it at once', async () => {
    const dir = freshDir();
    const socketPath = path.join(dir, QUERY_SOCKET_FILE);
    await staleSocket(socketPath);
    const t0 = Date.now();
    assert.equal(await ask(dir, capture()), null, 'ECONNREFUSED: fall back');
    assert.ok(Date.now() - t0 < 5_000, 'a refused connection is not waited on');
    const logs = captureLogs();
    const socket = await start(dir, async (_r, io) => {
      io.stdout('fresh\n');
      return 0;
    }, logs);
    try {
      assert.ok(logs.lines.some((l) => l['replacedStale'] === true));
      const io = capture();
      assert.equal(await ask(dir, io), 0);
      assert.deepEqual(io.out, ['fresh\n']);
    } finally {
      await socket.close();
    }
  });

  it('neither follows nor removes a symlink or a file at the socket path; the client does not connect through it', async () => {
    const outside = freshDir();
    const target = path.join(outside, 'target');
    fs.writeFileSync(target, 'keep me');
    const live = await start(outside, async () => 0); // a real socket the symlink could point to
    try {
      for (const plant of ['symlink-to-file', 'symlink-to-socket', 'file']) {
        const dir = freshDir();
        const socketPath = path.join(dir, QUERY_SOCKET_FILE);
        if (plant === 'symlink-to-file') fs.symlinkSync(target, socketPath);
        if (plant === 'symlink-to-socket') fs.symlinkSync(live.path, socketPath);
        if (plant === 'file') fs.writeFileSync(socketPath, 'not a socket');
        const logs = captureLogs();
        const socket = await startQuerySocket({ dir, version: elavaVersion(), answer: async () => 0, logger: pino({ level: 'debug' }, logs.stream) });
        assert.equal(socket, null, plant);
        assert.ok(logs.lines.some((l) => String(l['msg']).includes('is not a socket')), plant);
        assert.equal(fs.lstatSync(socketPath).isSocket(), false, `${plant} left in place`);
        assert.equal(await ask(dir, capture()), null, `${plant}: the client falls back`);
      }
      assert.equal(fs.readFileSync(target, 'utf8'), 'keep me');
      assert.equal(live.stats.answered.size, 0, 'nothing reached the socket behind the symlink');
    } finally {
      await live.close();
    }
  });

  it('is not made when the path is too long, without failing', async () => {
    const dir = path.join(freshDir(), 'x'.repeat(120));
    fs.mkdirSync(dir);
    const logs = captureLogs();
    const socket = await startQuerySocket({ dir, version: elavaVersion(), answer: async () => 0, logger: pino({ level: 'debug' }, logs.stream) });
    assert.equal(socket, null);
    assert.ok(logs.lines.some((l) => String(l['msg']).includes('too long for a Unix socket')));
    assert.equal(await ask(dir, capture()), null);
  });

  it('streams an answer larger than the socket buffers whole, in order, with backpressure', async () => {
    const dir = freshDir();
    const lines = 4096;
    const piece = (i: number): string => `${String(i).padStart(8, '0')} ${'x'.repeat(1000)}\n`.repeat(lines);
    let waits = 0;
    const socket = await start(dir, async (_r, io) => {
      for (let i = 0; i < 40; i++) {
        io.stdout(piece(i)); // 4 MiB each: cut into frames of at most 1 MiB
        const w = io.writable?.();
        if (w !== undefined) {
          waits++;
          await w;
        }
      }
      return 0;
    });
    try {
      let bytes = 0;
      let next = 0;
      let inOrder = true;
      const io: QueryIo = {
        stdout: (s) => {
          bytes += s.length;
          for (let at = 0; at < s.length; at += 1010) if (Number(s.slice(at, at + 8)) !== Math.floor(next++ / lines)) inOrder = false;
        },
        stderr: () => assert.fail('no stderr'),
      };
      assert.equal(await ask(dir, io), 0);
      assert.equal(bytes, 40 * 1010 * lines);
      assert.ok(inOrder);
      assert.ok(waits > 0, 'the answer waited for the socket to drain');
    } finally {
      await socket.close();
    }
  });

  it('ends an answer whose client left mid-way, and goes on serving', async () => {
    const dir = freshDir();
    let finished = 0;
    const socket = await start(dir, async (_r, io) => {
      for (let i = 0; i < 400; i++) {
        io.stdout(`${'y'.repeat(1 << 16)}\n`);
        await io.writable?.();
      }
      finished++;
      return 0;
    });
    try {
      const client = net.createConnection(socket.path);
      client.write(JSON.stringify({ v: 1, version: elavaVersion(), command: 'list', argv: [], cwd: '/' }) + '\n');
      await new Promise<void>((resolve) => client.once('data', () => resolve()));
      client.destroy(); // after the first frames, with megabytes still to come
      for (let i = 0; i < 100 && socket.stats.abandoned === 0; i++) await sleep(20);
      assert.equal(socket.stats.abandoned, 1);
      assert.equal(finished, 1, 'the answer ran to its end without waiting forever for a drain');
      for (let i = 0; i < 100 && socket.connections > 0; i++) await sleep(10);
      assert.equal(socket.connections, 0);
      const io = capture();
      assert.equal(await ask(dir, io), 0, 'the next client is answered');
    } finally {
      await socket.close();
    }
  });

  it('drops a client that takes no bytes of its answer for the stall limit, and says so', async () => {
    const dir = freshDir();
    const logs = captureLogs();
    let finished = 0;
    const socket = await startQuerySocket({
      dir, version: elavaVersion(), logger: pino({ level: 'debug' }, logs.stream), answerStallMs: 300,
      answer: async (_r, io) => {
        for (let i = 0; i < 400; i++) {
          io.stdout(`${'z'.repeat(1 << 16)}\n`);
          await io.writable?.();
        }
        finished++;
        return 0;
      },
    });
    assert.ok(socket !== null);
    try {
      const client = net.createConnection(socket.path);
      client.on('error', () => undefined);
      client.pause(); // asks, then never reads
      client.write(JSON.stringify({ v: 1, version: elavaVersion(), command: 'list', argv: [], cwd: '/' }) + '\n');
      for (let i = 0; i < 500 && socket.stats.abandoned === 0; i++) await sleep(20);
      assert.equal(socket.stats.abandoned, 1, 'the answer was let go');
      assert.equal(finished, 1, 'and ran to its end without waiting for the stalled client');
      assert.ok(logs.lines.some((l) => /took no bytes of its answer/.test(String(l['msg']))), 'logged');
      client.destroy();
      const io = capture();
      assert.equal(await ask(dir, io), 0, 'the next client is answered');
    } finally {
      await socket.close();
    }
  });

  it('refuses a client of another version, and that client falls back', async () => {
    const dir = freshDir();
    const socket = await start(dir, async () => assert.fail('not answered'));
    try {
      const io = capture();
      assert.equal(await ask(dir, io, [], { version: '0.0.0-other' }), null);
      assert.deepEqual([io.out, io.err], [[], []]);
      assert.equal(socket.stats.refused, 1);
    } finally {
      await socket.close();
    }
  });

  it('refuses a request over the size limit and hangs up on one that never comes', async () => {
    const dir = freshDir();
    const socket = await startQuerySocket({ dir, version: elavaVersion(), answer: async () => assert.fail('not answered'), logger: pino({ level: 'silent' }), requestWaitMs: 200 });
    assert.ok(socket !== null);
    try {
      const big = await rawExchange(socket.path, 'x'.repeat(QUERY_REQUEST_BYTES_MAX + 10));
      assert.match(big, /^\{"refused":"request over \d+ bytes"\}\n$/);
      const silent = await rawExchange(socket.path, '');
      assert.equal(silent, '', 'hung up after the wait, without a word');
      for (let i = 0; i < 100 && socket.connections > 0; i++) await sleep(10);
      assert.equal(socket.connections, 0);
    } finally {
      await socket.close();
    }
  });

  it('lets an answer in flight finish at close, then removes the socket', async () => {
    const dir = freshDir();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const socket = await start(dir, async (_r, io) => {
      entered = true;
      await gate;
      io.stdout('late but whole\n');
      return 0;
    });
    const io = capture();
    const answer = ask(dir, io);
    for (let i = 0; i < 500 && !entered; i++) await sleep(10);
    assert.ok(entered);
    const closing = socket.close();
    release();
    await closing;
    assert.equal(await answer, 0);
    assert.deepEqual(io.out, ['late but whole\n']);
    assert.equal(fs.existsSync(path.join(dir, QUERY_SOCKET_FILE)), false);
  });
});

describe('query socket client against a daemon that misbehaves', () => {
  /** A raw server at DIR's socket path that answers every connection with `frames`, then hangs up. */
  async function fakeDaemon(frames: string[], options: { hangUp?: boolean } = {}): Promise<{ dir: string; close: () => Promise<void> }> {
    const dir = freshDir();
    const server = net.createServer((s) => {
      s.once('data', () => {
        for (const f of frames) s.write(f);
        if (options.hangUp !== false) s.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, QUERY_SOCKET_FILE), resolve));
    return { dir, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  const cases: Array<{ what: string; frames: string[]; hangUp?: boolean; code: number | null; out: string[]; errLines: number }> = [
    { what: 'hangs up before accepting', frames: [], code: null, out: [], errLines: 0 },
    { what: 'hangs up after accepting, before any output', frames: [encodeFrame({ accepted: true })], code: null, out: [], errLines: 0 },
    { what: 'sends nonsense before any output', frames: [encodeFrame({ accepted: true }), 'garbage\n'], code: null, out: [], errLines: 0 },
    {
      what: 'dies after output was printed',
      frames: [encodeFrame({ accepted: true }), encodeFrame({ out: 'first part\n' })],
      code: 1, out: ['first part\n'], errLines: 1,
    },
    {
      what: 'sends nonsense after output was printed',
      frames: [encodeFrame({ accepted: true }), encodeFrame({ out: 'first part\n' }), '{"exit":"zero"}\n'],
      code: 1, out: ['first part\n'], errLines: 1,
    },
    { what: 'does not accept in time', frames: [], hangUp: false, code: null, out: [], errLines: 0 },
  ];
  for (const c of cases) {
    it(`${c.code === null ? 'falls back' : 'reports one line, exit 1,'} when the daemon ${c.what}`, async () => {
      const fake = await fakeDaemon(c.frames, c.hangUp === false ? { hangUp: false } : {});
      try {
        const io = capture();
        const code = await ask(fake.dir, io, [], { acceptWaitMs: 300 });
        assert.equal(code, c.code);
        assert.deepEqual(io.out, c.out);
        assert.equal(io.err.length, c.errLines);
        if (c.errLines > 0) assert.match(io.err[0] as string, /^elava list: the daemon's answer broke off \(.+\); the output above is incomplete/);
      } finally {
        await fake.close();
      }
    });
  }
});

/** Sends `text` (and no newline) on a fresh connection; resolves with all the server says until it hangs up. */
function rawExchange(socketPath: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const c = net.createConnection(socketPath, () => {
      if (text !== '') c.write(text);
    });
    c.setEncoding('utf8');
    c.on('data', (d: string) => (got += d));
    c.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    c.on('close', () => resolve(got));
  });
}
