/**
 * Real SDK clients pointed at the SIMULATED cloud, with static fake credentials (so the
 * SDKs never probe instance metadata or look for real credentials).
 *
 * AWS: the access key id is `SIM-<account>`, which is how the simulator knows the account
 * (the region comes from the SigV4 scope, as with the real service). GCP: an OAuth2Client
 * holding a fake access token that never expires; pass it as `authClient` together with
 * `cloud.gcp` to `InstancesClient` / `DisksClient`.
 */

import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { OAuth2Client } from 'google-auth-library';
import { SIM_ACCESS_KEY_PREFIX } from './aws-query.js';
import type { SimCloud } from './cloud.js';

/** Static credentials that select `account` in the simulator. Not a secret. */
export function simAwsCredentials(account: string): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: `${SIM_ACCESS_KEY_PREFIX}${account}`, secretAccessKey: 'simulated-secret' };
}

export function simEc2Client(cloud: SimCloud, account: string, region: string): EC2Client {
  return new EC2Client({ region, endpoint: cloud.ec2Endpoint, credentials: simAwsCredentials(account) });
}

export function simRdsClient(cloud: SimCloud, account: string, region: string): RDSClient {
  return new RDSClient({ region, endpoint: cloud.rdsEndpoint, credentials: simAwsCredentials(account) });
}

/** Far enough ahead that no test or demo outlives it (year 2100). */
const SIM_TOKEN_EXPIRY_MS = Date.UTC(2100, 0, 1);

export function simGcpAuthClient(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'sim', expiry_date: SIM_TOKEN_EXPIRY_MS });
  return client;
}

/** Options for `new InstancesClient(...)` / `new DisksClient(...)` against the simulator. */
export function simGcpClientOptions(cloud: SimCloud): { apiEndpoint: string; port: number; protocol: 'http'; authClient: OAuth2Client; fallback: true } {
  return { ...cloud.gcp, authClient: simGcpAuthClient(), fallback: true };
}
