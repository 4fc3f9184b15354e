/**
 * `npm run bench -- scan-e2e [--json] [--quick] [--resources N]`: one full scan cycle of a
 * SIMULATED cloud of N resources (default 100 000) through the real AWS and Google SDK
 * clients, then change detection and the durable commit, with the time split by stage.
 * The simulator serves from this same process, so "listing" includes its XML/JSON
 * rendering as well as the SDKs' HTTP and parsing (timed through the bare SDK paginators);
 * "normalization" is the scanners' normalize functions run over those same raw items.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paginateDescribeInstances, paginateDescribeVolumes } from '@aws-sdk/client-ec2';
import { paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import type { Instance, Volume } from '@aws-sdk/client-ec2';
import type { DBInstance } from '@aws-sdk/client-rds';
import { detectChanges } from '../src/changes/detect.js';
import { DEFAULT_OWNER_TAG_KEYS } from '../src/scan/normalize-common.js';
import { normalizeEbsVolume, normalizeEc2Instance } from '../src/scan/normalize-ec2.js';
import { normalizeGceDisk, normalizeGceInstance, type GceDisk, type GceInstance } from '../src/scan/normalize-gce.js';
import { normalizeRdsInstance } from '../src/scan/normalize-rds.js';
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

interface RawListing {
  ec2: { account: string; region: string; items: Instance[] }[];
  ebs: { account: string; region: string; items: Volume[] }[];
  rds: { account: string; region: string; items: DBInstance[] }[];
  gce: { project: string; zone: string; instances: unknown[]; disks: unknown[] }[];
}

/** The same pages through the bare SDK paginators: HTTP + parsing, no normalization. */
async function bareListing(h: SimHarness): Promise<RawListing> {
  const raw: RawListing = { ec2: [], ebs: [], rds: [], gce: [] };
  const aws = h.clients.aws!;
  for (const account of h.scenario.aws.accounts) {
    for (const region of h.scenario.aws.regions) {
      const ec2: Instance[] = [];
      const ebs: Volume[] = [];
      const rds: DBInstance[] = [];
      for await (const page of paginateDescribeInstances({ client: aws.ec2(account, region) }, {})) for (const r of page.Reservations ?? []) ec2.push(...(r.Instances ?? []));
      for await (const page of paginateDescribeVolumes({ client: aws.ec2(account, region) }, {})) ebs.push(...(page.Volumes ?? []));
      for await (const page of paginateDescribeDBInstances({ client: aws.rds(account, region) }, {})) rds.push(...(page.DBInstances ?? []));
      raw.ec2.push({ account, region, items: ec2 });
      raw.ebs.push({ account, region, items: ebs });
      raw.rds.push({ account, region, items: rds });
    }
  }
  const gcp = h.clients.gcp!;
  for (const project of h.scenario.gcp.projects) {
    const byZone = new Map<string, { instances: unknown[]; disks: unknown[] }>();
    const zoneEntry = (scopeKey: string) => {
      const zone = scopeKey.slice(scopeKey.lastIndexOf('/') + 1);
      let entry = byZone.get(zone);
      if (entry === undefined) byZone.set(zone, (entry = { instances: [], disks: [] }));
      return entry;
    };
    for await (const [scopeKey, list] of gcp.instances().aggregatedListAsync({ project })) zoneEntry(scopeKey).instances.push(...(list.instances ?? []));
    for await (const [scopeKey, list] of gcp.disks().aggregatedListAsync({ project })) zoneEntry(scopeKey).disks.push(...(list.disks ?? []));
    for (const [zone, e] of byZone) raw.gce.push({ project, zone, ...e });
  }
  return raw;
}

/** The scanners' normalization over raw items; returns how many records it made. */
function normalizeAll(raw: RawListing): number {
  const options = { ownerTagKeys: DEFAULT_OWNER_TAG_KEYS };
  let n = 0;
  for (const s of raw.ec2) for (const i of s.items) n += normalizeEc2Instance(s.account, s.region, i, options) ? 1 : 0;
  for (const s of raw.ebs) for (const v of s.items) n += normalizeEbsVolume(s.account, s.region, v, options) ? 1 : 0;
  for (const s of raw.rds) for (const d of s.items) n += normalizeRdsInstance(s.account, s.region, d, options) ? 1 : 0;
  for (const z of raw.gce) {
    for (const i of z.instances) n += normalizeGceInstance(z.project, z.zone, i as GceInstance, options) ? 1 : 0;
    for (const d of z.disks) n += normalizeGceDisk(z.project, z.zone, d as GceDisk, options) ? 1 : 0;
  }
  return n;
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
    normalizeAll(await bareListing(h)); // warm-up: module loading and JIT, not measured
    await h.scan();
    let t0 = process.hrtime.bigint();
    const results = await h.scan();
    const scanSeconds = seconds(t0);
    t0 = process.hrtime.bigint();
    const raw = await bareListing(h);
    const listingSeconds = seconds(t0);
    t0 = process.hrtime.bigint();
    normalizeAll(raw);
    const normalizeSeconds = seconds(t0);
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
    report.add('normalization', params, normalizeSeconds * 1000, 'ms');
    report.add('scanners in all (listing + normalization)', params, scanSeconds * 1000, 'ms');
    report.add('change detection', params, detectSeconds * 1000, 'ms');
    report.add('durable commit', { ...params, events: events.length }, commitSeconds * 1000, 'ms');
    report.finish();
  } finally {
    await wal.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await h.close();
  }
}
