/**
 * Test harness: a SIMULATED cloud plus the scan config and client factories that point the
 * real SDK clients at it. Retry backoff is kept short so fault tests stay fast.
 */
import { startSimCloud, type SimCloud } from '../../src/sim/cloud.js';
import { simAwsCredentials, simGcpClientOptions } from '../../src/sim/clients.js';
import { defaultScenario, type SimScenario } from '../../src/sim/scenario-load.js';
import { createAwsClientFactory } from '../../src/scan/aws/aws-clients.js';
import { createGcpClientFactory } from '../../src/scan/gcp/gcp-clients.js';
import { DEFAULT_OWNER_TAG_KEYS } from '../../src/scan/normalize-common.js';
import { runScan, type AwsType, type ScanClients, type ScanConfig } from '../../src/scan/run-scan.js';
import type { GceType } from '../../src/scan/gcp/scan-gce.js';
import type { ScanResult } from '../../src/model/scope.js';

export interface SimHarness {
  cloud: SimCloud;
  scenario: SimScenario;
  config: ScanConfig;
  clients: ScanClients;
  scan(signal?: AbortSignal): Promise<ScanResult[]>;
  close(): Promise<void>;
}

/** Which types a harness scans; the five original ones unless a test asks for more. */
export interface HarnessTypes {
  aws: readonly AwsType[];
  gcp: readonly GceType[];
}

export const BASE_TYPES: HarnessTypes = {
  aws: ['ec2.instance', 'ec2.volume', 'rds.instance'],
  gcp: ['gce.instance', 'gce.disk'],
};

export const ALL_TYPES: HarnessTypes = {
  aws: [
    'ec2.instance', 'ec2.volume', 'ec2.address', 'ec2.snapshot', 'ec2.image',
    'rds.instance', 'rds.cluster', 'rds.snapshot',
  ],
  gcp: ['gce.instance', 'gce.disk', 'gce.address', 'gce.snapshot', 'gce.image'],
};

export async function startHarness(
  overrides: Partial<SimScenario>,
  maxAttempts = 3,
  types: HarnessTypes = BASE_TYPES,
): Promise<SimHarness> {
  const scenario = defaultScenario(overrides);
  const cloud = await startSimCloud(scenario);
  const accounts = scenario.aws.accounts.map((id) => ({ id }));
  const aws = createAwsClientFactory({
    accounts,
    retry: { maxAttempts, retryMode: 'standard' },
    endpoints: { ec2: cloud.ec2Endpoint, rds: cloud.rdsEndpoint, sts: cloud.stsEndpoint },
    staticCredentials: simAwsCredentials,
    requestTimeoutMs: 10_000,
  });
  const gcp = createGcpClientFactory(simGcpClientOptions(cloud));
  const config: ScanConfig = {
    aws: {
      accounts,
      regions: scenario.aws.regions,
      types: types.aws,
      // Leave page sizes to the simulator, so its scenario decides the pagination.
      pageSize: { ec2: null, rds: null },
    },
    gcp: {
      projects: scenario.gcp.projects,
      zones: scenario.gcp.zones,
      types: types.gcp,
      pageSize: null,
      retry: { maxAttempts, delayMsFirst: 5, delayMsMax: 50 },
    },
    concurrency: 8,
    ownerTagKeys: DEFAULT_OWNER_TAG_KEYS,
    requestTimeoutMs: 10_000,
  };
  const clients: ScanClients = { aws, gcp };
  return {
    cloud,
    scenario,
    config,
    clients,
    scan: (signal) => runScan(config, clients, signal),
    async close() {
      aws.destroy();
      await gcp.close();
      await cloud.close();
    },
  };
}
