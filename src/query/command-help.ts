/**
 * What each query command does, as `elava COMMAND --help` prints it. Kept next to the
 * option definitions (command-args.ts) so the two are read together.
 */
import { UNIX_SOCKET_PATH_BYTES_MAX } from '../limits.js';
import { exitCodeHelp } from './errors.js';
import { QUERY_SOCKET_FILE } from './socket-path.js';

export type QueryCommandName = 'list' | 'get' | 'history' | 'at' | 'diff' | 'disappeared' | 'waste' | 'sources';

export const QUERY_COMMAND_NAMES: readonly QueryCommandName[] = ['list', 'get', 'history', 'at', 'diff', 'disappeared', 'waste', 'sources'];

const FILTERS = '[--provider aws|gcp] [--account ID] [--region R] [--type T] [--owner O | --unowned] [--tag K[=V]] [--untagged] [--state S]';

const COMMANDS: Record<QueryCommandName, { summary: string; usage: string }> = {
  list: { summary: 'list live resources, with filters', usage: `elava list ${FILTERS} [--at REV|TIME] [--limit N [--after KEY]] [--counts]` },
  get: { summary: 'one resource, now or at a revision or time', usage: 'elava get KEY [--at REV|TIME]' },
  history: { summary: "every revision of a resource, or one field's timeline", usage: 'elava history KEY [--field PATH]' },
  at: { summary: 'the whole fleet as it was at a revision or time', usage: `elava at REV|TIME ${FILTERS}` },
  diff: { summary: 'what appeared, changed and disappeared between two points', usage: `elava diff A B ${FILTERS} [--limit N]` },
  disappeared: { summary: 'what disappeared in a window', usage: 'elava disappeared --since REV|TIME [--until REV|TIME]' },
  waste: {
    summary: 'what costs money doing nothing, how long, and what it costs a month',
    usage: 'elava waste [--stopped-days N] [--idle-days N] [--by owner|account] [--prices FILE] [--limit N] [--now TIME]',
  },
  sources: { summary: 'the sources of an aggregate (fan-in): revision, live resources, state hash', usage: 'elava sources [--self]' },
};

/** Each query command's one-line summary and synopsis (for the dispatcher's own --help). */
export const QUERY_COMMANDS: Readonly<Record<string, { summary: string; usage: string }>> = COMMANDS;

export function isQueryCommandName(name: string): name is QueryCommandName {
  return Object.hasOwn(COMMANDS, name);
}

const DETAILS: Record<QueryCommandName, string> = {
  list: `Lists resources alive at the newest revision (or at --at), ascending by key. Every filter
given must match. --tag K matches resources with tag K, --tag K=V with that value; --untagged
matches resources with no tags at all; --unowned those without an owner.
--limit N (1..1000) prints one page of N resources; the footer names the --after KEY of
the next page (the last key printed; --json: a last line {"next": KEY|null}). --counts
prints, instead of the list, how many resources match, per type and per owner (the 100
largest owners by name, the rest summed) — the web console's fleet page uses the same.`,
  get: `Shows one resource (KEY = provider/account/region/type/id) at the newest revision or at --at:
its record, or that it had disappeared by then.`,
  history: `Shows every revision Elava holds for KEY (as far as compaction left it): appeared, changed
(with the field diff) and disappeared, with revision and commit time. With --field PATH
(name, state, owner, tags.<key>, attrs.<name>), only the revisions where that field's value
changed, before and after; a resource that does not exist has the value null (shown -).
--field tags.Owner or --field owner is the ownership timeline.`,
  at: `Shows every resource alive at the point given, as it was then. Filters as for list.`,
  diff: `Compares the fleet at A with the fleet at B (A not after B): resources that appeared,
changed (with the field diff between the two records) and disappeared. A resource that
changed and changed back is not listed. Filters as for list narrow it: a change matches when
the record before or after matches, a disappearance by its last record. --limit N
(1..10000) prints at most N of each kind; the footer gives the totals of what matches.`,
  disappeared: `Lists every disappearance after --since and up to --until (default: the newest revision),
oldest first, with the resource's last record.`,
  waste: `Reports from the current state, one section per rule, with how long each item has been
waste (from Elava's own history: when the address lost its association, when the volume was
deleted, when the last instance using the image went away) and an estimated monthly cost:
  - unattached volumes (EBS 'available' or without attachments, GCE disks without users),
    aged from when they were detached (else their creation time, ≥);
  - instances stopped (EC2 'stopped', GCE 'TERMINATED'/'SUSPENDED') for at least
    --stopped-days days (default 30); they cost their volumes;
  - RDS instances stopped for at least --stopped-days days, counted across the restarts AWS
    forces after 7 days (a start stopped again within a day);
  - Elastic IPs unassociated for at least --idle-days days (default 30);
  - EBS snapshots older than --idle-days days whose volume is gone and that no owned AMI uses;
  - AMIs no live instance uses and none has used for --idle-days days;
  - RDS snapshots whose DB instance or cluster is gone;
  - GCP addresses reserved but unused, and GCP snapshots whose source disk is gone;
  - resources without an owner (informational: not in the totals).
Ages marked ≥ are lower bounds: the resource was already so when Elava's history begins.
Costs are estimates in USD per month from list prices kept in the repository (their source
and date are printed under every report; no discounts); --prices FILE overrides them with a
JSON file of the same shape (e.g. {"aws":{"default":{"publicIpv4Hour":0.005}}}). Snapshot
costs use the volume size: an upper bound, snapshots being incremental.
--by owner|account adds the totals per owner or account (default: per rule).
--limit N (1..100000) prints only the N oldest items of each rule (totals stay whole).
--now TIME computes ages as of TIME instead of the clock.`,
  sources: `For the data directory of an aggregator (elava aggregate): one line per source daemon
forwarding to it, with the last of its revisions applied here and when that was committed
at the source, the commits and events received, the live resources it reports, the scope
reports refused because another source reports that scope (conflicts), and the sha256 of
its live records (the same hash \`elava sources --self\` prints on the source's own data
directory; equal hashes: the aggregate holds exactly what the source holds).
--self: the data directory's own records as one source (its SOURCE_ID, if it forwards).`,
};

const COMMON = `Points: a revision (1234) or a time (2026-11-20T10:00Z, 2026-11-20T10:00:00+02:00, or a
date 2026-11-20 = its midnight UTC; no zone = UTC). A time means the newest commit at or
before it.

Where answers come from: when a daemon runs on DIR, from its live state, asked through its
socket DIR/${QUERY_SOCKET_FILE} (mode 0600: its owner only); nothing is read from the log.
Otherwise (no daemon, a daemon still recovering its state or of another elava version, a
socket path over ${UNIX_SOCKET_PATH_BYTES_MAX} bytes) from DIR opened read-only: no lock taken, safe while the
daemon runs, the state of the log's last whole commit, slower on a large log. Either way
the same output and exit codes; a daemon that stops mid-answer is one line on stderr, exit 1.

Common options:
  --data-dir DIR   data directory (default ELAVA_DATA_DIR, else ./elava-data)
  --no-daemon      open DIR read-only even when a daemon answers (also ELAVA_NO_DAEMON=1)
  --json           NDJSON: one JSON object per line
  -h, --help       this help`;

export function queryHelp(name: QueryCommandName): string {
  const c = COMMANDS[name];
  return `usage: ${c.usage} [--data-dir DIR] [--json]\n\n${c.summary}.\n\n${DETAILS[name]}\n\n${COMMON}\n\nExit codes:\n${exitCodeHelp()}\n`;
}
