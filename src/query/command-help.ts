/**
 * What each query command does, as `elava COMMAND --help` prints it. Kept next to the
 * option definitions (command-args.ts) so the two are read together.
 */
import { exitCodeHelp } from './errors.js';

export type QueryCommandName = 'list' | 'get' | 'history' | 'at' | 'diff' | 'disappeared' | 'waste' | 'sources';

export const QUERY_COMMAND_NAMES: readonly QueryCommandName[] = ['list', 'get', 'history', 'at', 'diff', 'disappeared', 'waste', 'sources'];

const FILTERS = '[--provider aws|gcp] [--account ID] [--region R] [--type T] [--owner O | --unowned] [--tag K[=V]] [--untagged] [--state S]';

const COMMANDS: Record<QueryCommandName, { summary: string; usage: string }> = {
  list: { summary: 'list live resources, with filters', usage: `elava list ${FILTERS} [--at REV|TIME]` },
  get: { summary: 'one resource, now or at a revision or time', usage: 'elava get KEY [--at REV|TIME]' },
  history: { summary: "every revision of a resource, or one field's timeline", usage: 'elava history KEY [--field PATH]' },
  at: { summary: 'the whole fleet as it was at a revision or time', usage: `elava at REV|TIME ${FILTERS}` },
  diff: { summary: 'what appeared, changed and disappeared between two points', usage: 'elava diff A B' },
  disappeared: { summary: 'what disappeared in a window', usage: 'elava disappeared --since REV|TIME [--until REV|TIME]' },
  waste: { summary: 'unattached volumes, long-stopped instances, stopped RDS, unowned', usage: 'elava waste [--stopped-days N] [--now TIME]' },
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
matches resources with no tags at all; --unowned those without an owner.`,
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
changed and changed back is not listed.`,
  disappeared: `Lists every disappearance after --since and up to --until (default: the newest revision),
oldest first, with the resource's last record.`,
  waste: `Reports from the current state:
  - unattached volumes (EBS 'available' or without attachments, GCE disks without users),
    with size and age (since Elava first saw them);
  - instances stopped (EC2 'stopped', GCE 'TERMINATED'/'SUSPENDED') for at least
    --stopped-days days (default 30), counted from the revision where they stopped;
  - RDS instances in state 'stopped';
  - resources without an owner.
Ages marked ≥ are lower bounds: the resource was already so when Elava's history begins.
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

Common options:
  --data-dir DIR   data directory (default ./elava-data); read-only, no lock taken, safe
                   while the daemon runs
  --json           NDJSON: one JSON object per line
  -h, --help       this help`;

export function queryHelp(name: QueryCommandName): string {
  const c = COMMANDS[name];
  return `usage: ${c.usage} [--data-dir DIR] [--json]\n\n${c.summary}.\n\n${DETAILS[name]}\n\n${COMMON}\n\nExit codes:\n${exitCodeHelp()}\n`;
}
