/**
 * `elava forward` and `elava aggregate` at the command line: --help tells the truth and
 * exits 0, missing or bad options are one line and exit 2, a missing data directory exit 1.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { errLines, runElava } from '../cli/elava-process.js';
import { tempDir } from '../helpers/tmp.js';

describe('elava forward / aggregate on the command line', () => {
  it('--help describes the subjects, the ids and the exit codes', async () => {
    const f = await runElava(['forward', '--help']);
    assert.equal(f.code, 0);
    assert.match(f.stdout, /elava\.<source>\.<provider>\.<account>\.<region>\.<type>/);
    assert.match(f.stdout, /Nats-Msg-Id/);
    assert.match(f.stdout, /Exit codes: 0 stopped/);
  });

  it('refuses to start without a NATS server, or with a bad one, in one line (exit 2)', async () => {
    const none = await runElava(['aggregate', '--data-dir', tempDir()]);
    assert.equal(none.code, 2);
    assert.equal(errLines(none).length, 1);
    assert.match(none.stderr, /no NATS server given/);
    const bad = await runElava(['forward', '--nats-server', 'not a server', '--data-dir', tempDir()]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not host:port/);
  });

  it('a data directory that does not exist is exit 1, not created', async () => {
    const missing = path.join(tempDir(), 'nope');
    const r = await runElava(['forward', '--nats-server', '127.0.0.1:4222', '--data-dir', missing]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not exist/);
  });
});
