/**
 * `npm run bench -- index [--json] [--quick] [--keys N] [--revisions N]`: the key index
 * in memory (put/get/since ops/s), the memory the projections hold per live resource and
 * per historical revision (RSS and heap, after a forced GC; RSS again after the daemon's
 * heap settling, src/daemon/heap-settle.ts), and the history of one key
 * with 1 000 revisions read back from the log on disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { settleHeap } from '../src/daemon/heap-settle.js';
import { TreeIndex } from '../src/mvcc/tree-index.js';
import { PayloadDecoder, PayloadEncoder } from '../src/wal/codec.js';
import type { LogEvent } from '../src/wal/types.js';
import { builtInProjections } from '../src/projection/builtins.js';
import { KeyIndexProjection } from '../src/projection/key-index-projection.js';
import type { ElavaEvent } from '../src/model/events.js';
import { Store } from '../src/store/store.js';
import { EventSource } from '../src/store/event-source.js';
import { benchEvent, benchLogEvent, numberFlag } from './bench-events.js';
import { Report, median } from './report.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const SETTLED_UNMAP_WAIT_MS = 1500;

/** After three forced (plain) full GCs: RSS, the heap's live bytes, and what V8 keeps committed. */
export function memory(): { rss: number; heap: number; committed: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, committed: m.heapTotal };
}

function opsPerSecond(n: number, run: () => void): number {
  const t0 = performance.now();
  run();
  return n / ((performance.now() - t0) / 1000);
}

function indexOps(report: Report, keys: number): void {
  const index = new TreeIndex();
  const names: string[] = [];
  for (let i = 0; i < keys; i++) names.push(`aws/123456789012/us-east-1/ec2.instance/i-${(0x1000000 + i).toString(16)}`);
  const loc = { segment: '0000000000000000-0000000000000001.wal', offsetBytes: 64 };
  report.add('put (new keys)', { keys }, opsPerSecond(keys, () => names.forEach((k, i) => index.put(k, { main: 1 + (i >> 10), sub: i & 1023 }, loc))), 'ops/s');
  const base = index.currentMain + 1;
  report.add('put (new revision)', { keys }, opsPerSecond(keys, () => names.forEach((k, i) => index.put(k, { main: base + (i >> 10), sub: i & 1023 }, loc))), 'ops/s');
  let found = 0;
  report.add('get (current)', { keys }, opsPerSecond(keys, () => { for (let i = 0; i < keys; i++) if (index.get(names[(i * 7919) % keys]!) !== undefined) found++; }), 'ops/s');
  report.add('get (at an older revision)', { keys }, opsPerSecond(keys, () => { for (let i = 0; i < keys; i++) if (index.get(names[(i * 7919) % keys]!, base - 1) !== undefined) found++; }), 'ops/s');
  report.add('since', { keys }, opsPerSecond(keys, () => { for (let i = 0; i < keys; i++) found += index.since(names[(i * 7919) % keys]!, 1).length; }), 'ops/s');
  if (found === 0) throw new Error('nothing found');
}

/**
 * Each event goes through the log's payload codec first: a daemon's projections hold
 * records decoded from the log (or parsed from a cloud's answer), each string its own copy,
 * not the string constants a literal in this file would share.
 */
export async function memoryPerResource(report: Report, keys: number, revisions: number): Promise<void> {
  const beforeSettled = await settled(); // the baseline compacted too, as the figures after it are
  const before = memory();
  const projections = builtInProjections();
  const perCommit = 10_000;
  const encoder = new PayloadEncoder();
  const decoder = new PayloadDecoder();
  let known = 0;
  const decoded = (i: number): LogEvent => {
    const event = benchLogEvent(i, keys, perCommit);
    const bytes = encoder.encode(event.payload);
    if (encoder.structureCount > known) {
      known = encoder.structureCount;
      decoder.useStructures(encoder.structures);
    }
    return { ...event, payload: decoder.decode(bytes) };
  };
  for (let i = 0; i < keys; i++) {
    const event = decoded(i);
    for (const p of projections) p.apply(event);
  }
  const live = memory();
  const liveSettled = await settled();
  for (let i = keys; i < keys + revisions; i++) {
    const event = decoded(i);
    for (const p of projections) p.apply(event);
  }
  const history = memory();
  const historySettled = await settled();
  report.add('rss per live resource (all projections)', { keys }, (live.rss - before.rss) / keys, 'B');
  report.add('rss per live resource, heap settled (as the daemon does)', { keys }, (liveSettled.rss - beforeSettled.rss) / keys, 'B');
  report.add('heap per live resource (all projections)', { keys }, (live.heap - before.heap) / keys, 'B');
  report.add('rss per historical revision', { keys, revisions }, (history.rss - liveSettled.rss) / revisions, 'B');
  report.add('rss per historical revision, heap settled', { keys, revisions }, (historySettled.rss - liveSettled.rss) / revisions, 'B');
  report.add('heap per historical revision', { keys, revisions }, (history.heap - live.heap) / revisions, 'B');
  if (projections.length === 0) throw new Error('unreachable'); // keeps the projections alive until here
}

/**
 * Memory after the daemon's heap settling (src/daemon/heap-settle.ts: due here, since at
 * least as many events as live resources were applied), once the freed pages are unmapped
 * (V8 does that in the background, within a second).
 */
export async function settled(): Promise<{ rss: number; heap: number; committed: number; ms: number }> {
  const { ms } = settleHeap();
  await new Promise((resolve) => setTimeout(resolve, SETTLED_UNMAP_WAIT_MS));
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, committed: m.heapTotal, ms };
}

async function historyReadBack(report: Report): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-bench-index-'));
  try {
    const store = await Store.open(dir, { create: true });
    for (let c = 0; c < 1000; c++) {
      const events = [benchEvent(c === 0 ? 0 : 1 + c, 1)];
      for (let o = 1; o < 50; o++) events.push(benchEvent(c * 50 + o + 1_000_000, 10_000_000));
      events.sort((a, b) => String(a['key']).localeCompare(String(b['key'])));
      await store.commit(events as unknown as ElavaEvent[], c);
    }
    const ki = store.projections.find((p): p is KeyIndexProjection => p instanceof KeyIndexProjection)!;
    const key = String(benchEvent(0, 1)['key']);
    const source = new EventSource(dir, store.structures, []);
    const samples: number[] = [];
    for (let run = 0; run < 5; run++) {
      const t0 = performance.now();
      const history = ki.index.keyIndex(key)!.history();
      for (const r of history) source.readRevision(key, r);
      samples.push(performance.now() - t0);
      if (history.length !== 1000) throw new Error(`expected 1000 revisions, got ${history.length}`);
    }
    source.close();
    await store.close();
    report.add('history of one key read back from the log', { revisions: 1000 }, median(samples), 'ms');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runIndexBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const keys = numberFlag(args, '--keys', quick ? 100_000 : 1_000_000);
  const revisions = numberFlag(args, '--revisions', quick ? 200_000 : 2_000_000);
  const report = new Report('index', args.includes('--json'));
  indexOps(report, keys);
  await memoryPerResource(report, keys, revisions);
  await historyReadBack(report);
  report.finish();
}
