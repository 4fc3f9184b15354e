/**
 * `npm run bench -- scan-e2e [--json] [--quick] [--resources N]`: one full scan cycle of a
 * SIMULATED cloud of N resources (default 100 000) through the real AWS and Google SDK
 * clients, then change detection and the durable commit, with the time split by stage.
 * The simulator serves from this same process, so "listing" includes its XML/JSON
 * rendering as well as the SDKs' HTTP and parsing; "normalization" is the scanners' total
 * minus a listing of the same pages through the bare SDK paginators.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paginateDescribeInstances, paginateDescribeVolumes } from '@aws-sdk/client-ec2';
import { paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import { detectChanges } from '../src/changes/detect.js';
import { Wal } from '../src/wal/wal.js';
import { startHarness, type SimHarness } from '../test/scan/sim-harness.js';
import { MemoryState } from '../test/changes/memory-state.js';
import { Report } from './report.js';

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Per-scope fleet sizes giving about `total` resources over 1 account × 2 regions and 1 project × 2 zones. */
function fleetFor(total: number): { ec2Instances: number; ec2Volumes: number; rdsInstances: number; gceInstances: number; gceDisks: number } {
  const perScope = Math.max(10, Math.round(total / 10));
  return { ec2Instances: perScope * 2, ec2Volumes: perScope, rdsInstances: Math.round(perScope / 2), gceInstances: perScope, gceDisks: Math.round(perScope / 2) };
}

/** The same pages through the bare SDK paginators: HTTP + parsing, no normalization. */
async function bareListing(h: SimHarness): Promise<number> {
  let items = 0;
  const aws = h.clients.aws!;
  for (const account of h.scenario.aws.accounts) {
    for (const region of h.scenario.aws.regions) {
      for await (const page of paginateDescribeInstances({ client: aws.ec2(account, region) }, {})) items += page.Reservations?.length ?? 0;
      for await (const page of paginateDescribeVolumes({ client: aws.ec2(account, region) }, {})) items += page.Volumes?.length ?? 0;
      for await (const page of paginateDescribeDBInstances({ client: aws.rds(account, region) }, {})) items += page.DBInstances?.length ?? 0;
    }
  }
  const gcp = h.clients.gcp!;
  for (const project of h.scenario.gcp.projects) {
    for await (const _ of gcp.instances().aggregatedListAsync({ project })) items++;
    for await (const _ of gcp.disks().aggregatedListAsync({ project })) items++;
  }
  return items;
}

export async function runScanE2eBench(args: string[]): Promise<void> {
  const report = new Report('scan-e2e', args.includes('--json'));
  const at = args.indexOf('--resources');
  const target = at >= 0 ? Number(args[at + 1]) : args.includes('--quick') ? 10_000 : 100_000;
  const h = await startHarness({ fleet: fleetFor(target), churn: { appearPerTick: 0, changePerTick: 0, disappearPerTick: 0, recreatePerTick: 0 }, faults: [] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-bench-e2e-'));
  const wal = Wal.open({ dir, create: true });
  try {
    const resources = h.cloud.truth().length;
    const params = { resources };
    await bareListing(h); // warm-up: module loading and JIT, not measured
    await h.scan();
    let t0 = process.hrtime.bigint();
    const results = await h.scan();
    const scanSeconds = seconds(t0);
    t0 = process.hrtime.bigint();
    await bareListing(h);
    const listingSeconds = seconds(t0);
    const state = new MemoryState();
    t0 = process.hrtime.bigint();
    const events = detectChanges(results, state);
    const detectSeconds = seconds(t0);
    t0 = process.hrtime.bigint();
    await wal.append({ main: 1, timeMs: Date.now(), events });
    const commitSeconds = seconds(t0);
    const total = scanSeconds + detectSeconds + commitSeconds;
    report.add('end to end (first cycle)', params, resources / total, 'resources/s');
    report.add('listing: HTTP + XML/JSON (SDK + sim)', params, listingSeconds * 1000, 'ms');
    report.add('normalization (scan minus bare listing)', params, Math.max(0, scanSeconds - listingSeconds) * 1000, 'ms');
    report.add('change detection', params, detectSeconds * 1000, 'ms');
    report.add('durable commit', { ...params, events: events.length }, commitSeconds * 1000, 'ms');
    report.finish();
  } finally {
    await wal.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await h.close();
  }
}
