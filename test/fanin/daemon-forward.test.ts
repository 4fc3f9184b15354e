/**
 * The daemon with a [forward] section forwards its own log from the same process: cycles
 * commit as usual and every event reaches the stream; its /metrics carry the forwarder's.
 * A bad [forward] section is a config error naming the key, never a secret.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../src/daemon/config-load.js';
import type { DaemonUnderTest } from '../daemon/daemon-harness.js';
import { openTestDaemon } from '../daemon/daemon-harness.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/tmp.js';
import { sourceLog, streamMsgIds, waitFor } from './fanin-harness.js';
import { sourceIdOf } from '../../src/fanin/source-id.js';

describe('daemon with [forward]', () => {
  const work = tempDir('elava-daemon-forward-');
  let nats: NatsServer;
  let t: DaemonUnderTest;

  before(async () => {
    nats = await startNatsServer(work);
    t = await openTestDaemon(path.join(work, 'data'), {}, { 'log-level': 'warn', 'forward-nats-servers': nats.url });
  });

  after(async () => {
    await t?.daemon.close();
    await nats?.stop();
  });

  it('forwards every event its cycles commit, and shows the forwarder\'s metrics', async () => {
    await t.daemon.runCycle();
    t.sim.cloud.advance();
    await t.daemon.runCycle();
    const dir = t.config.dataDir;
    const want = sourceLog(dir).ids.map((id) => `${sourceIdOf(dir)}:${id}`);
    assert.ok(want.length > 0);
    await waitFor('the stream to hold every event', async () => (await streamMsgIds(nats.url)).length === want.length);
    assert.deepEqual((await streamMsgIds(nats.url)).sort(), want.sort());
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    assert.match(metrics, new RegExp(`^elava_forward_events_total ${want.length}$`, 'm'));
    assert.match(metrics, /^elava_forward_lag_revisions 0$/m);
  });

  it('refuses a bad [forward] section at start, naming the key and not the password', () => {
    const secret = 'hunter2-very-secret';
    assert.throws(
      () => loadConfig({ env: { ELAVA_FORWARD_NATS_PASSWORD: secret }, flags: new Map([['forward-nats-servers', 'nats.internal'], ['aws-accounts', '123456789012'], ['aws-regions', 'us-east-1']]) }),
      (err: Error) => /forward\.natsServers/.test(err.message) && !err.message.includes(secret),
    );
  });
});
