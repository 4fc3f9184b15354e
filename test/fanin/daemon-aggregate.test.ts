/**
 * The daemon with an [aggregate] section aggregates from its own process: given a source
 * daemon forwarding (its [forward], then a forwarder for what was left when it stopped) to
 * a real nats-server, when its cycles commit, then the
 * aggregating daemon's log holds exactly the source's live records (equal state hashes,
 * over its HTTP API and read back from disk), and its /metrics, /healthz and /readyz work
 * as `elava aggregate`'s. A bad [aggregate] section is a config error naming the key.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/daemon/config-load.js';
import type { DaemonConfig } from '../../src/daemon/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { isDaemonError, type DaemonError } from '../../src/daemon/errors.js';
import { realScanSetup } from '../../src/daemon/scan-setup.js';
import { Forwarder } from '../../src/fanin/forwarder.js';
import { sourceIdOf } from '../../src/fanin/source-id.js';
import type { SourceRow } from '../../src/query/sources.js';
import type { DaemonUnderTest } from '../daemon/daemon-harness.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/tmp.js';
import { aggregateRows, cycle, openSource, sourceHash, sourceLog, waitFor } from './fanin-harness.js';

const CYCLES = 3;

function aggregateConfig(dataDir: string, flags: Record<string, string>): DaemonConfig {
  return loadConfig({ env: {}, flags: new Map(Object.entries({ 'data-dir': dataDir, 'http-listen': '127.0.0.1:0', 'log-level': 'warn', ...flags })) });
}

describe('daemon with [aggregate]', () => {
  const work = tempDir('elava-daemon-aggregate-');
  const aggDir = path.join(work, 'aggregate');
  let nats: NatsServer;
  let source: DaemonUnderTest;
  let aggregate: Daemon;
  let running: Promise<unknown>;
  let base = '';

  async function sourcesOverHttp(): Promise<SourceRow[]> {
    const res = await fetch(`${base}/v1/sources`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { sources: SourceRow[] }).sources;
  }

  before(async () => {
    nats = await startNatsServer(work);
    const config = aggregateConfig(aggDir, { 'aggregate-nats-servers': nats.url, 'aggregate-durable': 'agg' });
    aggregate = await Daemon.open({ config, scan: realScanSetup(config), logger: pino({ level: 'warn' }), create: true, processMetrics: false });
    base = `http://${aggregate.httpAddress ?? 'none'}`;
    running = aggregate.run();
    source = await openSource(path.join(work, 'source'), 1, { 'forward-nats-servers': nats.url });
    for (let c = 0; c < CYCLES; c++) await cycle(source, c === 0);
    await source.daemon.close(); // stops its forwarder too
    // What it had not forwarded by then (its shutdown checkpoint at least), from its cursor on.
    const rest = Forwarder.open({ dir: source.config.dataDir, nats: { servers: [nats.url], stream: 'ELAVA' }, logger: pino({ level: 'warn' }), registry: new Registry(), exitWhenCaughtUp: true });
    await rest.run(new AbortController().signal);
  });

  after(async () => {
    await source?.daemon.close().catch(() => undefined);
    await aggregate?.close().catch(() => undefined);
    await nats?.stop();
  });

  it('holds exactly the source\'s live records: the hash over its HTTP API equals the source\'s', async () => {
    const dir = source.config.dataDir;
    const last = sourceLog(dir).lastMain;
    await waitFor('the aggregating daemon to reach the source\'s last revision', async () => (await sourcesOverHttp())[0]?.revision === last);
    const [row] = await sourcesOverHttp();
    assert.equal(row?.source, sourceIdOf(dir));
    assert.ok((row?.live ?? 0) > 0);
    assert.equal(row?.stateHash, await sourceHash(dir));
    assert.equal(row?.conflicts, 0);
  });

  it('serves /healthz, /readyz and the aggregator\'s metrics beside the daemon\'s', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const last = sourceLog(source.config.dataDir).lastMain;
    assert.match(metrics, new RegExp(`^elava_aggregate_source_revision\\{source="${sourceIdOf(source.config.dataDir)}"\\} ${last}$`, 'm'));
    assert.match(metrics, /^elava_aggregate_source_commits_total [1-9]\d*$/m);
    assert.match(metrics, /^wal_fsync_duration_seconds_count [1-9]\d*$/m);
  });

  it('stops cleanly, and what it committed reads back the same from disk', async () => {
    await aggregate.close();
    assert.equal(await running, null);
    const rows = await aggregateRows(aggDir);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.stateHash, await sourceHash(source.config.dataDir));
  });
});

describe('a bad [aggregate] section', () => {
  const dir = tempDir('elava-aggregate-config-');
  const secret = 'hunter2-very-secret';

  function failure(toml: string, env: Record<string, string> = {}): DaemonError {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.toml`);
    fs.writeFileSync(file, `dataDir = "${dir}"\n${toml}`);
    try {
      loadConfig({ configPath: file, env });
    } catch (err) {
      if (isDaemonError(err)) return err;
      throw err;
    }
    return assert.fail('the config was accepted');
  }

  const cases: Array<{ name: string; toml: string; env?: Record<string, string>; key: string; says: RegExp }> = [
    {
      name: 'beside AWS accounts', key: 'aggregate.natsServers', says: /scans nothing of its own, but aws\.accounts is set/,
      toml: '[aggregate]\nnatsServers = ["127.0.0.1:4222"]\n[[aws.accounts]]\nid = "123456789012"\n[aws]\nregions = ["us-east-1"]\n',
    },
    {
      name: 'beside GCP projects', key: 'aggregate.natsServers', says: /but gcp\.projects is set/,
      toml: '[aggregate]\nnatsServers = ["127.0.0.1:4222"]\n[gcp]\nprojects = ["p"]\n',
    },
    { name: 'no servers, nothing to scan', key: 'aws.accounts', says: /nothing to scan.*aggregate\.natsServers/, toml: '[aggregate]\ndurable = "agg"\n' },
    { name: 'a server without a port', key: 'aggregate.natsServers', says: /is not host:port/, toml: '[aggregate]\nnatsServers = ["nats.internal"]\n' },
    { name: 'a bad consumer name', key: 'aggregate.durable', says: /letters, digits/, toml: '[aggregate]\nnatsServers = ["127.0.0.1:4222"]\ndurable = "two words"\n' },
    { name: 'an ack wait under a second', key: 'aggregate.ackWait', says: /at least 1s/, toml: '[aggregate]\nnatsServers = ["127.0.0.1:4222"]\nackWait = "500ms"\n' },
    { name: 'an unknown key', key: 'aggregate.inFlight', says: /unknown key/, toml: '[aggregate]\nnatsServers = ["127.0.0.1:4222"]\ninFlight = 10\n' },
    {
      name: 'a password without a user', key: 'aggregate.natsServers', says: /needs a password and a password a user/,
      toml: '[aggregate]\nnatsServers = ["127.0.0.1:4222"]\n', env: { ELAVA_AGGREGATE_NATS_PASSWORD: secret },
    },
  ];
  for (const c of cases) {
    it(`is refused: ${c.name} (CONFIG_INVALID naming ${c.key}, never a secret)`, () => {
      const err = failure(c.toml, c.env);
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.equal(err.exitCode, 2);
      assert.equal(err.key, c.key);
      assert.match(err.message, c.says);
      assert.ok(!err.message.includes(secret));
    });
  }
});
