/**
 * Runs the SIMULATED cloud on its own, so a real daemon (or anyone with the AWS/GCP SDKs)
 * can be pointed at it: prints the endpoints and credentials to use, then advances one
 * tick of churn every `tickIntervalMs` until SIGINT/SIGTERM or the abort signal.
 * The `elava sim` command wires this up.
 */

import type { Logger } from 'pino';
import { simAwsCredentials } from './clients.js';
import { startSimCloud, type SimCloud, type SimCloudPorts } from './cloud.js';
import type { SimScenario } from './scenario.js';

export type SimLog = Pick<Logger, 'info' | 'warn'>;

export interface SimStandaloneOptions {
  /** Time between ticks; default 30 s. */
  tickIntervalMs?: number;
  /** Fixed ports (default: ephemeral). */
  ports?: SimCloudPorts;
  /** Stops the simulator when aborted (SIGINT and SIGTERM also stop it). */
  signal?: AbortSignal;
  /** Called once the servers listen, e.g. for a caller that wants the endpoints. */
  onReady?: (cloud: SimCloud) => void;
}

const TICK_INTERVAL_MS_DEFAULT = 30_000;
const TICK_INTERVAL_MS_MIN = 10;

/** How to point a config at the simulator, as printable lines. */
export function describeEndpoints(cloud: SimCloud, scenario: SimScenario): string[] {
  const account = scenario.aws.accounts[0] ?? '111111111111';
  const creds = simAwsCredentials(account);
  return [
    'SIMULATED cloud (not AWS, not Google Cloud) is listening on 127.0.0.1:',
    `  EC2 endpoint:     ${cloud.ec2Endpoint}`,
    `  RDS endpoint:     ${cloud.rdsEndpoint}`,
    `  STS endpoint:     ${cloud.stsEndpoint}`,
    `  Compute endpoint: ${cloud.gcp.protocol}://${cloud.gcp.apiEndpoint}:${cloud.gcp.port}  (apiEndpoint=${cloud.gcp.apiEndpoint}, port=${cloud.gcp.port}, protocol=${cloud.gcp.protocol})`,
    `  AWS accounts ${scenario.aws.accounts.join(', ')} in regions ${scenario.aws.regions.join(', ')}`,
    `  GCP projects ${scenario.gcp.projects.join(', ')} in zones ${scenario.gcp.zones.join(', ')}`,
    'AWS credentials: any secret; access key id SIM-<account> selects the account, e.g.',
    `  AWS_ACCESS_KEY_ID=${creds.accessKeyId} AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey} aws ec2 describe-instances --endpoint-url ${cloud.ec2Endpoint} --region ${scenario.aws.regions[0] ?? 'us-east-1'}`,
    'GCP credentials: any bearer token (the simulator checks only that one is sent).',
    'In an Elava config: aws.endpoints.ec2 / .rds / .sts = the EC2/RDS/STS endpoints, gcp.endpoint = the Compute endpoint and gcp.accessToken = "sim"; run the daemon with the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY shown above.',
  ];
}

export async function runSimStandalone(scenario: SimScenario, log: SimLog, options: SimStandaloneOptions = {}): Promise<void> {
  const tickIntervalMs = Math.max(TICK_INTERVAL_MS_MIN, options.tickIntervalMs ?? TICK_INTERVAL_MS_DEFAULT);
  const cloud = await startSimCloud(scenario, options.ports);
  log.info({ simulated: true, ec2: cloud.ec2Endpoint, rds: cloud.rdsEndpoint, gcp: cloud.gcp, seed: scenario.seed, tickIntervalMs }, 'simulated cloud started');
  for (const line of describeEndpoints(cloud, scenario)) process.stdout.write(line + '\n');
  options.onReady?.(cloud);
  const timer = setInterval(() => {
    cloud.advance();
    const churn = cloud.lastChurn();
    log.info({ simulated: true, tick: cloud.world.tick, resources: cloud.world.resources().length, churnEvents: churn.length }, 'simulated cloud advanced one tick');
  }, tickIntervalMs);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop);
  });
  clearInterval(timer);
  await cloud.close();
  log.info({ simulated: true, tick: cloud.world.tick }, 'simulated cloud stopped');
}
