/**
 * Where AWS scanners get their SDK clients: the seam between real accounts and the
 * simulated cloud. The daemon uses `createAwsClientFactory` (SDK default credential chain,
 * a named profile, or an assumed role; the SDK's retry strategy with the configured
 * attempts and mode); tests and `--simulate` pass a factory that returns clients pointed at
 * the simulator. Clients are created once per (account, region) and reused across cycles.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import assert from 'node:assert/strict';
import { SCAN_ATTEMPTS_DEFAULT, SCAN_ATTEMPTS_MAX, SCAN_REQUEST_TIMEOUT_MS_DEFAULT } from '../scan-limits.js';
import { assumeRoleCredentials } from './assume-role.js';

export interface AwsClientFactory {
  ec2(account: string, region: string): EC2Client;
  rds(account: string, region: string): RDSClient;
}

export interface AwsAccountConfig {
  /** The 12-digit account id; it is part of every resource key. */
  id: string;
  /** Named profile from ~/.aws/config (also the source profile when `roleArn` is set). */
  profile?: string;
  /** Role to assume in this account. */
  roleArn?: string;
  externalId?: string;
}

export interface AwsRetryConfig {
  /** Attempts per request, first try included (SDK `maxAttempts`). */
  maxAttempts: number;
  /** SDK retry mode: `standard` (token bucket + backoff) or `adaptive` (client-side rate limiting too). */
  retryMode: 'standard' | 'adaptive';
}

export const DEFAULT_AWS_RETRY: AwsRetryConfig = { maxAttempts: SCAN_ATTEMPTS_DEFAULT, retryMode: 'standard' };

export interface AwsClientOptions {
  accounts: readonly AwsAccountConfig[];
  retry: AwsRetryConfig;
  requestTimeoutMs?: number;
  /** Endpoint overrides (the simulator, or a VPC endpoint); the SDK's region rules otherwise. */
  endpoints?: { ec2?: string; rds?: string };
  /** Fixed credentials per account (the simulator's fake keys); overrides profile and role. */
  staticCredentials?: (account: string) => { accessKeyId: string; secretAccessKey: string };
}

/** A factory that caches one client per (service, account, region); `destroy()` closes them all. */
export function createAwsClientFactory(options: AwsClientOptions): AwsClientFactory & { destroy(): void } {
  assert.ok(options.retry.maxAttempts >= 1 && options.retry.maxAttempts <= SCAN_ATTEMPTS_MAX, 'maxAttempts in range');
  const byId = new Map(options.accounts.map((a) => [a.id, a]));
  const ec2 = new Map<string, EC2Client>();
  const rds = new Map<string, RDSClient>();
  const configFor = (account: string, region: string) => {
    const entry = byId.get(account);
    assert.ok(entry !== undefined, `account ${account} is configured`);
    return clientConfig(entry, region, options);
  };
  return {
    ec2(account, region) {
      const key = `${account}/${region}`;
      let client = ec2.get(key);
      if (client === undefined) {
        const endpoint = options.endpoints?.ec2;
        client = new EC2Client({ ...configFor(account, region), ...(endpoint !== undefined ? { endpoint } : {}) });
        ec2.set(key, client);
      }
      return client;
    },
    rds(account, region) {
      const key = `${account}/${region}`;
      let client = rds.get(key);
      if (client === undefined) {
        const endpoint = options.endpoints?.rds;
        client = new RDSClient({ ...configFor(account, region), ...(endpoint !== undefined ? { endpoint } : {}) });
        rds.set(key, client);
      }
      return client;
    },
    destroy() {
      for (const client of ec2.values()) client.destroy();
      for (const client of rds.values()) client.destroy();
      ec2.clear();
      rds.clear();
    },
  };
}

function clientConfig(account: AwsAccountConfig, region: string, options: AwsClientOptions) {
  const timeoutMs = options.requestTimeoutMs ?? SCAN_REQUEST_TIMEOUT_MS_DEFAULT;
  const base = {
    region,
    maxAttempts: options.retry.maxAttempts,
    retryMode: options.retry.retryMode,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(timeoutMs, 10_000) },
  };
  if (options.staticCredentials !== undefined) {
    return { ...base, credentials: options.staticCredentials(account.id) };
  }
  if (account.roleArn !== undefined) {
    const credentials = assumeRoleCredentials({
      roleArn: account.roleArn,
      region,
      ...(account.externalId !== undefined ? { externalId: account.externalId } : {}),
      ...(account.profile !== undefined ? { sourceProfile: account.profile } : {}),
    });
    return { ...base, credentials };
  }
  return account.profile !== undefined ? { ...base, profile: account.profile } : base;
}
