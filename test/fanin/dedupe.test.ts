/**
 * Dedupe, proven on a real nats-server: a forwarder whose cursor file is rolled back (an
 * old copy restored, or the file deleted) publishes again, the stream acknowledges those
 * publishes as duplicates, and it still holds each event once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { Registry, type Counter } from 'prom-client';
import { CURSOR_FILE } from '../../src/fanin/cursor-file.js';
import { Forwarder } from '../../src/fanin/forwarder.js';
import type { DaemonUnderTest } from '../daemon/daemon-harness.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/tmp.js';
import { cycle, openSource, sourceLog, streamMsgIds, STREAM } from './fanin-harness.js';

async function countOf(c: Counter): Promise<number> {
  return (await c.get()).values[0]?.value ?? 0;
}

describe('fan-in dedupe: a rolled-back cursor', () => {
  const work = tempDir('elava-dedupe-');
  let nats: NatsServer;
  let t: DaemonUnderTest;
  const logger = pino({ level: 'silent' });

  /** Forwards until caught up; returns [acknowledged, of which duplicates]. */
  async function forwardOnce(): Promise<[number, number]> {
    const f = Forwarder.open({
      dir: t.config.dataDir, nats: { servers: [nats.url], stream: STREAM }, logger, registry: new Registry(), exitWhenCaughtUp: true,
    });
    await f.run(new AbortController().signal);
    return [await countOf(f.metrics.forwarded), await countOf(f.metrics.duplicates)];
  }

  before(async () => {
    nats = await startNatsServer(work);
    t = await openSource(path.join(work, 'source'), 1);
  });

  after(async () => {
    await t?.daemon.close();
    await nats?.stop();
  });

  it('publishes again from an old cursor, and the stream keeps each event once', async () => {
    await cycle(t, true);
    await cycle(t, false);
    const first = sourceLog(t.config.dataDir).ids.length;
    assert.deepEqual(await forwardOnce(), [first, 0]);
    const cursorFile = path.join(t.config.dataDir, CURSOR_FILE);
    const oldCursor = fs.readFileSync(cursorFile);

    await cycle(t, false);
    await cycle(t, false);
    const all = sourceLog(t.config.dataDir).ids.length;
    assert.ok(all > first);
    assert.deepEqual(await forwardOnce(), [all - first, 0], 'only the new events');

    fs.writeFileSync(cursorFile, oldCursor); // restored from an old backup
    assert.deepEqual(await forwardOnce(), [all - first, all - first], 'republished, acknowledged as duplicates');

    fs.unlinkSync(cursorFile); // deleted: the whole log again
    assert.deepEqual(await forwardOnce(), [all, all]);

    const ids = await streamMsgIds(nats.url);
    assert.equal(ids.length, all);
    assert.equal(new Set(ids).size, all);
  });

  it('a caught-up forwarder publishes nothing more', async () => {
    assert.deepEqual(await forwardOnce(), [0, 0]);
  });
});
