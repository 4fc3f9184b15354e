/**
 * `npm run bench -- fan-in`: fan-in through a real nats-server with JetStream (file store,
 * 127.0.0.1), at 1 k and 50 k events per cycle.
 *
 * - forwarder throughput: a source log of several cycles is written first, then a Forwarder
 *   publishes all of it until every event is acknowledged (events/s, with reading the log
 *   and the cursor writes included). Baselines in the same run, no log: the same messages
 *   encoded and published from memory through the forwarder's publish window (what the
 *   server and the publish path allow on this machine: the forwarder's ceiling), and
 *   through nats.js `js.publish` with the same number in flight (the path the forwarder
 *   used before the window; fewer events, it is slow).
 * - end-to-end lag: cycles committed to a source log at 10 k events/s (1 k events every
 *   100 ms, or 50 k every 5 s), `elava forward` as its own process beside the writer (as
 *   beside a daemon), the aggregator in this process; lag = from the source commit's time
 *   to its durable commit in the aggregator's log; p50, p99, max. One warm-up cycle first,
 *   not counted: it waits until the forwarder process is up and connected (its start-up,
 *   about a second, is a one-off, not a lag).
 * - CPU per event, of this process and of nats-server (from /proc), in the forwarder and
 *   the window runs, and the ceiling they set together: cores × 1 s / (both per event),
 *   the most events per second this machine could carry however the time were spread.
 * Every figure runs against a nats-server of its own (a fresh store and dedupe table).
 * Targets (issue 13): the forwarder ≥ 100 k events/s; lag p99 ≤ 1 s at 10 k events/s.
 * `cycles` in a lag figure is how many of the `of` cycles reached the aggregator within
 * two minutes of the last commit: fewer means the pipeline did not keep up on this machine.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type PubAck } from 'nats';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Aggregator } from '../src/fanin/aggregator.js';
import { Forwarder, ensureStream } from '../src/fanin/forwarder.js';
import { PublishWindow } from '../src/fanin/publish-window.js';
import { sourceIdOf } from '../src/fanin/source-id.js';
import { encodeWire, msgIdOf, subjectOf } from '../src/fanin/wire.js';
import { FORWARD_ACK_TIMEOUT_MS, FORWARD_IN_FLIGHT_MAX } from '../src/limits.js';
import { Wal } from '../src/wal/wal.js';
import { startElava } from '../test/cli/elava-process.js';
import { startNatsServer, type NatsServer } from '../test/helpers/nats-server.js';
import { fanInCycle, fanInEvent } from './fan-in-events.js';
import { Report, percentile } from './report.js';

const SOURCE_JS = path.join(path.dirname(new URL(import.meta.url).pathname), 'fan-in-source.js');

const STREAM = 'ELAVA';
const logger = pino({ level: 'silent' });
/** Events the js.publish baseline publishes at most (at a few thousand a second). */
const JS_PUBLISH_EVENTS_MAX = 20_000;

async function writeCycles(dir: string, cycles: number, perCycle: number): Promise<number> {
  const wal = Wal.open({ dir, create: true });
  for (let c = 1; c <= cycles; c++) await wal.append({ main: wal.nextMain, timeMs: Date.now(), events: fanInCycle(c, perCycle) });
  await wal.close();
  return cycles * perCycle;
}

/** Forwards the whole log in `dir`; seconds taken. */
async function forwardAll(dir: string, nats: NatsServer): Promise<number> {
  const f = Forwarder.open({ dir, nats: { servers: [nats.url], stream: STREAM }, logger, registry: new Registry(), exitWhenCaughtUp: true });
  const started = performance.now();
  await f.run(new AbortController().signal);
  return (performance.now() - started) / 1000;
}

/** Not reported: the first runs in a process pay for compiling the hot paths. */
async function warmUp(work: string, nats: NatsServer): Promise<void> {
  const dir = path.join(work, 'warm-up');
  await writeCycles(dir, 20, 1_000);
  await forwardAll(dir, nats);
  await windowPublish(nats, 1_000, 20_000, 'warm');
}

/** The forwarder and both baselines, each on a nats-server of its own. */
async function forwarderThroughput(report: Report, work: string, perCycle: number, total: number): Promise<void> {
  const dir = path.join(work, `tp-${perCycle}`);
  const events = await writeCycles(dir, Math.max(1, Math.round(total / perCycle)), perCycle);
  const at = (name: string): string => path.join(work, `tp-nats-${perCycle}-${name}`);
  let seconds = 0;
  let forwarderCpu: CpuPerEvent | null = null;
  await withNatsServer(at('forwarder'), async (nats) => {
    forwarderCpu = await cpuPerEvent(nats, events, async () => {
      seconds = await forwardAll(dir, nats);
    });
  });
  report.add('forwarder throughput', { perCycle, events }, events / seconds, 'events/s');
  let windowRate = 0;
  let windowCpu: CpuPerEvent | null = null;
  await withNatsServer(at('window'), async (nats) => {
    windowCpu = await cpuPerEvent(nats, events, async () => {
      windowRate = await windowPublish(nats, perCycle, events);
    });
  });
  report.add('baseline: publish window from memory', { perCycle, events }, windowRate, 'events/s');
  for (const [name, cpu] of [['forwarder', forwarderCpu], ['publish window from memory', windowCpu]] as const) {
    if (cpu === null) continue;
    const { publisherUs, serverUs } = cpu as CpuPerEvent;
    report.add(`CPU per event: ${name} (this process)`, { perCycle, events }, publisherUs, 'µs');
    report.add(`CPU per event: nats-server, under the ${name}`, { perCycle, events }, serverUs, 'µs');
    // Both processes' CPU for one event, spread over every core of the machine at best:
    // the most events per second they could carry here together, whatever the code did.
    report.add(`ceiling on ${os.cpus().length} cores: ${name} + nats-server`, { perCycle, events }, (os.cpus().length * 1e6) / (publisherUs + serverUs), 'events/s');
  }
  const jsEvents = Math.min(events, JS_PUBLISH_EVENTS_MAX);
  let jsRate = 0;
  await withNatsServer(at('js'), async (nats) => {
    jsRate = await jsPublish(nats, perCycle, jsEvents);
  });
  report.add('baseline: nats.js js.publish from memory', { perCycle, events: jsEvents }, jsRate, 'events/s');
}

interface CpuPerEvent {
  /** CPU time of this process (user + system, all its threads) per event. */
  publisherUs: number;
  /** CPU time of the nats-server process per event. */
  serverUs: number;
}

/** CPU time per event of this process and of the server while `run` publishes `events`. */
async function cpuPerEvent(nats: NatsServer, events: number, run: () => Promise<void>): Promise<CpuPerEvent | null> {
  const serverBefore = processCpuSeconds(nats.pid);
  const own = process.cpuUsage();
  await run();
  const ownUs = process.cpuUsage(own);
  const serverAfter = processCpuSeconds(nats.pid);
  if (serverBefore === null || serverAfter === null) return null;
  return { publisherUs: (ownUs.user + ownUs.system) / events, serverUs: ((serverAfter - serverBefore) * 1e6) / events };
}

/** A process's CPU seconds so far (user + system) from /proc; null where that is not readable. */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
  } catch {
    return null;
  }
}

let ticks: number | null = null;

/** The kernel's clock ticks per second (utime/stime unit), from getconf; 100 if unknown. */
function clockTicksPerSecond(): number {
  if (ticks === null) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** Message n of a baseline run: what the forwarder would publish for it. */
function baselineMessage(tag: string, perCycle: number, n: number): { subject: string; data: Uint8Array; msgId: string } {
  const c = Math.floor(n / perCycle) + 1;
  const sub = n % perCycle;
  const e = fanInEvent(c + 1_000, sub);
  const data = encodeWire({ v: 1, source: tag, main: c, sub, count: perCycle, prev: c - 1, timeMs: 0, event: e });
  return { subject: subjectOf(tag, e), data, msgId: msgIdOf(tag, c, sub) };
}

/** The forwarder's publish path (same window, same refill) without the log. */
async function windowPublish(nats: NatsServer, perCycle: number, total: number, tag = `win${perCycle}`): Promise<number> {
  const nc = await connect({ servers: nats.url });
  const window = new PublishWindow(nc, { stream: STREAM, capacity: FORWARD_IN_FLIGHT_MAX, timeoutMs: FORWARD_ACK_TIMEOUT_MS, onAck: () => undefined });
  const started = performance.now();
  try {
    for (let n = 0; n < total; n++) {
      if (window.inFlight >= FORWARD_IN_FLIGHT_MAX) await window.untilInFlightAtMost(FORWARD_IN_FLIGHT_MAX >> 1);
      const m = baselineMessage(tag, perCycle, n);
      window.publish(m.subject, m.data, m.msgId);
    }
    await window.untilInFlightAtMost(0);
    return total / ((performance.now() - started) / 1000);
  } finally {
    window.close();
    await nc.close();
  }
}

/** nats.js js.publish, awaiting the oldest once the same number is in flight. */
async function jsPublish(nats: NatsServer, perCycle: number, total: number): Promise<number> {
  const nc = await connect({ servers: nats.url });
  const js = nc.jetstream();
  const tag = `js${perCycle}`;
  const pending: Array<Promise<PubAck>> = [];
  let head = 0;
  const started = performance.now();
  try {
    for (let n = 0; n < total; n++) {
      const m = baselineMessage(tag, perCycle, n);
      pending.push(js.publish(m.subject, m.data, { msgID: m.msgId }));
      if (pending.length - head >= FORWARD_IN_FLIGHT_MAX) await pending[head++];
    }
    await Promise.all(pending);
    return total / ((performance.now() - started) / 1000);
  } finally {
    await nc.close();
  }
}

/** Each lag run on a server of its own: nothing of another run in its stream. */
async function endToEndLag(report: Report, work: string, perCycle: number, cycles: number): Promise<void> {
  await withNatsServer(path.join(work, `lag-nats-${perCycle}`), (nats) => lagRun(report, work, nats, perCycle, cycles));
}

/** Runs `fn` against a nats-server of its own with the stream created: no figure pays for another's messages. */
async function withNatsServer(dir: string, fn: (nats: NatsServer) => Promise<void>): Promise<void> {
  const nats = await startNatsServer(dir);
  try {
    const nc = await connect({ servers: nats.url });
    await ensureStream(nc, STREAM, true);
    await nc.close();
    await fn(nats);
  } finally {
    await nats.stop();
  }
}

async function lagRun(report: Report, work: string, nats: NatsServer, perCycle: number, cycles: number): Promise<void> {
  const src = path.join(work, `lag-src-${perCycle}`);
  const intervalMs = (perCycle / 10_000) * 1000; // 10 k events/s
  const writer = spawn(process.execPath, [SOURCE_JS, src, String(perCycle), String(cycles), String(intervalMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => writer.on('exit', (code) => resolve(code)));
  await lineFrom(writer, 'warm');
  const source = sourceIdOf(src); // created here, before the forwarder process reads it
  const lagsMs: number[] = [];
  let warm = false;
  const agg = await Aggregator.open({
    dir: path.join(work, `lag-agg-${perCycle}`), nats: { servers: [nats.url], stream: STREAM }, durable: `lag${perCycle}`,
    logger, registry: new Registry(), create: true,
    onCommitted: (c) => {
      if (c.source !== source) return;
      if (c.sourceMain === 1) warm = true;
      else lagsMs.push(c.durableMs - c.sourceTimeMs);
    },
  });
  const stop = new AbortController();
  const running = agg.run(stop.signal);
  const forward = startElava(['forward', '--data-dir', src, '--nats-server', nats.url, '--log-level', 'warn']);
  const warmDeadline = Date.now() + 60_000;
  while (!warm && Date.now() < warmDeadline) await sleep(20);
  writer.stdin!.end('go\n');
  await exited;
  const deadline = Date.now() + 120_000;
  while (lagsMs.length < cycles && Date.now() < deadline) await sleep(50);
  forward.child.kill('SIGTERM');
  await forward.finished;
  stop.abort();
  await running;
  await agg.close();
  const sorted = [...lagsMs].sort((a, b) => a - b);
  const params = { perCycle, eventsPerSecond: 10_000, cycles: sorted.length, of: cycles };
  report.add('end-to-end lag p50', params, percentile(sorted, 50), 'ms');
  report.add('end-to-end lag p99', params, percentile(sorted, 99), 'ms');
  report.add('end-to-end lag max', params, sorted[sorted.length - 1] ?? NaN, 'ms');
}

/** Resolves once the child prints `line` on stdout (its output keeps flowing after). */
function lineFrom(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.split('\n').includes(line)) resolve();
    });
    child.once('exit', () => reject(new Error(`the source process ended without printing ${line}`)));
  });
}

export async function runFanInBench(args: string[]): Promise<void> {
  const report = new Report('fan-in', args.includes('--json'));
  const quick = args.includes('--quick');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-fanin-bench-'));
  try {
    await withNatsServer(path.join(work, 'warm-up-nats'), (nats) => warmUp(work, nats));
    for (const perCycle of [1_000, 50_000]) {
      const total = quick ? 50_000 : 200_000;
      await forwarderThroughput(report, work, perCycle, total);
      await endToEndLag(report, work, perCycle, perCycle === 1_000 ? (quick ? 30 : 150) : (quick ? 3 : 8));
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  report.finish();
}
