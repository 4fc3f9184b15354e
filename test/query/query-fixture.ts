/**
 * A small, known history for query tests, written with the real log writer. Cycles are an
 * hour apart from T0 = 2026-11-20T00:00Z (revision 1):
 *
 *   rev 1  T0     appeared: vol-a (in-use, attached to i-1, 100 GiB, Owner=platform),
 *                 i-1 (running, Owner=platform), i-2 (running, Owner=web),
 *                 i-3 (stopped, no tags), db-1 (RDS available, Owner=data),
 *                 gcp disk-1 (no users, 10 GB, no labels)
 *   rev 2  T0+1h  i-1: Owner tag removed; i-2: stopped
 *   rev 3  T0+2h  i-1: stopped; db-1: stopped; vol-a: detached (available, no attachments)
 *   rev 4  T0+3h  i-1 disappeared
 *   rev 5  T0+4h  i-1 appeared again (same id, running, Owner=web)
 *   rev 6  T0+5h  nothing changed (scope-scanned events only)
 *
 * Every commit starts with scope-scanned events, then changes sorted by key, as the change
 * detector writes them.
 */
import type { ElavaEvent, FieldChange } from '../../src/model/events.js';
import type { AttrValue, ResourceRecord, ResourceType } from '../../src/model/resource.js';
import { resourceKey } from '../../src/model/resource.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

export const T0 = Date.parse('2026-11-20T00:00:00Z');
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const ACCOUNT = '123456789012';

export const KEYS = {
  volA: resourceKey('aws', ACCOUNT, 'us-east-1', 'ec2.volume', 'vol-a'),
  i1: resourceKey('aws', ACCOUNT, 'us-east-1', 'ec2.instance', 'i-1'),
  i2: resourceKey('aws', ACCOUNT, 'us-east-1', 'ec2.instance', 'i-2'),
  i3: resourceKey('aws', ACCOUNT, 'us-east-1', 'ec2.instance', 'i-3'),
  db1: resourceKey('aws', ACCOUNT, 'us-east-1', 'rds.instance', 'db-1'),
  disk1: resourceKey('gcp', 'proj-1', 'us-central1-a', 'gce.disk', 'disk-1'),
} as const;

export function record(type: ResourceType, key: string, state: string, tags: Record<string, string>, attrs: Record<string, AttrValue> = {}): ResourceRecord {
  const [provider, account, region, , id] = key.split('/') as [string, string, string, string, string];
  return {
    key,
    provider: provider as 'aws' | 'gcp',
    account,
    region,
    type,
    id,
    name: tags['Name'] ?? (provider === 'gcp' ? id : null),
    state,
    owner: tags['Owner'] ?? null,
    tags,
    attrs,
  };
}

const attached = [{ device: '/dev/sdf', instanceId: 'i-1' }];
export const R = {
  volA1: record('ec2.volume', KEYS.volA, 'in-use', { Owner: 'platform' }, { attachments: attached, sizeGiB: 100 }),
  volA3: record('ec2.volume', KEYS.volA, 'available', { Owner: 'platform' }, { attachments: [], sizeGiB: 100 }),
  i1a: record('ec2.instance', KEYS.i1, 'running', { Owner: 'platform' }, { instanceType: 't3.micro' }),
  i1b: record('ec2.instance', KEYS.i1, 'running', {}, { instanceType: 't3.micro' }),
  i1c: record('ec2.instance', KEYS.i1, 'stopped', {}, { instanceType: 't3.micro' }),
  i1new: record('ec2.instance', KEYS.i1, 'running', { Owner: 'web' }, { instanceType: 't3.large' }),
  i2a: record('ec2.instance', KEYS.i2, 'running', { Owner: 'web' }),
  i2b: record('ec2.instance', KEYS.i2, 'stopped', { Owner: 'web' }),
  i3: record('ec2.instance', KEYS.i3, 'stopped', {}),
  db1a: record('rds.instance', KEYS.db1, 'available', { Owner: 'data' }, { storageGiB: 20 }),
  db1b: record('rds.instance', KEYS.db1, 'stopped', { Owner: 'data' }, { storageGiB: 20 }),
  disk1: record('gce.disk', KEYS.disk1, 'READY', {}, { sizeGb: 10, users: [] }),
};

function appeared(r: ResourceRecord): ElavaEvent {
  return { type: 'appeared', key: r.key, record: r };
}

function changed(after: ResourceRecord, diff: FieldChange[]): ElavaEvent {
  return { type: 'changed', key: after.key, record: after, diff };
}

function scopes(): ElavaEvent[] {
  return ['aws/123456789012/us-east-1/ec2.instance', 'gcp/proj-1/us-central1-a/gce.disk'].map((scope) => ({ type: 'scope-scanned', scope, status: 'complete', listed: 1, durationMs: 5, error: null }));
}

const byKey = (a: ElavaEvent, b: ElavaEvent): number => {
  const ka = 'key' in a ? a.key : '';
  const kb = 'key' in b ? b.key : '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** The six commits' change events (scope-scanned events are added when written). */
export function fixtureChanges(): ElavaEvent[][] {
  const commits: ElavaEvent[][] = [
    [appeared(R.volA1), appeared(R.i1a), appeared(R.i2a), appeared(R.i3), appeared(R.db1a), appeared(R.disk1)],
    [
      changed(R.i1b, [{ path: 'owner', before: 'platform', after: null }, { path: 'tags.Owner', before: 'platform', after: null }]),
      changed(R.i2b, [{ path: 'state', before: 'running', after: 'stopped' }]),
    ],
    [
      changed(R.volA3, [{ path: 'attrs.attachments', before: attached, after: [] }, { path: 'state', before: 'in-use', after: 'available' }]),
      changed(R.i1c, [{ path: 'state', before: 'running', after: 'stopped' }]),
      changed(R.db1b, [{ path: 'state', before: 'available', after: 'stopped' }]),
    ],
    [{ type: 'disappeared', key: KEYS.i1 }],
    [appeared(R.i1new)],
    [],
  ];
  return commits.map((events) => [...scopes(), ...events.sort(byKey)]);
}

export interface FixtureLog {
  dir: string;
  /** The writer: close it, or compact through it. */
  store: Store;
}

/**
 * Writes the fixture into a fresh directory; the writer stays open (close it, or compact).
 * `padBytes` > 0 adds a failed scope with a message that long to every commit, so that
 * with small segments each commit gets a segment of its own (compaction tests).
 */
export async function writeFixture(segmentSizeBytes = 64 * 1024, padBytes = 0): Promise<FixtureLog> {
  const dir = tempDir('elava-query-');
  const store = await Store.open(dir, { create: true, segmentSizeBytes });
  const commits = fixtureChanges();
  for (let i = 0; i < commits.length; i++) {
    const events = [...(commits[i] as ElavaEvent[])];
    if (padBytes > 0) events.unshift({ type: 'scope-scanned', scope: 'aws/123456789012/eu-west-1/ec2.volume', status: 'failed', listed: 0, durationMs: 1, error: { code: 'throttled', message: 'x'.repeat(padBytes) } });
    await store.commit(events, T0 + i * HOUR_MS);
  }
  return { dir, store };
}

/** An io that collects what a command prints. */
export function captureIo(): { stdout: (s: string) => void; stderr: (s: string) => void; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (s) => (out += s), stderr: (s) => (err += s), out: () => out, err: () => err };
}
