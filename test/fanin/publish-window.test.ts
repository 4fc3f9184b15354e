/**
 * The forwarder's publish window against a real nats-server: acknowledgements are counted in
 * publish order (`acknowledged` moves over every leading acknowledged publish), a republished
 * Nats-Msg-Id is acknowledged as a duplicate and counts as delivered, and a publish no stream
 * takes, or one the stream refuses, fails the window: its waiter is rejected and it takes
 * nothing more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import { ensureStream } from '../../src/fanin/forwarder.js';
import { PublishFailure, PublishWindow } from '../../src/fanin/publish-window.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/tmp.js';
import { STREAM } from './fanin-harness.js';

describe('publish window', () => {
  let nats: NatsServer;
  let nc: NatsConnection;

  function open(capacity: number, stream = STREAM): { window: PublishWindow; acks: boolean[] } {
    const acks: boolean[] = [];
    const window = new PublishWindow(nc, { stream, capacity, timeoutMs: 10_000, onAck: (_ms, duplicate) => acks.push(duplicate) });
    return { window, acks };
  }

  before(async () => {
    nats = await startNatsServer(tempDir('elava-publish-window-'));
    nc = await connect({ servers: nats.url });
    await ensureStream(nc, STREAM, true);
  });

  after(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('counts acknowledgements in publish order, and a republished id as a delivered duplicate', async () => {
    const { window, acks } = open(8);
    const data = new TextEncoder().encode('x');
    for (let i = 0; i < 20; i++) {
      if (window.inFlight >= 8) await window.untilInFlightAtMost(4);
      assert.equal(window.publish('elava.test.a', data, `window-test:${i}`), i);
    }
    await window.untilInFlightAtMost(0);
    assert.equal(window.acknowledged, 20);
    for (let i = 0; i < 5; i++) window.publish('elava.test.a', data, `window-test:${i}`);
    await window.untilInFlightAtMost(0);
    window.close();
    assert.equal(window.acknowledged, 25);
    assert.deepEqual(acks, [...Array<boolean>(20).fill(false), ...Array<boolean>(5).fill(true)]);
    const info = await (await nc.jetstreamManager()).streams.info(STREAM);
    assert.equal(info.state.messages, 20, 'the stream holds each id once');
  });

  it('fails when no stream takes the subject: the waiter is rejected, nothing more is taken', async () => {
    const { window } = open(4);
    window.publish('nostream.test', new Uint8Array(1), 'nostream:1');
    await assert.rejects(window.untilInFlightAtMost(0), (err: unknown) => err instanceof PublishFailure && /no JetStream stream answered/.test(err.message));
    assert.equal(window.acknowledged, 0);
    assert.throws(() => window.publish('elava.test.a', new Uint8Array(1), 'after:1'), PublishFailure);
    window.close();
  });

  it('fails when the stream refuses the publish (it is not the stream the window expects)', async () => {
    const { window } = open(4, 'OTHER');
    window.publish('elava.test.a', new Uint8Array(1), 'other:1');
    await assert.rejects(window.untilInFlightAtMost(0), (err: unknown) => err instanceof PublishFailure && /the stream refused a publish/.test(err.message));
    window.close();
  });
});
