/**
 * The aggregator applies a source commit as soon as its last message arrives, however that
 * arrival falls against a flush in progress: with an ack wait of ten minutes, only the
 * flush path can apply it in the time this test allows, never a redelivery. (A flush loop
 * that ended a few microtasks before it let go of its flag lost the last message's wake-up;
 * the burst's last commit then waited for JetStream to redeliver it.)
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Aggregator } from '../../src/fanin/aggregator.js';
import { Forwarder } from '../../src/fanin/forwarder.js';
import { sourceIdOf } from '../../src/fanin/source-id.js';
import { Wal } from '../../src/wal/wal.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/tmp.js';
import { STREAM, waitFor } from './fanin-harness.js';

const BURSTS = 8;
const COMMITS_PER_BURST = 20;
const EVENTS_PER_COMMIT = 300;

function commitEvents(main: number): unknown[] {
  const out = [];
  for (let sub = 0; sub < EVENTS_PER_COMMIT; sub++) {
    const key = `aws/123456789012/us-east-1/ec2.instance/i-${main}-${sub}`;
    out.push({ type: 'appeared', key, record: { key, id: `i-${main}-${sub}`, state: 'running', tags: {}, attrs: {} } });
  }
  return out;
}

describe('aggregator flushes', () => {
  const work = tempDir('elava-aggregate-flush-');
  const logger = pino({ level: 'silent' });
  let nats: NatsServer;

  before(async () => {
    nats = await startNatsServer(work);
  });

  after(async () => {
    await nats?.stop();
  });

  it('apply the last commit of every burst without waiting for a redelivery', { timeout: 300_000 }, async () => {
    const src = path.join(work, 'source');
    const wal = Wal.open({ dir: src, create: true });
    const source = sourceIdOf(src);
    const servers = { servers: [nats.url], stream: STREAM };
    const agg = await Aggregator.open({ dir: path.join(work, 'aggregate'), nats: servers, durable: 'agg', logger, registry: new Registry(), create: true, ackWaitMs: 600_000 });
    const forwarder = Forwarder.open({ dir: src, nats: servers, logger, registry: new Registry(), pollMs: 10 });
    const stop = new AbortController();
    const running = [agg.run(stop.signal), forwarder.run(stop.signal)];
    try {
      for (let burst = 0; burst < BURSTS; burst++) {
        for (let i = 0; i < COMMITS_PER_BURST; i++) {
          await wal.append({ main: wal.nextMain, timeMs: Date.now(), events: commitEvents(wal.nextMain) });
          await sleep(i % 5);
        }
        const last = wal.lastMain;
        await waitFor(`source commit ${last} applied`, () => agg.log.lastSourceMain(source) === last, 60_000);
      }
      const nc = await connect({ servers: nats.url });
      const info = await (await nc.jetstreamManager()).consumers.info(STREAM, 'agg');
      await nc.close();
      assert.equal(info.delivered.consumer_seq, info.delivered.stream_seq, 'no message was delivered twice');
    } finally {
      stop.abort();
      await Promise.all(running);
      await agg.close();
      await wal.close();
    }
  });
});
