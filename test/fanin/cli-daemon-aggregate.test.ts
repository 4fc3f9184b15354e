/**
 * `elava daemon` with an [aggregate] section, as real processes: a source daemon's log
 * (`elava daemon --simulate --once`) forwarded by `elava forward --once` reaches the
 * aggregating daemon, `elava sources` on its directory shows the hash `elava sources --self`
 * shows on the source's, and SIGTERM stops it with exit 0. A config that mixes [aggregate]
 * with scopes, or --once with it, is one line on stderr and exit 2.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SourceRow } from '../../src/query/sources.js';
import { errLines, runElava, startElava, type Running } from '../cli/elava-process.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from './fanin-harness.js';

function aggregateToml(dir: string, dataDir: string, servers: string, extra = ''): string {
  const file = path.join(dir, `aggregate-${Math.random().toString(36).slice(2)}.toml`);
  fs.writeFileSync(file, `dataDir = "${dataDir}"\n${extra}[http]\nlisten = "127.0.0.1:0"\n[aggregate]\nnatsServers = ["${servers}"]\ndurable = "cli"\n`);
  return file;
}

async function sourcesJson(args: string[]): Promise<SourceRow[]> {
  const r = await runElava(['sources', '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SourceRow).filter((row) => typeof row.stateHash === 'string');
}

describe('elava daemon with [aggregate] (processes)', () => {
  const work = tempDir('elava-cli-daemon-aggregate-');
  let nats: NatsServer;
  let aggregate: Running;
  const aggDir = path.join(work, 'aggregate');
  const srcDir = path.join(work, 'source');

  before(async () => {
    nats = await startNatsServer(work);
    aggregate = startElava(['daemon', '--config', aggregateToml(work, aggDir, nats.url), '--create']);
    await aggregate.waitForLog((l) => l['msg'] === 'ready', 30_000);
  });

  after(async () => {
    aggregate?.child.kill('SIGKILL');
    await nats?.stop();
  });

  it('aggregates what a forwarder publishes: elava sources shows the source\'s own hash', { timeout: 120_000 }, async () => {
    const scan = await runElava(['daemon', '--simulate', '--once', '--data-dir', srcDir, '--create', '--http-listen', 'off', '--log-level', 'warn'], { timeoutMs: 60_000 });
    assert.equal(scan.code, 0, scan.stderr);
    const forward = await runElava(['forward', '--once', '--data-dir', srcDir, '--nats-server', nats.url, '--log-level', 'warn'], { timeoutMs: 60_000 });
    assert.equal(forward.code, 0, forward.stderr);
    const [self] = await sourcesJson(['--self', '--data-dir', srcDir]);
    assert.ok(self !== undefined && self.live > 0);
    await waitFor('the aggregating daemon to apply the source\'s last revision', async () => (await sourcesJson(['--data-dir', aggDir]))[0]?.revision === self.revision);
    const [row] = await sourcesJson(['--data-dir', aggDir]);
    assert.equal(row?.stateHash, self.stateHash);
    assert.equal(row?.live, self.live);
  });

  it('stops on SIGTERM with exit 0', async () => {
    aggregate.child.kill('SIGTERM');
    const done = await aggregate.finished;
    assert.equal(done.code, 0, done.stderr);
  });
});

describe('elava daemon refuses a bad [aggregate] setup', () => {
  const work = tempDir('elava-cli-aggregate-config-');

  it('beside scopes of its own: one line naming aggregate.natsServers, exit 2', async () => {
    const scopes = '[[aws.accounts]]\nid = "123456789012"\n[aws]\nregions = ["us-east-1"]\n';
    const r = await runElava(['daemon', '--config', aggregateToml(work, path.join(work, 'd'), '127.0.0.1:4222', scopes)]);
    assert.equal(r.code, 2);
    assert.equal(errLines(r).length, 1, r.stderr);
    assert.match(r.stderr, /config aggregate\.natsServers .*scans nothing of its own, but aws\.accounts is set/);
  });

  it('with --simulate (its forced accounts): exit 2', async () => {
    const r = await runElava(['daemon', '--simulate', '--aggregate-nats-servers', '127.0.0.1:4222', '--data-dir', path.join(work, 's')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /aggregate\.natsServers/);
  });

  it('with --once: usage, exit 2', async () => {
    const r = await runElava(['daemon', '--once', '--config', aggregateToml(work, path.join(work, 'o'), '127.0.0.1:4222')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--once runs one scan cycle, and an aggregating daemon/);
  });
});
