/**
 * `npm run bench -- waste [--json] [--quick] [--instances N]`: the waste report on a log on
 * this machine's disk. The log: N EC2 instances appear, then over 100 daily cycles half of
 * them disappear (each launched from one of N/100 images); N/2 snapshots (a quarter of them
 * of volumes that never existed), N/20 Elastic IPs, N/20 RDS snapshots live throughout.
 *
 * Measured: the whole report (median of 3) with the images present — the unused-image rule
 * reads the last record of every instance that went away from disk — and, as the
 * baseline in the same run, the report on the same log with no image unused (so that walk
 * does not happen). Default N = 20 000 (--quick: 2 000).
 */
import { closeQueryState, openQueryState } from '../src/query/query-state.js';
import { wasteReport } from '../src/query/waste.js';
import type { ElavaEvent } from '../src/model/events.js';
import type { ResourceRecord, ResourceType, AttrValue } from '../src/model/resource.js';
import { Wal } from '../src/wal/wal.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { numberFlag } from './bench-events.js';
import { median, Report } from './report.js';

const T0_MS = Date.parse('2026-01-01T00:00:00Z');
const DAY_MS = 86_400_000;
const PER_COMMIT = 10_000;

function rec(type: ResourceType, id: string, state: string, attrs: Record<string, AttrValue>): ResourceRecord {
  const key = `aws/123456789012/us-east-1/${type}/${id}`;
  return { key, provider: 'aws', account: '123456789012', region: 'us-east-1', type, id, name: null, state, owner: null, tags: {}, attrs };
}

async function writeLog(dir: string, n: number, imagesUsedByLive: boolean): Promise<void> {
  const wal = Wal.open({ dir, create: true });
  const images = Math.max(1, Math.floor(n / 100));
  const first: ElavaEvent[] = [];
  for (let i = 0; i < n; i++) {
    // even instances go away; live (odd) ones use the images too only in the baseline
    const image = i % 2 === 1 && !imagesUsedByLive ? 'ami-live' : `ami-${Math.floor(i / 2) % images}`;
    first.push({ type: 'appeared', key: '', record: rec('ec2.instance', `i-${i}`, 'running', { imageId: image }) });
  }
  for (let i = 0; i < images; i++) first.push({ type: 'appeared', key: '', record: rec('ec2.image', `ami-${i}`, 'available', { snapshotIds: [], snapshotSizeGiB: 8, creationDate: '2025-01-01T00:00:00.000Z' }) });
  for (let i = 0; i < n / 2; i++) first.push({ type: 'appeared', key: '', record: rec('ec2.snapshot', `snap-${i}`, 'completed', { volumeId: i % 4 === 0 ? `vol-gone-${i}` : `vol-${i}`, sizeGiB: 20, startTime: '2025-06-01T00:00:00.000Z' }) });
  for (let i = 0; i < n / 20; i++) first.push({ type: 'appeared', key: '', record: rec('ec2.address', `eipalloc-${i}`, 'unassociated', { instanceId: null }) });
  for (let i = 0; i < n / 20; i++) first.push({ type: 'appeared', key: '', record: rec('rds.snapshot', `s-${i}`, 'available', { source: `db-${i}`, sourceKind: 'db', sizeGiB: 50, createTime: '2025-06-01T00:00:00.000Z' }) });
  for (const e of first) if (e.type === 'appeared') e.key = e.record.key;
  first.sort((a, b) => ('key' in a && 'key' in b ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : 0));
  for (let i = 0; i < first.length; i += PER_COMMIT) {
    await wal.append({ main: wal.nextMain, timeMs: T0_MS, events: first.slice(i, i + PER_COMMIT) });
  }
  const perDay = Math.ceil(n / 2 / 100);
  for (let day = 1, next = 0; day <= 100; day++) {
    const gone: ElavaEvent[] = [];
    for (let k = 0; k < perDay && next < n; k++, next += 2) gone.push({ type: 'disappeared', key: `aws/123456789012/us-east-1/ec2.instance/i-${next}` });
    gone.sort((a, b) => ('key' in a && 'key' in b ? (a.key < b.key ? -1 : 1) : 0));
    if (gone.length > 0) await wal.append({ main: wal.nextMain, timeMs: T0_MS + day * DAY_MS, events: gone });
  }
  await wal.close();
}

async function timeReport(dir: string): Promise<{ ms: number; unusedImages: number }> {
  const state = await openQueryState(dir);
  try {
    const times: number[] = [];
    let unused = 0;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const w = wasteReport(state, { stoppedDays: 30, idleDays: 30, nowMs: T0_MS + 200 * DAY_MS });
      times.push(performance.now() - start);
      unused = w.unusedImages.length;
    }
    return { ms: median(times), unusedImages: unused };
  } finally {
    closeQueryState(state);
  }
}

export async function runWasteBench(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const n = numberFlag(args, '--instances', args.includes('--quick') ? 2_000 : 20_000);
  const report = new Report('waste', json);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-waste-bench-'));
  try {
    const withHistory = path.join(root, 'history');
    await writeLog(withHistory, n, false);
    const baseline = path.join(root, 'baseline');
    // baseline: the same log but every image in use by a live instance
    await writeLog(baseline, n, true);
    const a = await timeReport(withHistory);
    report.add('report, unused images from instance history', { instances: n, unusedImages: a.unusedImages }, a.ms, 'ms');
    const b = await timeReport(baseline);
    report.add('baseline: same log, no image to look up', { instances: n, unusedImages: b.unusedImages }, b.ms, 'ms');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    report.finish();
  }
}
