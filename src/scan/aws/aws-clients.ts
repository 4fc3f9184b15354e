/**
 * Where AWS scanners get their SDK clients: the seam between real accounts and the
 * simulated cloud. The daemon uses `createAwsClientFactory` (SDK default credential chain,
 * a named profile, or an assumed role; the SDK's retry strategy with the configured
 * attempts and mode); tests and `--simulate` pass the simulator's endpoints and fake keys.
 * Clients are created once per (service, account, region) and reused across cycles; the
 * clients of one account share one credential provider (account-credentials.ts), which
 * assumes the account's role once per credential lifetime and checks the account's
 * identity with STS before any listing is signed.
 *
 * Endpoints: an override is one URL for every region or a table region → URL (a region
 * without an entry uses the SDK's resolution, which honours AWS_ENDPOINT_URL_EC2 / _RDS /
 * AWS_ENDPOINT_URL). STS is called in `stsRegion` (the first configured region).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import type { STSClientConfig } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { SCAN_ATTEMPTS_DEFAULT, SCAN_ATTEMPTS_MAX, SCAN_REQUEST_TIMEOUT_MS_DEFAULT } from '../scan-limits.js';
import {
  accountCredentials,
  type AccountCredentials,
  type AwsAccountConfig,
} from './account-credentials.js';
import type { AwsCredentials, CredentialProvider } from './assume-role.js';

export type { AwsAccountConfig } from './account-credentials.js';

export interface AwsClientFactory {
  ec2(account: string, region: string): EC2Client;
  rds(account: string, region: string): RDSClient;
}

export interface AwsRetryConfig {
  /** Attempts per request, first try included (SDK `maxAttempts`). */
  maxAttempts: number;
  /** SDK retry mode: `standard` (token bucket + backoff) or `adaptive` (client-side rate limiting too). */
  retryMode: 'standard' | 'adaptive';
}

export const DEFAULT_AWS_RETRY: AwsRetryConfig = { maxAttempts: SCAN_ATTEMPTS_DEFAULT, retryMode: 'standard' };

/** One URL for every region, or one per region (regions left out use the SDK's endpoint). */
export type EndpointOverride = string | Readonly<Record<string, string>>;

export interface AwsEndpoints {
  ec2?: EndpointOverride;
  rds?: EndpointOverride;
  sts?: string;
}

/** STS region when the caller names none. */
export const STS_REGION_DEFAULT = 'us-east-1';

export interface AwsClientOptions {
  accounts: readonly AwsAccountConfig[];
  retry: AwsRetryConfig;
  requestTimeoutMs?: number;
  /** Endpoint overrides (the simulator, or VPC endpoints); the SDK's region rules otherwise. */
  endpoints?: AwsEndpoints;
  /** Region of the STS calls (identity check, AssumeRole). */
  stsRegion?: string;
  /** Fixed source credentials per account (the simulator's fake keys), not profile or chain. */
  staticCredentials?: (account: string) => AwsCredentials;
  /** Source credentials as a provider (tests that rotate them); wins over staticCredentials. */
  sourceCredentials?: (account: string) => CredentialProvider;
}

/** The endpoint `override` names for `region`, if any. */
export function endpointFor(
  override: EndpointOverride | undefined,
  region: string,
): string | undefined {
  if (override === undefined || typeof override === 'string') return override;
  return Object.hasOwn(override, region) ? override[region] : undefined;
}

/** A factory that caches one client per (service, account, region); `destroy()` closes them all. */
export function createAwsClientFactory(options: AwsClientOptions): AwsClientFactory & { destroy(): void } {
  assert.ok(options.retry.maxAttempts >= 1 && options.retry.maxAttempts <= SCAN_ATTEMPTS_MAX, 'maxAttempts in range');
  const byId = new Map(options.accounts.map((a) => [a.id, a]));
  const credentials = new Map<string, AccountCredentials>();
  const clients = new Map<string, EC2Client | RDSClient>();
  const providerOf = (account: string): CredentialProvider => {
    let entry = credentials.get(account);
    if (entry === undefined) {
      const config = byId.get(account);
      assert.ok(config !== undefined, `account ${account} is configured`);
      entry = accountCredentials(config, stsConfig(options), sourceOf(options, account));
      credentials.set(account, entry);
    }
    return entry.provider;
  };
  const configFor = (account: string, region: string, override: EndpointOverride | undefined) => {
    const endpoint = endpointFor(override, region);
    return {
      ...baseConfig(options, region),
      credentials: providerOf(account),
      ...(endpoint !== undefined ? { endpoint } : {}),
    };
  };
  const cached = <C extends EC2Client | RDSClient>(key: string, make: () => C): C => {
    let client = clients.get(key) as C | undefined;
    if (client === undefined) {
      client = make();
      clients.set(key, client);
    }
    return client;
  };
  return {
    ec2: (account, region) => cached(`ec2/${account}/${region}`, () =>
      new EC2Client(configFor(account, region, options.endpoints?.ec2))),
    rds: (account, region) => cached(`rds/${account}/${region}`, () =>
      new RDSClient(configFor(account, region, options.endpoints?.rds))),
    destroy() {
      for (const client of clients.values()) client.destroy();
      for (const entry of credentials.values()) entry.destroy();
      clients.clear();
      credentials.clear();
    },
  };
}

function sourceOf(options: AwsClientOptions, account: string): CredentialProvider | undefined {
  if (options.sourceCredentials !== undefined) return options.sourceCredentials(account);
  const fixed = options.staticCredentials;
  if (fixed === undefined) return undefined;
  const credentials = fixed(account);
  return () => Promise.resolve(credentials);
}

function baseConfig(options: AwsClientOptions, region: string) {
  const timeoutMs = options.requestTimeoutMs ?? SCAN_REQUEST_TIMEOUT_MS_DEFAULT;
  return {
    region,
    maxAttempts: options.retry.maxAttempts,
    retryMode: options.retry.retryMode,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(timeoutMs, 10_000) },
  };
}

function stsConfig(options: AwsClientOptions): STSClientConfig {
  const endpoint = options.endpoints?.sts;
  const base = baseConfig(options, options.stsRegion ?? STS_REGION_DEFAULT);
  return { ...base, ...(endpoint !== undefined ? { endpoint } : {}) };
}
