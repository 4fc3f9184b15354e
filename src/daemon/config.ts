/**
 * The daemon's validated configuration, and the defaults it starts from. Values arrive as
 * a flat map of dotted keys (see config-load.ts), each with where it came from, and leave
 * as a DaemonConfig or a DaemonError('CONFIG_INVALID') naming the key, the source and the
 * problem in one line.
 */
import { loadPriceFile, PriceFileError } from '../cost/price-file.js';
import { DEFAULT_PRICES, type PriceTable } from '../cost/prices.js';
import type { AwsAccountConfig, AwsEndpoints, EndpointOverride } from '../scan/aws/aws-clients.js';
import type { AwsType } from '../scan/run-scan.js';
import type { GceType } from '../scan/gcp/scan-gce.js';
import type { MassGuard } from '../changes/mass-guard.js';
import { BROKEN_COPIES_KEPT, CHECKPOINT_EVERY_EVENTS, FSYNC_WARN_MS } from '../limits.js';
import { RETENTION_HORIZON_DAYS_MAX, RETENTION_KEEP_ALL_DAYS_DEFAULT } from '../limits.js';
import { GUARD_RESOURCES_MIN_DEFAULT, GUARD_SHARE_DEFAULT } from '../limits.js';
import { DEFAULT_OWNER_TAG_KEYS } from '../scan/normalize-common.js';
import { SCAN_CONCURRENCY_DEFAULT, SCAN_LISTING_DEADLINE_MS_DEFAULT, SCAN_REQUEST_TIMEOUT_MS_DEFAULT } from '../scan/scan-limits.js';
import { AWS_TYPES, GCP_TYPES, LOG_LEVELS } from './config-keys.js';
import { checkValue, type ConfigValues } from './config-values.js';
import { parseListen, type ListenAddress } from './listen-address.js';
import { endpointUrlProblem } from './endpoint-url.js';
import { DaemonError } from './errors.js';
import { DEFAULT_DURABLE, DEFAULT_STREAM } from '../fanin/nats-options.js';
import { AGGREGATE_ACK_WAIT_MS, FORWARD_IN_FLIGHT_MAX } from '../limits.js';
import { aggregateSection, forwardSection, type AggregateConfig, type ForwardConfig } from './config-fanin.js';
import { parseDurationMs } from './duration.js';
import { DAY_MS, type RetentionPolicy } from '../store/retention-policy.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface DaemonConfig {
  dataDir: string;
  /** False when dataDir is the built-in default (then it is created if missing). */
  dataDirExplicit: boolean;
  intervalMs: number;
  jitterMs: number;
  requestTimeoutMs: number;
  /** A scope's whole listing fails (unreachable) past this; never waits longer. */
  listingDeadlineMs: number;
  concurrency: number;
  ownerTagKeys: string[];
  fsyncWarnMs: number;
  /** `.broken` copies of repaired log segments kept (the newest ones). */
  brokenCopiesKept: number;
  /** null: no HTTP server. */
  http: { listen: ListenAddress | null; token: string | null };
  logLevel: LogLevel;
  checkpointEveryEvents: number;
  /** The retention policy the daemon applies between cycles (src/store/retention-policy.ts). */
  retention: RetentionPolicy;
  /** The mass-disappearance guard ([scan.guard]); null when turned off. */
  guard: MassGuard | null;
  /** The price table of the waste report's costs (built-in, or cost.pricesFile over it). */
  prices: PriceTable;
  aws: {
    accounts: AwsAccountConfig[];
    regions: string[];
    types: AwsType[];
    retry: { maxAttempts: number; retryMode: 'standard' | 'adaptive' };
    /** Overrides (URLs checked); absent: the SDK's endpoints (and AWS_ENDPOINT_URL*). */
    endpoints: AwsEndpoints;
  } | null;
  gcp: {
    projects: string[];
    zones: string[];
    types: GceType[];
    retryMaxAttempts: number;
    /** Compute API endpoint override (URL); null: Google's. */
    endpoint: string | null;
    /** A static access token instead of application default credentials; null: ADC. */
    accessToken: string | null;
  } | null;
  /** Fan-in ([forward]): forward the log to JetStream from this process; null: off. */
  forward: ForwardConfig | null;
  /**
   * Fan-in ([aggregate]): consume the stream into this directory's log from this process;
   * null: off. Set, the daemon scans nothing (aws and gcp are null).
   */
  aggregate: AggregateConfig | null;
}

export const DEFAULT_DATA_DIR = './elava-data';
export const DEFAULT_HTTP_LISTEN = '127.0.0.1:9464';
/** Shortest interval accepted: below it a cloud account would be listed back to back. */
export const INTERVAL_MS_MIN = 100;

/** Built-in defaults, as dotted keys (the lowest layer). */
export function defaultValues(): Record<string, unknown> {
  return {
    dataDir: DEFAULT_DATA_DIR,
    interval: '5m',
    jitter: '30s',
    requestTimeout: `${SCAN_REQUEST_TIMEOUT_MS_DEFAULT / 1000}s`,
    listingDeadline: `${SCAN_LISTING_DEADLINE_MS_DEFAULT / 60_000}m`,
    concurrency: SCAN_CONCURRENCY_DEFAULT,
    ownerTagKeys: [...DEFAULT_OWNER_TAG_KEYS],
    fsyncWarnMs: FSYNC_WARN_MS,
    brokenCopiesKept: BROKEN_COPIES_KEPT,
    'http.listen': DEFAULT_HTTP_LISTEN,
    'log.level': 'info',
    'checkpoint.everyEvents': CHECKPOINT_EVERY_EVENTS,
    'retention.keepAll': `${RETENTION_KEEP_ALL_DAYS_DEFAULT}d`,
    'retention.horizon': 'off',
    'scan.guard.enabled': true,
    'scan.guard.share': GUARD_SHARE_DEFAULT,
    'scan.guard.minResources': GUARD_RESOURCES_MIN_DEFAULT,
    'aws.accounts': [],
    'aws.regions': [],
    'aws.types': [...AWS_TYPES],
    'aws.retry.maxAttempts': 5,
    'aws.retry.mode': 'standard',
    'gcp.projects': [],
    'gcp.zones': [],
    'gcp.types': [...GCP_TYPES],
    'gcp.retry.maxAttempts': 5,
    'forward.natsServers': [],
    'forward.stream': DEFAULT_STREAM,
    'forward.inFlight': FORWARD_IN_FLIGHT_MAX,
    'aggregate.natsServers': [],
    'aggregate.stream': DEFAULT_STREAM,
    'aggregate.durable': DEFAULT_DURABLE,
    'aggregate.ackWait': `${AGGREGATE_ACK_WAIT_MS / 1000}s`,
  };
}

export function buildConfig(values: ConfigValues): DaemonConfig {
  const v = (path: string): unknown => checkValue(values, path);
  const str = (path: string) => v(path) as string | undefined;
  const intervalMs = v('interval') as number;
  const jitterMs = v('jitter') as number;
  if (intervalMs < INTERVAL_MS_MIN) values.fail('interval', `must be at least ${INTERVAL_MS_MIN}ms`);
  if (jitterMs > intervalMs) values.fail('jitter', 'must not exceed interval');
  if ((v('listingDeadline') as number) < (v('requestTimeout') as number)) values.fail('listingDeadline', 'must be at least requestTimeout');
  const config: DaemonConfig = {
    dataDir: requireNonEmpty(values, 'dataDir'),
    dataDirExplicit: values.sourceOf('dataDir') !== 'default',
    intervalMs,
    jitterMs,
    requestTimeoutMs: v('requestTimeout') as number,
    listingDeadlineMs: v('listingDeadline') as number,
    concurrency: v('concurrency') as number,
    ownerTagKeys: v('ownerTagKeys') as string[],
    fsyncWarnMs: v('fsyncWarnMs') as number,
    brokenCopiesKept: v('brokenCopiesKept') as number,
    http: httpSection(values),
    logLevel: v('log.level') as LogLevel,
    checkpointEveryEvents: v('checkpoint.everyEvents') as number,
    retention: retentionSection(values),
    guard: guardSection(values),
    prices: pricesOf(values, str('cost.pricesFile')),
    aws: null,
    gcp: null,
    forward: forwardSection(values),
    aggregate: aggregateSection(values),
  };
  const accounts = v('aws.accounts') as AwsAccountConfig[];
  if (accounts.length > 0) {
    const regions = v('aws.regions') as string[];
    if (regions.length === 0) values.fail('aws.regions', 'must list at least one region when aws.accounts is set');
    config.aws = {
      accounts,
      regions,
      types: v('aws.types') as AwsType[],
      retry: { maxAttempts: v('aws.retry.maxAttempts') as number, retryMode: v('aws.retry.mode') as 'standard' | 'adaptive' },
      endpoints: awsEndpoints(values, regions),
    };
  }
  const projects = v('gcp.projects') as string[];
  if (projects.length > 0) {
    const endpoint = str('gcp.endpoint');
    config.gcp = {
      projects,
      zones: v('gcp.zones') as string[],
      types: v('gcp.types') as GceType[],
      retryMaxAttempts: v('gcp.retry.maxAttempts') as number,
      endpoint: endpoint === undefined ? null : requireUrl(values, 'gcp.endpoint', endpoint),
      accessToken: str('gcp.accessToken') ?? null,
    };
  }
  if (config.aggregate !== null && (config.aws !== null || config.gcp !== null)) {
    // Its log holds what the sources forward; scans of its own would commit beside them.
    const scanned = config.aws !== null ? 'aws.accounts' : 'gcp.projects';
    values.fail('aggregate.natsServers', `an aggregating daemon scans nothing of its own, but ${scanned} is set (from ${values.sourceOf(scanned)}): remove it, and run a scanning daemon that forwards ([forward]) instead`);
  }
  if (config.aws === null && config.gcp === null && config.aggregate === null) {
    values.fail('aws.accounts', 'nothing to scan: set aws.accounts or gcp.projects (or run `elava daemon --simulate`), or aggregate.natsServers to aggregate');
  }
  return config;
}

function pricesOf(values: ConfigValues, file: string | undefined): PriceTable {
  if (file === undefined) return DEFAULT_PRICES;
  try {
    return loadPriceFile(file);
  } catch (err) {
    if (err instanceof PriceFileError) return values.fail('cost.pricesFile', err.message);
    throw err;
  }
}

function httpSection(values: ConfigValues): DaemonConfig['http'] {
  const listenText = (checkValue(values, 'http.listen') as string).trim();
  const token = checkValue(values, 'http.token') as string | undefined;
  if (token !== undefined && token.length < 16) values.fail('http.token', 'must be at least 16 characters');
  if (listenText === 'off') return { listen: null, token: token ?? null };
  const listen = parseListen(listenText);
  if (typeof listen === 'string') values.fail('http.listen', listen);
  if (!listen.loopback && token === undefined) {
    values.fail('http.listen', `${listenText} is not a loopback address, so http.token (ELAVA_HTTP_TOKEN) is required`);
  }
  return { listen, token: token ?? null };
}

function retentionSection(values: ConfigValues): RetentionPolicy {
  const keepAllMs = checkValue(values, 'retention.keepAll') as number;
  if (keepAllMs < DAY_MS) values.fail('retention.keepAll', 'must be at least 1d (history is thinned to one revision per day beyond it)');
  const horizonText = (checkValue(values, 'retention.horizon') as string).trim();
  if (horizonText === 'off') return { keepAllMs, horizonMs: null };
  const horizonMs = parseDurationMs(horizonText, RETENTION_HORIZON_DAYS_MAX * DAY_MS);
  if (horizonMs === null) values.fail('retention.horizon', `${JSON.stringify(horizonText)} is neither a duration (e.g. 400d, at most ${RETENTION_HORIZON_DAYS_MAX}d) nor "off"`);
  if (horizonMs <= keepAllMs) values.fail('retention.horizon', 'must be longer than retention.keepAll');
  return { keepAllMs, horizonMs };
}

function guardSection(values: ConfigValues): MassGuard | null {
  if (checkValue(values, 'scan.guard.enabled') !== true) return null;
  const share = checkValue(values, 'scan.guard.share') as number;
  return { share, minResources: checkValue(values, 'scan.guard.minResources') as number };
}

function requireNonEmpty(values: ConfigValues, path: string): string {
  const s = checkValue(values, path) as string;
  if (s.trim().length === 0) values.fail(path, 'must not be empty');
  return s;
}

function requireUrl(values: ConfigValues, path: string, text: string): string {
  const problem = endpointUrlProblem(text);
  if (problem !== null) values.fail(path, problem);
  return text;
}

/** aws.endpoints.*: a per-region table may name only regions that are scanned. */
function awsEndpoints(values: ConfigValues, regions: readonly string[]): AwsEndpoints {
  const endpoints: AwsEndpoints = {};
  for (const service of ['ec2', 'rds'] as const) {
    const path = `aws.endpoints.${service}`;
    const override = checkValue(values, path) as EndpointOverride | undefined;
    if (override === undefined) continue;
    if (typeof override !== 'string') {
      const stray = Object.keys(override).find((region) => !regions.includes(region));
      if (stray !== undefined) {
        values.fail(path, `region ${JSON.stringify(stray)} is not in aws.regions`);
      }
    }
    endpoints[service] = override;
  }
  const sts = checkValue(values, 'aws.endpoints.sts') as string | undefined;
  if (sts !== undefined) endpoints.sts = requireUrl(values, 'aws.endpoints.sts', sts);
  return endpoints;
}

export { DaemonError };
