/**
 * Help texts. The daemon's option list is generated from the config key table, so it
 * cannot drift from what the daemon accepts.
 */
import { CONFIG_KEYS, envNameOf, flagNameOf } from '../daemon/config-keys.js';

export interface CommandSummary {
  name: string;
  summary: string;
}

export function mainUsage(commands: readonly CommandSummary[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: elava <command> [options]      (elava <command> --help for its options)',
    '',
    'Elava remembers what really exists in your clouds: an event-sourced inventory on its',
    'own write-ahead log.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'elava --version prints the version.',
  ].join('\n');
}

export function daemonHelp(): string {
  const keys = CONFIG_KEYS.map((k) => `  --${flagNameOf(k.path).padEnd(24)} ${envNameOf(k.path).padEnd(30)} ${k.help}`);
  return [
    'usage: elava daemon [--config FILE] [--simulate [--scenario FILE]] [--once] [--create] [options]',
    '',
    'Scans the configured clouds every interval and appends what changed to the log in the',
    'data directory; serves /healthz, /readyz, /metrics, /v1/... and the read-only web',
    'console (/ui/: fleet, resource timelines, changes, waste, health) on http.listen.',
    'Fan-in: with forward.natsServers it also forwards its log to a NATS JetStream stream (as',
    '`elava forward`); with aggregate.natsServers it scans nothing and instead consumes that',
    'stream into its data directory (as `elava aggregate`, plus GET /v1/sources), applying',
    'retention every interval; aws.accounts or gcp.projects beside it is a config error, and',
    '--once does not apply.',
    'Logs are pino JSON on stdout; for humans: elava daemon ... | npx pino-pretty',
    '',
    '  --config FILE              TOML config (see elava.example.toml); also ELAVA_CONFIG',
    '  --simulate                 scan the SIMULATED cloud started in this process (not AWS,',
    '                             not Google Cloud): for the demo and tests',
    '  --scenario FILE            simulated cloud scenario (TOML or JSON), with --simulate',
    '  --once                     run one cycle, checkpoint, exit; the exit code tells how the',
    '                             cycle went (below) and the last log line sums it up',
    '  --create                   create the data directory (0700) if missing (the default',
    '                             ./elava-data is always created)',
    '',
    'Every config key, as a flag and an environment variable (flags win over the',
    'environment, which wins over the file):',
    ...keys,
    '',
    'AWS endpoints: besides aws.endpoints.* (one URL, or per region: in TOML a table',
    '[aws.endpoints.ec2] "us-east-1" = "https://...", as a variable or flag',
    'us-east-1=https://...,eu-west-1=https://...), the AWS SDK\'s own variables redirect',
    'Elava too: AWS_ENDPOINT_URL (every service), AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_RDS,',
    'AWS_ENDPOINT_URL_STS (and endpoint_url in ~/.aws/config;',
    'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns them off); an aws.endpoints key wins',
    'over them. Every account\'s credentials are checked with STS GetCallerIdentity (at start',
    'and when they rotate); credentials of another account fail its scopes as wrong-account.',
    '',
    'SIGTERM/SIGINT: stop scheduling, abort the listing in flight (nothing of it is',
    'committed), checkpoint, close the log, exit 0 (exit 1 if that takes over 10 s);',
    'a second signal exits at once. Exit codes: 0 stopped cleanly (with --once: every',
    'scope listed), 1 operating error (data directory in use or missing, port in use, log',
    'failure), 2 bad config or usage; with --once also 10 some scopes failed, 11 every',
    'scope failed (the cycle was committed either way).',
  ].join('\n');
}

export const SIM_HELP = [
  'usage: elava sim [--scenario FILE] [--tick DURATION] [--ec2-port N] [--rds-port N] [--gcp-port N]',
  '                 [--sts-port N]',
  '',
  'Runs the SIMULATED cloud on its own (loopback HTTP servers speaking the EC2, RDS, STS and',
  'Compute protocols; not AWS, not Google Cloud), prints its endpoints, and advances one',
  'tick of churn every --tick (default 30s) until SIGINT/SIGTERM.',
].join('\n');

export const CHECKPOINT_HELP = [
  'usage: elava checkpoint [--data-dir DIR]',
  '',
  'Takes a checkpoint of the state now, so the next start (and query commands) replay',
  'less of the log. Needs the writer lock: while a daemon runs it is refused (the daemon',
  'checkpoints by itself, per checkpoint.everyEvents and at shutdown).',
].join('\n');

export const REBUILD_HELP = [
  'usage: elava rebuild [--data-dir DIR] [--json]',
  '',
  'Replays the whole kept log into fresh projections, ignoring every checkpoint (but a',
  'compaction base), prints the state hash, and writes a checkpoint of the result so the',
  'next start uses it. Use after an upgrade or when a checkpoint is suspect. Needs the',
  'writer lock (stop the daemon first).',
].join('\n');

export const HEALTH_HELP = [
  'usage: elava health [--data-dir DIR] [--json]',
  '',
  "Every scope's last listing as the log records it: complete, failed (with the reason) or",
  'suspect (with the disappearances the guard withholds), when, and its last complete',
  'listing; the log\'s segments and size on disk; the newest checkpoint. --json prints the',
  "same object as the daemon's GET /v1/health (the web console's health page), whose cycle",
  'durations and fdatasync latencies only a running daemon knows (empty here).',
  'Read-only, takes no lock: safe while the daemon runs. Exit codes: 0 ok, 1 the data',
  'directory holds no log or cannot be read, 2 usage.',
].join('\n');

export const VERIFY_HELP = [
  'usage: elava verify [--data-dir DIR] [--json]',
  '',
  'Reads the log end to end (every CRC, the chain, commit shapes), and checks that the',
  'state recovered the fast way (newest checkpoint + tail) hashes the same as a rebuild.',
  'Read-only, takes no lock: safe while the daemon runs.',
  'Exit codes: 0 verified, 3 the log is damaged (bytes on disk; `elava repair` says what a',
  'cut would lose), 4 the recovered state differs from a rebuild, 1 any other operating',
  'error (a directory that cannot be read, a permission error).',
].join('\n');

export const REPAIR_HELP = [
  'usage: elava repair [--accept-loss] [--data-dir DIR] [--json]',
  '',
  'For a log the daemon refuses to open because its bytes are damaged (exit 3 with the',
  'file and byte offset). Run it with the daemon stopped: it takes the writer lock.',
  '',
  'Without flags it changes nothing: it reads the log with the same rule as every open and',
  'prints where the damage is, the last whole revision before it, and what a cut there',
  'would lose: the revisions, the number of commits and events, their time span, and the',
  'segment files that would be set aside.',
  '',
  'With --accept-loss it cuts there: a `.broken` copy of the damaged segment is kept',
  '(written under a temporary name, then renamed), later segments are renamed `.broken`,',
  'checkpoints covering cut revisions are renamed `.broken`, the damaged segment is zeroed',
  'after its last whole commit, and the repair is recorded in the log in a commit whose',
  'revision is above every revision the cut part held: revision numbers never go',
  'backwards, and `wal-dump` shows the cut as a `log-repaired` event.',
  '',
  'A torn tail (a write that never finished, after a crash or power loss) is not damage:',
  'the next open cuts it by itself, keeping every acknowledged commit.',
  '',
  'Exit codes: 0 nothing to repair, or the cut was made; 3 damage found and left as it is',
  '(without --accept-loss); 1 operating error (the daemon holds the lock, I/O); 2 usage.',
].join('\n');

export const COMPACT_HELP = [
  'usage: elava compact (--keep DURATION | --before REV) [--data-dir DIR]',
  '',
  'Drops history older than a revision (etcd-style): --keep 30d keeps the last 30 days,',
  '--before REV drops everything below revision REV. Current state is never affected;',
  'reads below the compaction point answer "compacted". With the daemon stopped it takes the',
  'writer lock itself; while a daemon runs, it asks that daemon to compact between its cycles',
  '(POST /v1/admin/compact on the address the daemon keeps in the data directory; set',
  'ELAVA_HTTP_TOKEN when the daemon has an http.token).',
  '',
  'The daemon also applies a retention policy by itself after every cycle: every revision',
  'for retention.keepAll (30d), one revision per resource per day before that, nothing',
  'older than retention.horizon (off by default).',
].join('\n');
