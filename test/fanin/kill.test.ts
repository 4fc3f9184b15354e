/**
 * kill -9, for real: `elava forward` (two sources) and `elava aggregate` run as child
 * processes and are each killed at random moments, at least 30 times, while the source
 * daemons keep committing cycles; the nats-server is restarted mid-stream. Then everything
 * is let to finish: no gap, no duplicate, and the aggregate's state hash per source equals
 * the source's.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startElava, type Running } from '../cli/elava-process.js';
import type { DaemonUnderTest } from '../daemon/daemon-harness.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/tmp.js';
import { sourceIdOf } from '../../src/fanin/source-id.js';
import {
  aggregateMarkers, aggregateRows, allAcknowledged, assertOnce, cycle, openSource, sourceHash, sourceLog, streamMsgIds, waitFor,
} from './fanin-harness.js';
import { prng } from '../projection/log-fixture.js'; // seeded, so a failing run can be replayed

const KILLS = 30;
const SOURCES = 2;


const children = new Set<Running>();
const t0 = Date.now();
/** Progress on stderr (FANIN_KILL_VERBOSE=1): where a slow run spends its time. */
function progress(what: string): void {
  if (process.env['FANIN_KILL_VERBOSE'] === '1') process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}\n`);
}
process.on('exit', () => {
  for (const run of children) run.child.kill('SIGKILL'); // never leave a child behind
});

function start(args: string[]): Running {
  const run = startElava(args);
  children.add(run);
  void run.finished.then(() => children.delete(run));
  return run;
}

async function kill9(run: Running): Promise<void> {
  run.child.kill('SIGKILL');
  await run.finished;
}

describe('fan-in under kill -9 of forwarders and the aggregator, and a nats-server restart', () => {
  const work = tempDir('elava-fanin-kill-');
  const seed = Number(process.env['FANIN_KILL_SEED'] ?? Date.now() % 1_000_000);
  const random = prng(seed);
  let nats: NatsServer;
  const daemons: DaemonUnderTest[] = [];
  const aggDir = path.join(work, 'aggregate');
  const kills = { forward: 0, aggregate: 0 };

  const forwardArgs = (i: number, once: boolean): string[] => [
    'forward', '--data-dir', daemons[i]!.config.dataDir, '--nats-server', nats.url, '--log-level', 'info', ...(once ? ['--once'] : []),
  ];
  const aggregateArgs = (): string[] => [
    'aggregate', '--data-dir', aggDir, '--create', '--nats-server', nats.url, '--durable', 'agg', '--http-listen', 'off', '--log-level', 'info',
  ];

  before(async () => {
    nats = await startNatsServer(work);
    for (let n = 1; n <= SOURCES; n++) {
      daemons.push(await openSource(path.join(work, `source-${n}`), n));
      await cycle(daemons[n - 1]!, true);
    }
  });

  after(async () => {
    for (const run of children) await kill9(run);
    for (const t of daemons) await t.daemon.close().catch(() => undefined);
    await nats?.stop();
  });

  it(`loses nothing and duplicates nothing (seed ${seed})`, { timeout: 900_000 }, async () => {
    let producing = true;
    const producer = (async () => {
      while (producing) {
        for (const t of daemons) await cycle(t, false);
        await sleep(100);
      }
    })();
    const forwardKills = (async () => {
      const running = daemons.map((_, i) => start(forwardArgs(i, false)));
      for (let k = 0; k < KILLS; k++) {
        const i = k % SOURCES;
        await running[i]!.waitForLog((l) => l['msg'] === 'forwarder starting', 60_000);
        await sleep(random() * 600);
        await kill9(running[i]!);
        kills.forward++;
        progress(`forwarder kill ${kills.forward}`);
        running[i] = start(forwardArgs(i, false));
      }
      for (const run of running) await kill9(run);
    })();
    const aggregateKills = (async () => {
      for (let k = 0; k < KILLS; k++) {
        const run = start(aggregateArgs());
        await run.waitForLog((l) => l['msg'] === 'consumer ready', 60_000);
        await sleep(random() * 800);
        await kill9(run);
        kills.aggregate++;
        progress(`aggregator kill ${kills.aggregate}`);
        if (k === KILLS / 2) await nats.restart(); // mid-stream, while forwarders publish
      }
    })();
    await Promise.all([forwardKills, aggregateKills]);
    producing = false;
    await producer;
    for (const t of daemons) await t.daemon.close();

    // Let everything finish: forwarders until caught up, the aggregator until it holds all.
    const finals = daemons.map((_, i) => start(forwardArgs(i, true)));
    const aggregator = start(aggregateArgs());
    for (const f of finals) assert.equal((await f.finished).code, 0, f.stderr());
    const sources = daemons.map((t) => sourceIdOf(t.config.dataDir));
    const logs = daemons.map((t) => sourceLog(t.config.dataDir));
    // Done when the consumer has every message of the stream acknowledged: the aggregator
    // acknowledges a source commit only once it is durable in its log. (The aggregate is
    // read only after the aggregator stops: a reader racing a busy writer is not the test.)
    await aggregator.waitForLog((l) => l['msg'] === 'consumer ready', 60_000);
    await waitFor('the aggregator to acknowledge every message', () => allAcknowledged(nats.url), 120_000);
    aggregator.child.kill('SIGTERM');
    assert.equal((await aggregator.finished).code, 0, aggregator.stderr());

    assert.deepEqual(kills, { forward: KILLS, aggregate: KILLS });
    const rows = await aggregateRows(aggDir);
    const ids = await streamMsgIds(nats.url);
    const markers = aggregateMarkers(aggDir);
    for (let i = 0; i < SOURCES; i++) {
      assertOnce(sources[i]!, logs[i]!, ids, markers);
      assert.equal(rows.find((r) => r.source === sources[i])?.stateHash, await sourceHash(daemons[i]!.config.dataDir));
    }
    assert.equal(ids.length, logs.reduce((n, l) => n + l.ids.length, 0));
  });
});
