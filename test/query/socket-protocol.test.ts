/**
 * The query socket's protocol (src/query/socket-protocol.ts, socket-path.ts): where the
 * socket is, which requests a daemon takes, which frames a client believes, and how long
 * text is cut into frames.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { QUERY_REQUEST_ARGS_MAX, QUERY_REQUEST_BYTES_MAX, UNIX_SOCKET_PATH_BYTES_MAX } from '../../src/limits.js';
import { QUERY_SOCKET_FILE, querySocketPath } from '../../src/query/socket-path.js';
import { encodeFrame, encodeRequest, parseFrame, parseRequest, QUERY_SOCKET_PROTOCOL, splitAtLines } from '../../src/query/socket-protocol.js';

const V = '1.2.3';
const good = { v: QUERY_SOCKET_PROTOCOL, version: V, command: 'get', argv: ['aws/1/r/ec2.instance/i-1', '--data-dir', 'd'], cwd: '/home/me' };

describe('query socket path', () => {
  it('is daemon-query.sock in the data directory, spelled as given', () => {
    assert.equal(querySocketPath('./elava-data'), path.join('elava-data', QUERY_SOCKET_FILE));
    assert.equal(querySocketPath('/var/lib/elava'), `/var/lib/elava/${QUERY_SOCKET_FILE}`);
  });

  it('is none when the path would be longer than a Unix socket path may be', () => {
    const fits = '/' + 'd'.repeat(UNIX_SOCKET_PATH_BYTES_MAX - QUERY_SOCKET_FILE.length - 2);
    assert.equal(Buffer.byteLength(path.join(fits, QUERY_SOCKET_FILE)), UNIX_SOCKET_PATH_BYTES_MAX);
    assert.equal(querySocketPath(fits), path.join(fits, QUERY_SOCKET_FILE));
    assert.equal(querySocketPath(`${fits}d`), null);
    // bytes, not characters: é is two bytes
    assert.equal(querySocketPath(`${fits.slice(0, -1)}é`), null);
  });
});

describe('query socket requests', () => {
  it('takes a well-formed request of this version', () => {
    const r = parseRequest(encodeRequest(good as never).trimEnd(), V);
    assert.deepEqual(r, { request: good });
  });

  const refusals: Array<[string, string]> = [
    ['not JSON', '{"v":1,'],
    ['an array', '[1,2]'],
    ['another protocol', JSON.stringify({ ...good, v: 2 })],
    ['another elava version', JSON.stringify({ ...good, version: '9.9.9' })],
    ['a command that is not a query', JSON.stringify({ ...good, command: 'daemon' })],
    ['a prototype name as command', JSON.stringify({ ...good, command: 'toString' })],
    ['argv not a list', JSON.stringify({ ...good, argv: 'list' })],
    ['argv with a number', JSON.stringify({ ...good, argv: ['a', 1] })],
    ['too many arguments', JSON.stringify({ ...good, argv: new Array(QUERY_REQUEST_ARGS_MAX + 1).fill('x') })],
    ['a relative cwd', JSON.stringify({ ...good, cwd: 'home/me' })],
    ['no cwd', JSON.stringify({ ...good, cwd: undefined })],
    ['a request over the size limit', JSON.stringify({ ...good, argv: ['x'.repeat(QUERY_REQUEST_BYTES_MAX)] })],
  ];
  for (const [what, line] of refusals) {
    it(`refuses ${what}`, () => {
      const r = parseRequest(line, V);
      assert.ok('refused' in r, JSON.stringify(r).slice(0, 200));
      assert.ok(r.refused.length > 0);
    });
  }
});

describe('query socket frames', () => {
  const frames = [{ accepted: true as const }, { out: 'a\nb\n' }, { err: 'elava get: no resource with key "x"\n' }, { exit: 0 }, { exit: 255 }, { refused: 'why' }];
  it('round-trip, one line each', () => {
    for (const f of frames) {
      const line = encodeFrame(f);
      assert.equal(line.indexOf('\n'), line.length - 1);
      assert.deepEqual(parseFrame(line.slice(0, -1)), f);
    }
  });

  it('are not believed when malformed', () => {
    for (const line of ['', 'x', '[]', '{}', '{"out":1}', '{"exit":-1}', '{"exit":256}', '{"exit":1.5}', '{"accepted":false}', '{"out":"a","err":"b"}']) {
      assert.equal(parseFrame(line), null, line);
    }
  });
});

describe('cutting text into frames', () => {
  const vectors: Array<[string, number, string[]]> = [
    ['a\nb\n', 10, ['a\nb\n']],
    ['aa\nbb\ncc\n', 6, ['aa\nbb\n', 'cc\n']],
    ['aa\nbb\ncc\n', 3, ['aa\n', 'bb\n', 'cc\n']],
    ['a\nlong-line\nb\n', 4, ['a\n', 'long-line\n', 'b\n']],
    ['long-line\n', 3, ['long-line\n']],
  ];
  for (const [text, max, pieces] of vectors) {
    it(`cuts ${JSON.stringify(text)} at ${max} into whole lines`, () => {
      const got = splitAtLines(text, max);
      assert.deepEqual(got, pieces);
      assert.equal(got.join(''), text);
    });
  }
});
