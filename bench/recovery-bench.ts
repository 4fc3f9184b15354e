/**
 * `npm run bench -- recovery [--json] [--quick] [--events N] [--resources N]`: time to a
 * ready state (projections rebuilt) from a log on this machine's disk, by full replay and
 * from a recent checkpoint plus a short tail. The target size is 1 M resources and
 * 10 M events (~3 GB of log); the default here is 2 M events over 200 k resources so the
 * run fits in ~10 minutes on a small machine: pass --events/--resources for the full size.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stateHash } from '../src/projection/state-hash.js';
import { recoverState } from '../src/store/recover.js';
import { takeCheckpoint } from '../src/store/take-checkpoint.js';
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

    const full = recoverState(dir);
    report.add('full replay: time to ready', params, full.stats.ms, 'ms');
    report.add('full replay', params, full.stats.eventsReplayed / (full.stats.ms / 1000), 'events/s');
    report.add('full replay', params, logBytes / 2 ** 20 / (full.stats.ms / 1000), 'MiB/s');

    const wal = Wal.open({ dir });
    const info = await takeCheckpoint(wal, full.projections, dir);
    await wal.close();
    report.add('checkpoint write', params, info.ms, 'ms');
    report.add('checkpoint size', params, info.bodyBytes / 2 ** 20, 'MiB');
    await writeLog(dir, TAIL_EVENTS, resources, events);

    const fast = recoverState(dir);
    report.add('checkpoint + tail: time to ready', { ...params, tail: TAIL_EVENTS }, fast.stats.ms, 'ms');
    report.add('heap used after recovery', params, process.memoryUsage().heapUsed / 2 ** 20, 'MiB');
    report.add('rss after recovery', params, process.memoryUsage().rss / 2 ** 20, 'MiB');
    const check = recoverState(dir, { readOnly: true });
    if (stateHash(check.projections) !== stateHash(fast.projections)) throw new Error('recovery is not deterministic');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report.finish();
}
