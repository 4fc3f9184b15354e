/**
 * The lag benchmark's source daemon stand-in, a process of its own (as a daemon is beside
 * its forwarder and far from the aggregator): makes every cycle's events first, commits
 * one warm-up commit and prints `warm`, waits for `go` on stdin, then commits CYCLES
 * cycles of PER_CYCLE events every INTERVAL_MS (each commit's time is when its append
 * started), prints `done` and exits.
 * argv: DIR PER_CYCLE CYCLES INTERVAL_MS
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Wal } from '../src/wal/wal.js';
import { fanInCycle } from './fan-in-events.js';

const [dir, perCycleArg, cyclesArg, intervalArg] = process.argv.slice(2);
const perCycle = Number(perCycleArg);
const cycles = Number(cyclesArg);
const intervalMs = Number(intervalArg);
const batches = Array.from({ length: cycles }, (_, c) => fanInCycle(c + 1, perCycle));
const wal = Wal.open({ dir: dir!, create: true });
await wal.append({ timeMs: Date.now(), events: fanInCycle(0, 100) });
process.stdout.write('warm\n');
process.stdin.setEncoding('utf8');
let input = '';
while (!input.includes('go\n')) input += String((await once(process.stdin, 'data'))[0]);
const started = performance.now();
for (let c = 1; c <= cycles; c++) {
  await wal.append({ timeMs: Date.now(), events: batches[c - 1]! });
  const nextMs = c * intervalMs - (performance.now() - started);
  if (nextMs > 0) await sleep(nextMs);
}
await wal.close();
process.stdout.write('done\n');
