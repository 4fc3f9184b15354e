/**
 * From the daemon's config to what runScan needs: the scan config, and SDK client
 * factories for the real clouds (default credential chains, profiles, assumed roles).
 * Clients are created once and reused across cycles; `close` releases their sockets.
 */
import { createAwsClientFactory } from '../scan/aws/aws-clients.js';
import { OAuth2Client } from 'google-auth-library';
import { createGcpClientFactory, type GcpClientOptions } from '../scan/gcp/gcp-clients.js';
import type { ScanClients, ScanConfig } from '../scan/run-scan.js';
import { GCP_RETRY_DELAY_MS_FIRST, GCP_RETRY_DELAY_MS_MAX } from '../scan/scan-limits.js';
import type { DaemonConfig } from './config.js';

export interface ScanSetup {
  config: ScanConfig;
  clients: ScanClients;
  close(): Promise<void>;
}

export interface GcpRetryDelays {
  delayMsFirst: number;
  delayMsMax: number;
}

export function scanConfigOf(config: DaemonConfig, gcpDelays: GcpRetryDelays = { delayMsFirst: GCP_RETRY_DELAY_MS_FIRST, delayMsMax: GCP_RETRY_DELAY_MS_MAX }): ScanConfig {
  return {
    aws: config.aws === null ? null : {
      accounts: config.aws.accounts,
      regions: config.aws.regions,
      types: config.aws.types,
      pageSize: { ec2: null, rds: null },
    },
    gcp: config.gcp === null ? null : {
      projects: config.gcp.projects,
      zones: config.gcp.zones,
      types: config.gcp.types,
      pageSize: null,
      retry: { maxAttempts: config.gcp.retryMaxAttempts, ...gcpDelays },
    },
    concurrency: config.concurrency,
    ownerTagKeys: config.ownerTagKeys,
    requestTimeoutMs: config.requestTimeoutMs,
    listingDeadlineMs: config.listingDeadlineMs,
  };
}

/** Compute client options: Google's endpoint and application default credentials unless overridden. */
export function gcpClientOptions(gcp: NonNullable<DaemonConfig['gcp']>): GcpClientOptions {
  const options: GcpClientOptions = {};
  if (gcp.endpoint !== null) {
    const url = new URL(gcp.endpoint);
    options.apiEndpoint = url.hostname;
    options.port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    options.protocol = url.protocol.slice(0, -1);
  }
  if (gcp.accessToken !== null) {
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: gcp.accessToken, expiry_date: Date.now() + STATIC_TOKEN_LIFETIME_MS });
    options.authClient = authClient;
  }
  return options;
}

/** A static token is taken as valid this long (a process restart re-reads it). */
const STATIC_TOKEN_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000;

/** Clients for the real clouds. */
export function realScanSetup(config: DaemonConfig): ScanSetup {
  const aws = config.aws === null ? undefined : createAwsClientFactory({
    accounts: config.aws.accounts,
    retry: config.aws.retry,
    requestTimeoutMs: config.requestTimeoutMs,
    endpoints: config.aws.endpoints,
    ...(config.aws.regions[0] !== undefined ? { stsRegion: config.aws.regions[0] } : {}),
  });
  const gcp = config.gcp === null ? undefined : createGcpClientFactory(gcpClientOptions(config.gcp));
  return {
    config: scanConfigOf(config),
    clients: { ...(aws ? { aws } : {}), ...(gcp ? { gcp } : {}) },
    async close() {
      aws?.destroy();
      await gcp?.close();
    },
  };
}
