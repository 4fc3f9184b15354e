/**
 * `npm run bench -- recovery [--json] [--quick] [--events N] [--resources N]`: time to a
 * ready state (projections rebuilt) from a log on this machine's disk, by full replay and
 * from a recent checkpoint plus a short tail. The target size is 1 M resources and
 * 10 M events (~3 GB of log); the default here is 2 M events over 200 k resources so the
 * run fits in ~10 minutes on a small machine: pass --events/--resources for the full size.
 * Recovery is the writer's Store.open (one read of the log: verify + replay). While it
 * runs, the event loop's longest stall is measured: /healthz answers within about that.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Store } from '../src/store/store.js';
import { Wal } from '../src/wal/wal.js';
import { benchEvent, numberFlag } from './bench-events.js';
import { Report } from './report.js';

const EVENTS_PER_COMMIT = 10_000;
const TAIL_EVENTS = 20_000;

async function writeLog(dir: string, events: number, resources: number, first = 0): Promise<number> {
  const wal = Wal.open({ dir, create: true });
  let bytes = 0;
  for (let i = first; i < first + events; ) {
    const batch: Record<string, unknown>[] = [];
    for (let s = 0; s < EVENTS_PER_COMMIT && i < first + events; s++, i++) batch.push(benchEvent(i, resources));
    await wal.append({ main: wal.nextMain, timeMs: 1_790_000_000_000 + i, events: batch });
  }
  bytes = wal.stats().bytesAppended;
  await wal.close();
  return bytes;
}

export async function runRecoveryBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const events = numberFlag(args, '--events', quick ? 200_000 : 2_000_000);
  const resources = numberFlag(args, '--resources', quick ? 20_000 : 200_000);
  const report = new Report('recovery', args.includes('--json'));
  const params = { events, resources };
  if (!args.includes('--json')) console.log(`# sizes run: ${events.toLocaleString('en-US')} events over ${resources.toLocaleString('en-US')} resources (target of the issue: 10,000,000 over 1,000,000)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-bench-recovery-'));
  try {
    const logBytes = await writeLog(dir, events, resources);
    report.add('log size', params, logBytes / 2 ** 20, 'MiB');

    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const full = await Store.open(dir);
    loop.disable();
    const stats = full.recovery;
    report.add('full replay: time to ready', params, stats.ms, 'ms');
    report.add('full replay', params, stats.eventsReplayed / (stats.ms / 1000), 'events/s');
    report.add('full replay', params, logBytes / 2 ** 20 / (stats.ms / 1000), 'MiB/s');
    report.add('event-loop stall during replay: max', params, loop.max / 1e6, 'ms');
    report.add('event-loop stall during replay: p99', params, loop.percentile(99) / 1e6, 'ms');

    const info = await full.checkpoint('demand');
    const fullHash = full.hash();
    await full.close();
    report.add('checkpoint write', params, info.ms, 'ms');
    report.add('checkpoint size', params, info.bodyBytes / 2 ** 20, 'MiB');
    await writeLog(dir, TAIL_EVENTS, resources, events);

    const fast = await Store.open(dir);
    report.add('checkpoint + tail: time to ready', { ...params, tail: TAIL_EVENTS }, fast.recovery.ms, 'ms');
    report.add('heap used after recovery', params, process.memoryUsage().heapUsed / 2 ** 20, 'MiB');
    report.add('rss after recovery', params, process.memoryUsage().rss / 2 ** 20, 'MiB');
    const fastHash = fast.hash();
    await fast.close();
    const check = await Store.open(dir, { readOnly: true });
    if (check.hash() !== fastHash) throw new Error('recovery is not deterministic');
    if (fullHash === fastHash) throw new Error('the tail changed nothing: the bench wrote no tail');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report.finish();
}
