/**
 * `elava daemon --simulate`: the SIMULATED cloud (loopback HTTP servers speaking the EC2,
 * RDS and Compute protocols; not AWS, not Google Cloud) started in this process, and the
 * real scanners pointed at it. The scenario decides the accounts, regions, projects and
 * zones; the interval is short so a person watching sees cycles go by.
 */
import { createAwsClientFactory } from '../scan/aws/aws-clients.js';
import { createGcpClientFactory } from '../scan/gcp/gcp-clients.js';
import { simAwsCredentials, simGcpClientOptions } from '../sim/clients.js';
import { startSimCloud, type SimCloud } from '../sim/cloud.js';
import type { SimScenario } from '../sim/scenario.js';
export { SIMULATE_PRESETS, simulateForced } from './simulate-config.js';
import type { DaemonConfig } from '../daemon/config.js';
import { scanConfigOf, type ScanSetup } from '../daemon/scan-setup.js';

export interface Simulation extends ScanSetup {
  cloud: SimCloud;
}

export interface SimulationOptions {
  /**
   * Whose simulated credentials each configured account is given (default: its own). A
   * test gives one account another's, to see the identity check refuse them.
   */
  credentialsOf?: (account: string) => string;
}

/** Starts the simulated cloud and scan clients pointed at it. */
export async function startSimulation(
  scenario: SimScenario,
  config: DaemonConfig,
  options: SimulationOptions = {},
): Promise<Simulation> {
  const cloud = await startSimCloud(scenario);
  const credentialsOf = options.credentialsOf ?? ((account: string) => account);
  const aws = createAwsClientFactory({
    accounts: config.aws?.accounts ?? [],
    retry: config.aws?.retry ?? { maxAttempts: 3, retryMode: 'standard' },
    requestTimeoutMs: config.requestTimeoutMs,
    endpoints: { ec2: cloud.ec2Endpoint, rds: cloud.rdsEndpoint, sts: cloud.stsEndpoint },
    ...(config.aws?.regions[0] !== undefined ? { stsRegion: config.aws.regions[0] } : {}),
    staticCredentials: (account) => simAwsCredentials(credentialsOf(account)),
  });
  const gcp = createGcpClientFactory(simGcpClientOptions(cloud));
  return {
    cloud,
    // Short GCP backoff: the simulator answers at once, so long waits only slow the demo.
    config: scanConfigOf(config, { delayMsFirst: 20, delayMsMax: 500 }),
    clients: { aws, gcp },
    async close() {
      aws.destroy();
      await gcp.close();
      await cloud.close();
    },
  };
}
