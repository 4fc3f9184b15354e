/**
 * `npm run bench -- fan-in`: fan-in through a real nats-server with JetStream (file store,
 * 127.0.0.1), at 1 k and 50 k events per cycle.
 *
 * - forwarder throughput: a source log of several cycles is written first, then a Forwarder
 *   publishes all of it until every event is acknowledged (events/s, with reading the log
 *   and the cursor writes included). Baseline in the same run: the same messages published
 *   straight to the stream with the same in-flight window, no log (what the server and the
 *   client allow on this machine).
 * - end-to-end lag: cycles committed to a source log at 10 k events/s (1 k events every
 *   100 ms, or 50 k every 5 s), `elava forward` as its own process beside the writer (as
 *   beside a daemon), the aggregator in this process; lag = from the source commit's time
 *   to its durable commit in the aggregator's log; p50, p99, max.
 * Targets (issue 13): the forwarder ≥ 100 k events/s; lag p99 ≤ 1 s at 10 k events/s.
 * `cycles` in a lag figure is how many of the `of` cycles reached the aggregator within
 * two minutes of the last commit: fewer means the pipeline did not keep up on this machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type PubAck } from 'nats';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Aggregator } from '../src/fanin/aggregator.js';
import { Forwarder, ensureStream } from '../src/fanin/forwarder.js';
import { sourceIdOf } from '../src/fanin/source-id.js';
import { encodeWire, msgIdOf, subjectOf } from '../src/fanin/wire.js';
import { FORWARD_IN_FLIGHT_MAX } from '../src/limits.js';
import type { ElavaEvent } from '../src/model/events.js';
import { Wal } from '../src/wal/wal.js';
import { startElava } from '../test/cli/elava-process.js';
import { startNatsServer, type NatsServer } from '../test/helpers/nats-server.js';
import { Report, percentile } from './report.js';

const STREAM = 'ELAVA';
const logger = pino({ level: 'silent' });

/** A ~350-byte appeared event with a full record, as a scan writes it. */
function event(cycle: number, i: number): ElavaEvent {
  const id = `i-${(cycle * 1_000_000 + i).toString(16).padStart(17, '0')}`;
  const key = `aws/123456789012/us-east-1/ec2.instance/${id}`;
  return {
    type: 'appeared', key,
    record: {
      key, provider: 'aws', account: '123456789012', region: 'us-east-1', type: 'ec2.instance', id,
      name: `web-${i % 1000}`, state: 'running', owner: 'platform',
      tags: { Name: `web-${i % 1000}`, Owner: 'platform', env: 'prod' },
      attrs: { instanceType: 'm5.large', availabilityZone: 'us-east-1a', vpcId: 'vpc-0a1b2c3d', privateIp: '10.0.1.23' },
    },
  };
}

function cycleEvents(cycle: number, n: number): ElavaEvent[] {
  const out: ElavaEvent[] = [];
  for (let i = 0; i < n; i++) out.push(event(cycle, i));
  return out;
}

async function writeCycles(dir: string, cycles: number, perCycle: number): Promise<number> {
  const wal = Wal.open({ dir, create: true });
  for (let c = 1; c <= cycles; c++) await wal.append({ main: wal.nextMain, timeMs: Date.now(), events: cycleEvents(c, perCycle) });
  await wal.close();
  return cycles * perCycle;
}

async function forwarderThroughput(report: Report, work: string, nats: NatsServer, perCycle: number, total: number): Promise<void> {
  const dir = path.join(work, `tp-${perCycle}`);
  const events = await writeCycles(dir, Math.max(1, Math.round(total / perCycle)), perCycle);
  const f = Forwarder.open({ dir, nats: { servers: [nats.url], stream: STREAM }, logger, registry: new Registry(), exitWhenCaughtUp: true });
  const started = performance.now();
  await f.run(new AbortController().signal);
  const seconds = (performance.now() - started) / 1000;
  report.add('forwarder throughput', { perCycle, events }, events / seconds, 'events/s');
  report.add('baseline: bare JetStream publish', { perCycle, events }, await barePublish(nats, perCycle, events), 'events/s');
}

/** The same messages, published straight from memory with the same window. */
async function barePublish(nats: NatsServer, perCycle: number, total: number): Promise<number> {
  const nc = await connect({ servers: nats.url });
  const js = nc.jetstream();
  const pending: Array<Promise<PubAck>> = [];
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const c = Math.floor(n / perCycle) + 1;
    const e = event(c + 1_000, n % perCycle);
    const data = encodeWire({ v: 1, source: 'baseline', main: c, sub: n % perCycle, count: perCycle, prev: c - 1, timeMs: 0, event: e });
    pending.push(js.publish(subjectOf('baseline', e), data, { msgID: msgIdOf(`bl${perCycle}`, c, n % perCycle) }));
    if (pending.length >= FORWARD_IN_FLIGHT_MAX) await pending.shift();
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  await nc.close();
  return total / seconds;
}

/** Each lag run on a server of its own: nothing of the throughput runs in its stream. */
async function endToEndLag(report: Report, work: string, perCycle: number, cycles: number): Promise<void> {
  const nats = await startNatsServer(path.join(work, `lag-nats-${perCycle}`));
  try {
    await lagRun(report, work, nats, perCycle, cycles);
  } finally {
    await nats.stop();
  }
}

async function lagRun(report: Report, work: string, nats: NatsServer, perCycle: number, cycles: number): Promise<void> {
  const src = path.join(work, `lag-src-${perCycle}`);
  const wal = Wal.open({ dir: src, create: true });
  const source = sourceIdOf(src); // created here; the forwarder process reads it
  const lagsMs: number[] = [];
  const agg = await Aggregator.open({
    dir: path.join(work, `lag-agg-${perCycle}`), nats: { servers: [nats.url], stream: STREAM }, durable: `lag${perCycle}`,
    logger, registry: new Registry(), create: true,
    onCommitted: (c) => {
      if (c.source === source) lagsMs.push(c.durableMs - c.sourceTimeMs);
    },
  });
  const stop = new AbortController();
  const running = agg.run(stop.signal);
  const forward = startElava(['forward', '--data-dir', src, '--nats-server', nats.url, '--log-level', 'warn']);
  const intervalMs = (perCycle / 10_000) * 1000; // 10 k events/s
  const started = performance.now();
  for (let c = 1; c <= cycles; c++) {
    await wal.append({ main: wal.nextMain, timeMs: Date.now(), events: cycleEvents(c, perCycle) });
    const nextMs = c * intervalMs - (performance.now() - started);
    if (nextMs > 0) await sleep(nextMs);
  }
  const deadline = Date.now() + 120_000;
  while (lagsMs.length < cycles && Date.now() < deadline) await sleep(50);
  forward.child.kill('SIGTERM');
  await forward.finished;
  stop.abort();
  await running;
  await agg.close();
  await wal.close();
  const sorted = [...lagsMs].sort((a, b) => a - b);
  const params = { perCycle, eventsPerSecond: 10_000, cycles: sorted.length, of: cycles };
  report.add('end-to-end lag p50', params, percentile(sorted, 50), 'ms');
  report.add('end-to-end lag p99', params, percentile(sorted, 99), 'ms');
  report.add('end-to-end lag max', params, sorted[sorted.length - 1] ?? NaN, 'ms');
}

export async function runFanInBench(args: string[]): Promise<void> {
  const report = new Report('fan-in', args.includes('--json'));
  const quick = args.includes('--quick');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-fanin-bench-'));
  const nats = await startNatsServer(work);
  try {
    const nc = await connect({ servers: nats.url });
    await ensureStream(nc, STREAM, true);
    await nc.close();
    for (const perCycle of [1_000, 50_000]) {
      await forwarderThroughput(report, work, nats, perCycle, quick ? 50_000 : 200_000);
      await endToEndLag(report, work, perCycle, perCycle === 1_000 ? (quick ? 30 : 150) : (quick ? 3 : 8));
    }
  } finally {
    await nats.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  report.finish();
}
