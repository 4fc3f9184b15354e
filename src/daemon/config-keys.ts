/**
 * Every configuration key the daemon knows, in one table: its dotted path in the TOML file,
 * its kind, and (derived from the path) the environment variable and flag that override it:
 *
 *   http.listen             →  ELAVA_HTTP_LISTEN            →  --http-listen
 *   aws.retry.maxAttempts   →  ELAVA_AWS_RETRY_MAX_ATTEMPTS →  --aws-retry-max-attempts
 *
 * Precedence, lowest first: built-in defaults, the TOML file, ELAVA_* variables, flags.
 * Lists given as env/flag values are comma-separated; `aws.accounts` from env/flags is a
 * list of account ids that use the default credential chain; an `endpoints` key is one URL
 * or `region=URL` pairs (`us-east-1=https://a,eu-west-1=https://b`).
 */
import { FORWARD_IN_FLIGHT_MAX } from '../limits.js';

export type KeyKind =
  | 'string' | 'duration' | 'int' | 'list' | 'enum' | 'enumList' | 'accounts' | 'endpoints'
  | 'boolean' | 'number';

export interface KeySpec {
  readonly path: string;
  readonly kind: KeyKind;
  /** Allowed values (enum, enumList). */
  readonly values?: readonly string[];
  /** Bounds (int: inclusive; number: exclusive, so a share can be kept inside (0, 1)). */
  readonly min?: number;
  readonly max?: number;
  /** The value is a credential: errors name the key and the problem, never the value. */
  readonly secret?: true;
  readonly help: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const AWS_TYPES = [
  'ec2.instance', 'ec2.volume', 'ec2.address', 'ec2.snapshot', 'ec2.image',
  'rds.instance', 'rds.cluster', 'rds.snapshot',
] as const;
export const GCP_TYPES = ['gce.instance', 'gce.disk', 'gce.address', 'gce.snapshot', 'gce.image'] as const;
export const AWS_RETRY_MODES = ['standard', 'adaptive'] as const;

/** The NATS client's credential and TLS keys, the same in `[forward]` and `[aggregate]`. */
function natsClientKeys(section: 'forward' | 'aggregate'): KeySpec[] {
  return [
    { path: `${section}.natsUser`, kind: 'string', help: `fan-in: NATS user (with ${section}.natsPassword)` },
    { path: `${section}.natsPassword`, kind: 'string', secret: true, help: 'fan-in: NATS password' },
    { path: `${section}.natsToken`, kind: 'string', secret: true, help: 'fan-in: NATS token' },
    { path: `${section}.natsCreds`, kind: 'string', help: 'fan-in: NATS .creds file (JWT and NKey seed)' },
    { path: `${section}.natsTlsCa`, kind: 'string', help: 'fan-in: CA certificate to trust for tls://' },
    { path: `${section}.natsTlsCert`, kind: 'string', help: `fan-in: TLS client certificate (with ${section}.natsTlsKey)` },
    { path: `${section}.natsTlsKey`, kind: 'string', help: 'fan-in: TLS client key' },
  ];
}

export const CONFIG_KEYS: readonly KeySpec[] = [
  { path: 'dataDir', kind: 'string', help: 'data directory: log segments, LOCK, checkpoints' },
  { path: 'interval', kind: 'duration', help: 'time between the starts of two scan cycles' },
  { path: 'jitter', kind: 'duration', help: 'random extra wait added to each interval (0..jitter)' },
  { path: 'requestTimeout', kind: 'duration', help: 'timeout of one cloud API request' },
  { path: 'listingDeadline', kind: 'duration', help: 'longest one scope\'s whole listing may take before it fails unreachable' },
  { path: 'concurrency', kind: 'int', min: 1, max: 256, help: 'listings in flight at once' },
  { path: 'ownerTagKeys', kind: 'list', help: 'tag/label keys that name an owner, first match wins' },
  { path: 'fsyncWarnMs', kind: 'int', min: 1, max: 600_000, help: 'log a warning when an fdatasync takes longer' },
  { path: 'brokenCopiesKept', kind: 'int', min: 1, max: 1000, help: 'newest .broken copies of repaired log segments kept' },
  { path: 'http.listen', kind: 'string', help: 'host:port of the HTTP server, or "off"' },
  { path: 'http.token', kind: 'string', secret: true, help: 'bearer token every HTTP request must carry (required off loopback)' },
  { path: 'log.level', kind: 'enum', values: LOG_LEVELS, help: 'pino log level' },
  {
    path: 'scan.guard.enabled', kind: 'boolean',
    help: 'hold back a mass disappearance until the next complete listing agrees',
  },
  {
    path: 'scan.guard.share', kind: 'number', min: 0, max: 1,
    help: 'a listing missing more than this share of its scope is suspect',
  },
  {
    path: 'scan.guard.minResources', kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER,
    help: 'scopes holding fewer resources are never suspect',
  },
  { path: 'retention.keepAll', kind: 'duration', help: 'keep every revision this long; older history is kept one revision per resource per day' },
  { path: 'retention.horizon', kind: 'string', help: 'drop history older than this (a duration, e.g. 400d), or "off" (default)' },
  {
    path: 'cost.pricesFile', kind: 'string',
    help: 'JSON price table merged over the built-in list prices of the waste report (USD)',
  },
  { path: 'checkpoint.everyEvents', kind: 'int', min: 1, max: Number.MAX_SAFE_INTEGER, help: 'take a checkpoint after this many events' },
  { path: 'aws.accounts', kind: 'accounts', help: 'AWS accounts: [[aws.accounts]] id, profile, roleArn, externalId' },
  { path: 'aws.regions', kind: 'list', help: 'AWS regions to list' },
  { path: 'aws.types', kind: 'enumList', values: AWS_TYPES, help: 'AWS resource types to list' },
  { path: 'aws.retry.maxAttempts', kind: 'int', min: 1, max: 20, help: 'attempts per AWS request, first included' },
  { path: 'aws.retry.mode', kind: 'enum', values: AWS_RETRY_MODES, help: 'AWS SDK retry mode' },
  { path: 'aws.endpoints.ec2', kind: 'endpoints', help: 'EC2 endpoint: URL, or per region us-east-1=URL,...' },
  { path: 'aws.endpoints.rds', kind: 'endpoints', help: 'RDS endpoint: URL, or per region us-east-1=URL,...' },
  { path: 'aws.endpoints.sts', kind: 'string', help: 'STS endpoint (identity check, AssumeRole), URL' },
  { path: 'gcp.projects', kind: 'list', help: 'GCP projects to list' },
  { path: 'gcp.zones', kind: 'list', help: 'GCP zones known to exist (more are learnt from each listing)' },
  { path: 'gcp.types', kind: 'enumList', values: GCP_TYPES, help: 'GCP resource types to list' },
  { path: 'gcp.retry.maxAttempts', kind: 'int', min: 1, max: 20, help: 'attempts per GCP request, first included' },
  { path: 'gcp.endpoint', kind: 'string', help: 'Compute API endpoint override, URL (e.g. a standalone `elava sim`)' },
  { path: 'gcp.accessToken', kind: 'string', secret: true, help: 'static OAuth access token instead of application default credentials (e.g. "sim")' },
  { path: 'forward.natsServers', kind: 'list', help: 'fan-in: forward the log to these NATS servers (host:port,...) from this process' },
  { path: 'forward.stream', kind: 'string', help: 'fan-in: JetStream stream to publish to (default ELAVA)' },
  ...natsClientKeys('forward'),
  { path: 'forward.inFlight', kind: 'int', min: 1, max: FORWARD_IN_FLIGHT_MAX, help: 'fan-in: publishes awaiting acknowledgement at most' },
  { path: 'aggregate.natsServers', kind: 'list', help: 'fan-in: aggregate the stream on these NATS servers into this data directory (no scans then)' },
  { path: 'aggregate.stream', kind: 'string', help: 'fan-in: JetStream stream to consume (default ELAVA)' },
  { path: 'aggregate.durable', kind: 'string', help: 'fan-in: durable consumer name, one aggregator each (default elava-aggregate)' },
  { path: 'aggregate.ackWait', kind: 'duration', help: 'fan-in: how long JetStream waits for an acknowledgement before it redelivers' },
  ...natsClientKeys('aggregate'),
];

/** `aws.retry.maxAttempts` → `ELAVA_AWS_RETRY_MAX_ATTEMPTS`. */
export function envNameOf(path: string): string {
  return 'ELAVA_' + path.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\./g, '_').toUpperCase();
}

/** `aws.retry.maxAttempts` → `aws-retry-max-attempts` (without the leading dashes). */
export function flagNameOf(path: string): string {
  return path.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/\./g, '-').toLowerCase();
}

const BY_PATH = new Map(CONFIG_KEYS.map((k) => [k.path, k]));
const BY_FLAG = new Map(CONFIG_KEYS.map((k) => [flagNameOf(k.path), k]));

export function keySpec(path: string): KeySpec | undefined {
  return BY_PATH.get(path);
}

export function keyOfFlag(flag: string): KeySpec | undefined {
  return BY_FLAG.get(flag);
}

/** Whether `path` is a section holding keys (`aws`, `aws.retry`, ...). */
export function isSection(path: string): boolean {
  const prefix = path + '.';
  return CONFIG_KEYS.some((k) => k.path.startsWith(prefix));
}
