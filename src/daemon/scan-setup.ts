/**
 * From the daemon's config to what runScan needs: the scan config, and SDK client
 * factories for the real clouds (default credential chains, profiles, assumed roles).
 * Clients are created once and reused across cycles; `close` releases their sockets.
 */
import { createAwsClientFactory } from '../scan/aws/aws-clients.js';
import { createGcpClientFactory } from '../scan/gcp/gcp-clients.js';
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
  };
}

/** Clients for the real clouds. */
export function realScanSetup(config: DaemonConfig): ScanSetup {
  const aws = config.aws === null ? undefined : createAwsClientFactory({
    accounts: config.aws.accounts,
    retry: config.aws.retry,
    requestTimeoutMs: config.requestTimeoutMs,
    endpoints: config.aws.endpoints,
  });
  const gcp = config.gcp === null ? undefined : createGcpClientFactory();
  return {
    config: scanConfigOf(config),
    clients: { ...(aws ? { aws } : {}), ...(gcp ? { gcp } : {}) },
    async close() {
      aws?.destroy();
      await gcp?.close();
    },
  };
}
