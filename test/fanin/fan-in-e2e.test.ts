/**
 * Three daemons on the SIMULATED cloud (one account and project each), each forwarding to a
 * real nats-server with JetStream, one aggregator: after N cycles the aggregate holds, per
 * source, exactly the source's live records (equal state hashes), the stream holds every
 * event once, and the aggregate applied every source commit once, in order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Aggregator } from '../../src/fanin/aggregator.js';
import { Forwarder } from '../../src/fanin/forwarder.js';
import { closeQueryState, openQueryState } from '../../src/query/query-state.js';
import { listResources } from '../../src/query/queries.js';
import { runQueryCommand } from '../../src/query/commands.js';
import type { DaemonUnderTest } from '../daemon/daemon-harness.js';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { tempDir } from '../helpers/tmp.js';
import {
  aggregateMarkers, aggregateRows, assertOnce, cycle, openSource, sourceHash, sourceLog, streamMsgIds, STREAM, waitFor,
} from './fanin-harness.js';

const SOURCES = 3;
const CYCLES = 4;

describe('fan-in: three daemons forwarding, one aggregator', () => {
  const work = tempDir('elava-fanin-');
  let nats: NatsServer;
  const daemons: DaemonUnderTest[] = [];
  const forwarders: Forwarder[] = [];
  const runs: Array<Promise<void>> = [];
  const stop = new AbortController();
  let aggregator: Aggregator;
  const aggDir = path.join(work, 'aggregate');
  const logger = pino({ level: 'silent' });

  before(async () => {
    nats = await startNatsServer(work);
    const natsOptions = { servers: [nats.url], stream: STREAM };
    for (let n = 1; n <= SOURCES; n++) {
      const t = await openSource(path.join(work, `source-${n}`), n);
      daemons.push(t);
      const f = Forwarder.open({ dir: t.config.dataDir, nats: natsOptions, logger, registry: new Registry(), pollMs: 20 });
      forwarders.push(f);
      runs.push(f.run(stop.signal));
    }
    aggregator = await Aggregator.open({ dir: aggDir, nats: natsOptions, durable: 'agg', logger, registry: new Registry(), create: true });
    runs.push(aggregator.run(stop.signal));
    for (let c = 0; c < CYCLES; c++) {
      // The daemons' cycles run while the forwarders publish: nothing waits for NATS.
      await Promise.all(daemons.map((t) => cycle(t, c === 0)));
    }
    for (const t of daemons) await t.daemon.close(); // the shutdown checkpoint is forwarded too
    await waitFor('the aggregate to reach every source\'s last revision', () =>
      forwarders.every((f, i) => aggregator.log.lastSourceMain(f.source) === sourceLog(daemons[i]!.config.dataDir).lastMain));
    stop.abort();
    await Promise.all(runs);
    await aggregator.close();
  });

  after(async () => {
    stop.abort();
    for (const t of daemons) await t.daemon.close().catch(() => undefined);
    await nats?.stop();
  });

  it('holds, per source, exactly the source\'s live records (state hashes equal)', async () => {
    const rows = await aggregateRows(aggDir);
    assert.equal(rows.length, SOURCES);
    for (let i = 0; i < SOURCES; i++) {
      const row = rows.find((r) => r.source === forwarders[i]!.source);
      assert.ok(row !== undefined, `source ${i + 1} is listed`);
      assert.ok(row.live > 0);
      assert.equal(row.stateHash, await sourceHash(daemons[i]!.config.dataDir), `source ${i + 1}`);
      assert.equal(row.revision, sourceLog(daemons[i]!.config.dataDir).lastMain);
      assert.equal(row.conflicts, 0);
    }
  });

  it('the stream holds every event once, and every source commit was applied once, in order', async () => {
    const ids = await streamMsgIds(nats.url);
    const markers = aggregateMarkers(aggDir);
    let events = 0;
    for (let i = 0; i < SOURCES; i++) {
      const log = sourceLog(daemons[i]!.config.dataDir);
      events += log.ids.length;
      assertOnce(forwarders[i]!.source, log, ids, markers);
    }
    assert.equal(ids.length, events);
  });

  it('answers queries on the aggregate as on a single daemon: the union of the sources', async () => {
    const agg = await openQueryState(aggDir);
    try {
      const keys = listResources(agg, {}).map((r) => r.key);
      let expected: string[] = [];
      for (const t of daemons) {
        const s = await openQueryState(t.config.dataDir);
        expected = expected.concat(listResources(s, {}).map((r) => r.key));
        closeQueryState(s);
      }
      assert.deepEqual(keys, expected.sort());
    } finally {
      closeQueryState(agg);
    }
  });

  it('elava list on the aggregate shows each resource\'s source', async () => {
    let out = '';
    const code = await runQueryCommand('list', ['--data-dir', aggDir, '--json'], { stdout: (s) => (out += s), stderr: () => undefined });
    assert.equal(code, 0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { key: string; account: string; source: string });
    assert.ok(lines.length > 0);
    for (const line of lines) {
      const i = daemons.findIndex((t) => t.config.aws?.accounts[0]?.id === line.account || t.config.gcp?.projects[0] === line.account);
      assert.equal(line.source, forwarders[i]?.source, line.key);
    }
  });
});
