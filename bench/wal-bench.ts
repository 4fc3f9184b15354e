/**
 * `npm run bench -- wal [--json] [--quick]`: durable append (batch 1/100/10 000, 8
 * concurrent appenders, batch 1 across segment roll-overs), raw fdatasync baseline on a
 * preallocated file, and replay with CRC and decode, all with ~300-byte change events, on
 * this machine's disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Wal } from '../src/wal/wal.js';
import { readLog } from '../src/wal/reader.js';
import type { Commit } from '../src/wal/types.js';
import { Report, median, percentile } from './report.js';
import { sampleChangeEvent } from './sample-event.js';

const MB = 1e6;

function nowSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

function freshDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'elava-bench-wal-'));
}

/** fdatasync after a 4 KiB overwrite of an already zero-filled file: the floor for batch 1. */
function rawFsyncSeconds(iterations: number): number[] {
  const dir = freshDir();
  const file = path.join(dir, 'raw');
  const size = iterations * 4096;
  fs.writeFileSync(file, Buffer.alloc(size));
  const fd = fs.openSync(file, 'r+');
  fs.fdatasyncSync(fd);
  const block = Buffer.alloc(4096, 7);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    fs.writeSync(fd, block, 0, 4096, i * 4096);
    const t0 = nowSeconds();
    fs.fdatasyncSync(fd);
    samples.push(nowSeconds() - t0);
  }
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true });
  return samples.sort((a, b) => a - b);
}

function makeCommits(count: number, batch: number, firstMain: number): Commit[] {
  const commits: Commit[] = [];
  for (let c = 0; c < count; c++) {
    const events = [];
    for (let s = 0; s < batch; s++) events.push(sampleChangeEvent(c * batch + s));
    commits.push({ main: firstMain + c, timeMs: 1_790_000_000_000 + c, events });
  }
  return commits;
}

async function appendSequential(report: Report, batch: number, commits: number): Promise<void> {
  const dir = freshDir();
  const wal = Wal.open({ dir, create: true });
  const work = makeCommits(commits, batch, 1);
  await new Promise((r) => setTimeout(r, 100)); // let the next segment be prepared first
  const latencies: number[] = [];
  const t0 = nowSeconds();
  for (const c of work) {
    const s = nowSeconds();
    await wal.append(c);
    latencies.push(nowSeconds() - s);
  }
  const elapsed = nowSeconds() - t0;
  const bytes = wal.stats().bytesAppended;
  await wal.close();
  fs.rmSync(dir, { recursive: true });
  report.add('durable append', { batch }, (commits * batch) / elapsed, 'events/s');
  report.add('durable append', { batch }, bytes / MB / elapsed, 'MB/s');
  if (batch === 1) {
    latencies.sort((a, b) => a - b);
    report.add('commit latency p50', { batch }, percentile(latencies, 50) * 1e6, 'µs');
    report.add('commit latency p99', { batch }, percentile(latencies, 99) * 1e6, 'µs');
  }
}

/**
 * Batch-1 commits over a run that crosses several roll-overs of 1 MiB segments, with one
 * event-loop turn between commits (as the daemon's cycles have): the next segment is filled
 * and synced in the background, so p99 should stay near p50 (target p99 ≤ 3 × p50).
 */
async function appendAcrossRollOvers(report: Report, rollOvers: number): Promise<void> {
  const dir = freshDir();
  const wal = Wal.open({ dir, create: true, segmentSizeBytes: 1024 * 1024 });
  const latencies: number[] = [];
  let rollLatencyMaxSeconds = 0;
  for (let main = 1; wal.stats().segments <= rollOvers; main++) {
    await new Promise<void>((r) => setImmediate(r));
    const segments = wal.stats().segments;
    const s = nowSeconds();
    await wal.append({ main, timeMs: main, events: [sampleChangeEvent(main)] });
    const seconds = nowSeconds() - s;
    latencies.push(seconds);
    if (wal.stats().segments > segments) rollLatencyMaxSeconds = Math.max(rollLatencyMaxSeconds, seconds);
  }
  const prepared = wal.prepareFsyncHistogram.count;
  await wal.close();
  fs.rmSync(dir, { recursive: true });
  latencies.sort((a, b) => a - b);
  const params = { batch: 1, rollOvers, segmentBytes: 1024 * 1024 };
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  report.add('commit latency p50 across roll-overs', params, p50 * 1e6, 'µs');
  report.add('commit latency p99 across roll-overs', params, p99 * 1e6, 'µs');
  report.add('roll-over commit latency max', params, rollLatencyMaxSeconds * 1e6, 'µs');
  report.add('p99 / p50 across roll-overs (target ≤ 3)', params, p99 / p50, 'ratio');
  report.add('next segments synced in the background', params, prepared, 'files');
}

async function appendConcurrent(report: Report, appenders: number, commitsEach: number): Promise<void> {
  const dir = freshDir();
  const wal = Wal.open({ dir, create: true });
  await new Promise((r) => setTimeout(r, 100));
  let next = 1;
  const t0 = nowSeconds();
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      for (let i = 0; i < commitsEach; i++) {
        const main = next++;
        await wal.append({ main, timeMs: main, events: [sampleChangeEvent(main)] });
      }
    }),
  );
  const elapsed = nowSeconds() - t0;
  const fsyncs = wal.fsyncHistogram.count;
  await wal.close();
  fs.rmSync(dir, { recursive: true });
  report.add('group commit', { appenders, batch: 1 }, (appenders * commitsEach) / elapsed, 'commits/s');
  report.add('group commit', { appenders, batch: 1 }, (appenders * commitsEach) / fsyncs, 'commits/fdatasync');
}

async function replay(report: Report, events: number): Promise<void> {
  const dir = freshDir();
  const wal = Wal.open({ dir, create: true });
  const batch = 10_000;
  for (let c = 0; c < events / batch; c++) await wal.append(makeCommits(1, batch, c + 1)[0]!);
  const bytes = wal.stats().bytesAppended;
  await wal.close();
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    let n = 0;
    const t0 = nowSeconds();
    for (const e of readLog(dir)) if (e.kind === 'event') n++;
    runs.push(nowSeconds() - t0);
    if (n !== events) throw new Error(`replay read ${n} events, expected ${events}`);
  }
  fs.rmSync(dir, { recursive: true });
  const seconds = median(runs);
  report.add('replay (CRC + decode, page cache)', { events }, events / seconds, 'events/s');
  report.add('replay (CRC + decode, page cache)', { events }, bytes / MB / seconds, 'MB/s');
}

export async function runWalBench(args: string[]): Promise<void> {
  const report = new Report('wal', args.includes('--json'));
  const quick = args.includes('--quick');
  const raw = rawFsyncSeconds(quick ? 300 : 2000);
  const rawP50 = percentile(raw, 50);
  report.add('raw fdatasync p50 (4 KiB, preallocated)', {}, rawP50 * 1e6, 'µs');
  report.add('raw fdatasync p99 (4 KiB, preallocated)', {}, percentile(raw, 99) * 1e6, 'µs');
  await appendSequential(report, 1, quick ? 300 : 2000);
  await appendSequential(report, 100, quick ? 50 : 300);
  await appendSequential(report, 10_000, quick ? 5 : 30);
  await appendConcurrent(report, 8, quick ? 100 : 500);
  await appendAcrossRollOvers(report, quick ? 3 : 8);
  await replay(report, quick ? 100_000 : 1_000_000);
  const figures = report.finish();
  const p50 = figures.find((f) => f.name === 'commit latency p50')!.value;
  const ratio = p50 / (rawP50 * 1e6);
  if (args.includes('--json')) console.log(JSON.stringify({ bench: 'wal', name: 'batch-1 p50 / raw fdatasync p50', params: {}, value: Number(ratio.toFixed(3)), unit: 'ratio' }));
  else console.log(`batch-1 commit p50 / raw fdatasync p50 = ${ratio.toFixed(3)} (target ≤ 1.25)`);
}
