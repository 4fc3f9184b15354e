/**
 * One scan cycle: every configured scope listed, up to `concurrency` listings at once,
 * each honouring the cycle's AbortSignal. Never throws for an operating error: every
 * scope comes back as a ScanResult, complete or failed with a classified reason.
 * The results are sorted by scope string, so the output does not depend on timing.
 *
 * Jobs: an AWS job lists one scope (account × region × type). A GCP job lists one
 * (project × type) aggregated listing and reports one scope per zone (per region for
 * addresses), or one project-wide listing of a global location (global addresses,
 * snapshots, images) and reports the scope `gcp/<project>/global/<type>`.
 */
import assert from 'node:assert/strict';
import type { ResourceType } from '../model/resource.js';
import type { AwsAccountConfig, AwsClientFactory } from './aws/aws-clients.js';
import { scanEbsVolumes, scanEc2Instances, type AwsScopeScan } from './aws/scan-ec2.js';
import { scanRdsInstances } from './aws/scan-rds.js';
import { scanAmis, scanEbsSnapshots, scanElasticIps } from './aws/scan-ec2-leftovers.js';
import { scanRdsClusters, scanRdsSnapshots } from './aws/scan-rds-leftovers.js';
import type { GcpClientFactory } from './gcp/gcp-clients.js';
import { scanGceProject, type GceAggregatedType, type GceType } from './gcp/scan-gce.js';
import { globalScope, scanGceGlobal, type GceGlobalType } from './gcp/scan-gce-global.js';
import { DEFAULT_OWNER_TAG_KEYS, type NormalizeOptions } from './normalize-common.js';
import { mapWithLimit } from './promise-pool.js';
import type { RetryPolicy } from './retry.js';
import {
  GCP_RETRY_DELAY_MS_FIRST,
  GCP_RETRY_DELAY_MS_MAX,
  SCAN_ATTEMPTS_DEFAULT,
  SCAN_CONCURRENCY_DEFAULT,
  SCAN_CONCURRENCY_MAX,
  SCAN_LISTING_DEADLINE_MS_DEFAULT,
  SCAN_REQUEST_TIMEOUT_MS_DEFAULT,
} from './scan-limits.js';
import { runBoundedJob } from './bounded-job.js';
import { compareResults, GCP_ALL_REGIONS, GCP_GLOBAL_REGION, type ScanResult, type Scope } from '../model/scope.js';

export type AwsType =
  | 'ec2.instance' | 'ec2.volume' | 'ec2.address' | 'ec2.snapshot' | 'ec2.image'
  | 'rds.instance' | 'rds.cluster' | 'rds.snapshot';

export interface AwsScanConfig {
  accounts: readonly AwsAccountConfig[];
  regions: readonly string[];
  types: readonly AwsType[];
  /** MaxResults per request; null leaves it to the service (EC2 then returns everything at once). */
  pageSize: { ec2: number | null; rds: number | null };
}

export interface GcpScanConfig {
  projects: readonly string[];
  /** Zones known to exist; more are learnt from each listing. */
  zones: readonly string[];
  types: readonly GceType[];
  pageSize: number | null;
  retry: RetryPolicy;
}

export interface ScanConfig {
  aws: AwsScanConfig | null;
  gcp: GcpScanConfig | null;
  /** Listings in flight at once. */
  concurrency: number;
  ownerTagKeys: readonly string[];
  requestTimeoutMs: number;
  /** A whole listing's deadline; SCAN_LISTING_DEADLINE_MS_DEFAULT when absent. */
  listingDeadlineMs?: number;
}

export interface ScanClients {
  aws?: AwsClientFactory;
  gcp?: GcpClientFactory;
}

export const DEFAULT_GCP_RETRY: RetryPolicy = {
  maxAttempts: SCAN_ATTEMPTS_DEFAULT,
  delayMsFirst: GCP_RETRY_DELAY_MS_FIRST,
  delayMsMax: GCP_RETRY_DELAY_MS_MAX,
};

export const DEFAULT_SCAN_SETTINGS: Pick<ScanConfig, 'concurrency' | 'ownerTagKeys' | 'requestTimeoutMs'> = {
  concurrency: SCAN_CONCURRENCY_DEFAULT,
  ownerTagKeys: DEFAULT_OWNER_TAG_KEYS,
  requestTimeoutMs: SCAN_REQUEST_TIMEOUT_MS_DEFAULT,
};

/** One listing to run; `scopes` names what it covers, for reporting it if it never starts. */
export interface ScanJob {
  readonly scopes: readonly Scope[];
  run(signal: AbortSignal): Promise<ScanResult[]>;
}

export function runScan(config: ScanConfig, clients: ScanClients, signal?: AbortSignal): Promise<ScanResult[]> {
  const jobs = planScan(config, clients);
  return runScanJobs(jobs, config.concurrency, signal, config.listingDeadlineMs);
}

/**
 * Runs the jobs, each bounded (see bounded-job.ts): every job settles within
 * SCAN_ABORT_SETTLE_MS of an abort, and within `listingDeadlineMs` (plus that) in any case.
 */
export async function runScanJobs(
  jobs: readonly ScanJob[],
  concurrency: number,
  signal?: AbortSignal,
  listingDeadlineMs: number = SCAN_LISTING_DEADLINE_MS_DEFAULT,
): Promise<ScanResult[]> {
  assert.ok(concurrency >= 1 && concurrency <= SCAN_CONCURRENCY_MAX, 'concurrency in range');
  const perJob = await mapWithLimit(jobs, concurrency, (job) =>
    runBoundedJob(job, signal, listingDeadlineMs),
  );
  return perJob.flat().sort(compareResults);
}

export function planScan(config: ScanConfig, clients: ScanClients): ScanJob[] {
  const normalize: NormalizeOptions = { ownerTagKeys: config.ownerTagKeys };
  const jobs: ScanJob[] = [];
  if (config.aws !== null) {
    const aws = clients.aws;
    assert.ok(aws !== undefined, 'AWS configured, so an AWS client factory is given');
    for (const account of unique(config.aws.accounts.map((a) => a.id))) {
      for (const region of unique(config.aws.regions)) {
        for (const type of unique(config.aws.types)) jobs.push(awsJob(aws, config.aws, account, region, type, normalize));
      }
    }
  }
  if (config.gcp !== null) {
    const gcp = clients.gcp;
    assert.ok(gcp !== undefined, 'GCP configured, so a GCP client factory is given');
    for (const project of unique(config.gcp.projects)) {
      for (const type of unique(config.gcp.types)) jobs.push(...gcpJobs(gcp, config, project, type, normalize));
    }
  }
  return jobs;
}

function awsJob(
  clients: AwsClientFactory,
  aws: AwsScanConfig,
  account: string,
  region: string,
  type: AwsType,
  normalize: NormalizeOptions,
): ScanJob {
  const scope: Scope = { provider: 'aws', account, region, type };
  const pageSize = type.startsWith('rds.') ? aws.pageSize.rds : aws.pageSize.ec2;
  return {
    scopes: [scope],
    async run(signal) {
      const scan: AwsScopeScan = { account, region, normalize, pageSize, signal };
      switch (type) {
        case 'ec2.instance':
          return [await scanEc2Instances(clients.ec2(account, region), scan)];
        case 'ec2.volume':
          return [await scanEbsVolumes(clients.ec2(account, region), scan)];
        case 'ec2.address':
          return [await scanElasticIps(clients.ec2(account, region), scan)];
        case 'ec2.snapshot':
          return [await scanEbsSnapshots(clients.ec2(account, region), scan)];
        case 'ec2.image':
          return [await scanAmis(clients.ec2(account, region), scan)];
        case 'rds.instance':
          return [await scanRdsInstances(clients.rds(account, region), scan)];
        case 'rds.cluster':
          return [await scanRdsClusters(clients.rds(account, region), scan)];
        case 'rds.snapshot':
          return [await scanRdsSnapshots(clients.rds(account, region), scan)];
      }
    },
  };
}

/** The listings of one GCP type in one project: aggregated, global, or (addresses) both. */
function gcpJobs(
  clients: GcpClientFactory,
  config: ScanConfig,
  project: string,
  type: GceType,
  normalize: NormalizeOptions,
): ScanJob[] {
  switch (type) {
    case 'gce.instance':
    case 'gce.disk':
      return [gcpJob(clients, config, project, type, normalize)];
    case 'gce.address':
      return [
        gcpJob(clients, config, project, type, normalize),
        gcpGlobalJob(clients, config, project, type, normalize),
      ];
    case 'gce.snapshot':
    case 'gce.image':
      return [gcpGlobalJob(clients, config, project, type, normalize)];
  }
}

/** `us-central1-a` → `us-central1`: the region of a zone. */
export function regionOfZone(zone: string): string {
  const dash = zone.lastIndexOf('-');
  return dash > 0 ? zone.slice(0, dash) : zone;
}

function gcpJob(
  clients: GcpClientFactory,
  config: ScanConfig,
  project: string,
  type: GceAggregatedType,
  normalize: NormalizeOptions,
): ScanJob {
  const gcp = config.gcp;
  assert.ok(gcp !== null);
  const zones = unique(gcp.zones);
  const locations = type === 'gce.address' ? unique(zones.map(regionOfZone)) : zones;
  const fallback = type === 'gce.address' ? GCP_ALL_REGIONS : GCP_GLOBAL_REGION;
  const scopes = (locations.length > 0 ? locations : [fallback]).map(
    (region): Scope => ({ provider: 'gcp', account: project, region, type }),
  );
  return {
    scopes,
    run: (signal) =>
      scanGceProject(clients, {
        project,
        type,
        knownZones: locations,
        normalize,
        pageSize: gcp.pageSize,
        retry: gcp.retry,
        requestTimeoutMs: config.requestTimeoutMs,
        signal,
      }),
  };
}

function gcpGlobalJob(
  clients: GcpClientFactory,
  config: ScanConfig,
  project: string,
  type: GceGlobalType,
  normalize: NormalizeOptions,
): ScanJob {
  const gcp = config.gcp;
  assert.ok(gcp !== null);
  return {
    scopes: [globalScope(project, type)],
    run: async (signal) => [
      await scanGceGlobal(clients, {
        project,
        type,
        normalize,
        pageSize: gcp.pageSize,
        retry: gcp.retry,
        requestTimeoutMs: config.requestTimeoutMs,
        signal,
      }),
    ],
  };
}

function unique<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** The resource types a config scans, for callers that report coverage. */
export function configuredTypes(config: ScanConfig): ResourceType[] {
  return [...(config.aws?.types ?? []), ...(config.gcp?.types ?? [])];
}
