/**
 * Test helper: the real AWS scanners over a SIMULATED cloud, through a client factory the
 * test shapes (credentials, roles, endpoints): for the identity, role and endpoint tests.
 */
import {
  createAwsClientFactory,
  type AwsClientOptions,
} from '../../../src/scan/aws/aws-clients.js';
import { DEFAULT_OWNER_TAG_KEYS } from '../../../src/scan/normalize-common.js';
import { runScan, type ScanConfig } from '../../../src/scan/run-scan.js';
import type { ScanResult } from '../../../src/model/scope.js';
import type { SimCloud } from '../../../src/sim/cloud.js';
import type { SimRequestLogEntry } from '../../../src/sim/request-log.js';

export interface AwsSimScan {
  scan(): Promise<ScanResult[]>;
  destroy(): void;
}

/** Scans every region and AWS type of `options.accounts` through a factory made of `options`. */
export function awsSimScan(regions: readonly string[], options: AwsClientOptions): AwsSimScan {
  const aws = createAwsClientFactory({ requestTimeoutMs: 10_000, ...options });
  const config: ScanConfig = {
    aws: {
      accounts: options.accounts,
      regions,
      types: ['ec2.instance', 'ec2.volume', 'rds.instance'],
      pageSize: { ec2: null, rds: null },
    },
    gcp: null,
    concurrency: 8,
    ownerTagKeys: DEFAULT_OWNER_TAG_KEYS,
    requestTimeoutMs: 10_000,
  };
  return { scan: () => runScan(config, { aws }), destroy: () => aws.destroy() };
}

/** Every endpoint of `cloud`, as the factory takes them. */
export function simEndpoints(cloud: SimCloud): NonNullable<AwsClientOptions['endpoints']> {
  return { ec2: cloud.ec2Endpoint, rds: cloud.rdsEndpoint, sts: cloud.stsEndpoint };
}

/** How many requests of `action` the simulator logged, per account. */
export function countByAccount(
  log: readonly SimRequestLogEntry[],
  action: string,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of log) {
    if (e.action === action) counts[e.account] = (counts[e.account] ?? 0) + 1;
  }
  return counts;
}

/** `provider/account/region/type` → status, or status:code for a failed scope. */
export function outcomes(results: readonly ScanResult[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of results) {
    const { account, region, type } = r.scope;
    const outcome = r.status === 'complete' ? 'complete' : `failed:${r.error.code}`;
    out[`${account}/${region}/${type}`] = outcome;
  }
  return out;
}
