/**
 * A log with known history for the waste rules, written with the real log writer.
 * T0 = 2026-06-01T00:00Z; the report is asked at NOW = T0 + 200 days. AWS account
 * 123456789012 in us-east-1, GCP project proj-1.
 *
 *   c1 T0          appeared: i-old (running, from ami-old), i-keep (running), i-stop
 *                  (stopped, vol-2 gp2 50 GiB attached), vol-1 (gp3 100 GiB), ami-old
 *                  (snapshot snap-img, 8 GiB), snap-img (of vol-x, never seen), snap-1 (of
 *                  vol-1, 100 GiB, Owner=data), eip-1 (associated to i-keep, Owner=web),
 *                  eip-2 (unassociated), db-1, db-2 (available, 100 GiB gp3), rds snapshots
 *                  snap-db1 (of db-1, 20 GiB) and rds:old (of db-gone, never seen, 50 GiB),
 *                  GCP disk-1 (id 111, in use), snapshots gsnap-1 (of disk-1, 5 GiB) and
 *                  gsnap-2 (of disk-never, 2 GiB), addresses ip-1 (EXTERNAL, in use) and
 *                  ip-int (INTERNAL, unused)
 *   c2 T0+100d     i-old disappeared                  → ami-old unused since, 100 days
 *   c3 T0+120d     vol-1 disappeared                  → snap-1 orphaned since, 80 days
 *   c4 T0+150d     db-2 stopped
 *   c5 T0+157d     db-2 available (AWS's forced start after seven days)
 *   c6 T0+157d6h   db-2 stopped                       → stopped since c4, one restart
 *   c7 T0+160d     eip-1 unassociated; ip-1 loses its user → both 40 days
 *   c8 T0+170d     db-1 disappeared                   → snap-db1 orphaned, 30 days
 *   c9 T0+180d     disk-1 disappeared                 → gsnap-1 orphaned, 20 days
 */
import type { ElavaEvent } from '../../src/model/events.js';
import type { AttrValue, ResourceRecord, ResourceType } from '../../src/model/resource.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

export const T0 = Date.parse('2026-06-01T00:00:00Z');
export const DAY_MS = 86_400_000;
export const NOW = T0 + 200 * DAY_MS;
const GIB = 1024 ** 3;

function rec(type: ResourceType, region: string, id: string, state: string | null, attrs: Record<string, AttrValue>, owner: string | null = null): ResourceRecord {
  const gcp = type.startsWith('gce.');
  const account = gcp ? 'proj-1' : '123456789012';
  const key = `${gcp ? 'gcp' : 'aws'}/${account}/${region}/${type}/${id}`;
  const tags: Record<string, string> = owner === null ? {} : { Owner: owner };
  return { key, provider: gcp ? 'gcp' : 'aws', account, region, type, id, name: null, state, owner, tags, attrs };
}

const E = 'us-east-1';
export const W = {
  iOld: rec('ec2.instance', E, 'i-old', 'running', { imageId: 'ami-old' }),
  iKeep: rec('ec2.instance', E, 'i-keep', 'running', { imageId: 'ami-other' }, 'web'),
  iStop: rec('ec2.instance', E, 'i-stop', 'stopped', { imageId: null }),
  vol1: rec('ec2.volume', E, 'vol-1', 'in-use', { attachments: [{ device: '/dev/sdf', instanceId: 'i-old' }], sizeGiB: 100, volumeType: 'gp3' }),
  vol2: rec('ec2.volume', E, 'vol-2', 'in-use', { attachments: [{ device: '/dev/sdf', instanceId: 'i-stop' }], sizeGiB: 50, volumeType: 'gp2' }),
  amiOld: rec('ec2.image', E, 'ami-old', 'available', { creationDate: '2026-01-01T00:00:00.000Z', snapshotIds: ['snap-img'], snapshotSizeGiB: 8 }),
  snapImg: rec('ec2.snapshot', E, 'snap-img', 'completed', { volumeId: 'vol-x', sizeGiB: 8, startTime: '2026-01-01T00:00:00.000Z' }),
  snap1: rec('ec2.snapshot', E, 'snap-1', 'completed', { volumeId: 'vol-1', sizeGiB: 100, startTime: '2026-05-01T00:00:00.000Z' }, 'data'),
  eip1: rec('ec2.address', E, 'eipalloc-1', 'associated', { instanceId: 'i-keep', publicIp: '3.0.0.1' }, 'web'),
  eip1b: rec('ec2.address', E, 'eipalloc-1', 'unassociated', { instanceId: null, publicIp: '3.0.0.1' }, 'web'),
  eip2: rec('ec2.address', E, 'eipalloc-2', 'unassociated', { instanceId: null, publicIp: '3.0.0.2' }),
  db1: rec('rds.instance', E, 'db-1', 'available', { storageGiB: 20, storageType: 'gp3', multiAz: false }),
  db2: rec('rds.instance', E, 'db-2', 'available', { storageGiB: 100, storageType: 'gp3', multiAz: false }),
  db2s: rec('rds.instance', E, 'db-2', 'stopped', { storageGiB: 100, storageType: 'gp3', multiAz: false }),
  snapDb1: rec('rds.snapshot', E, 'snap-db1', 'available', { source: 'db-1', sourceKind: 'db', sizeGiB: 20, createTime: '2026-05-15T00:00:00.000Z' }),
  snapOld: rec('rds.snapshot', E, 'rds:old', 'available', { source: 'db-gone', sourceKind: 'db', sizeGiB: 50, createTime: '2026-03-01T00:00:00.000Z' }),
  disk1: rec('gce.disk', 'us-central1-a', 'disk-1', 'READY', { numericId: '111', sizeGb: 10, type: 'pd-ssd', users: ['inst-1'] }),
  gsnap1: rec('gce.snapshot', 'global', 'gsnap-1', 'READY', { sourceDisk: 'zones/us-central1-a/disks/disk-1', sourceDiskId: '111', storageBytes: 5 * GIB, createTime: '2026-05-01T00:00:00.000Z' }),
  gsnap2: rec('gce.snapshot', 'global', 'gsnap-2', 'READY', { sourceDisk: 'zones/us-central1-a/disks/disk-never', sourceDiskId: '222', storageBytes: 2 * GIB, createTime: '2026-04-01T00:00:00.000Z' }),
  ip1: rec('gce.address', 'us-central1', 'ip-1', 'IN_USE', { addressType: 'EXTERNAL', users: ['zones/us-central1-a/instances/inst-1'], createTime: '2026-01-01T00:00:00.000Z' }),
  ip1b: rec('gce.address', 'us-central1', 'ip-1', 'RESERVED', { addressType: 'EXTERNAL', users: [], createTime: '2026-01-01T00:00:00.000Z' }),
  ipInt: rec('gce.address', 'us-central1', 'ip-int', 'RESERVED', { addressType: 'INTERNAL', users: [], createTime: '2026-02-01T00:00:00.000Z' }),
};

const appeared = (r: ResourceRecord): ElavaEvent => ({ type: 'appeared', key: r.key, record: r });
const changed = (r: ResourceRecord, path: string): ElavaEvent => ({ type: 'changed', key: r.key, record: r, diff: [{ path, before: null, after: null }] });
const gone = (r: ResourceRecord): ElavaEvent => ({ type: 'disappeared', key: r.key });

const COMMITS: Array<[number, ElavaEvent[]]> = [
  [T0, [W.iOld, W.iKeep, W.iStop, W.vol1, W.vol2, W.amiOld, W.snapImg, W.snap1, W.eip1, W.eip2, W.db1, W.db2, W.snapDb1, W.snapOld, W.disk1, W.gsnap1, W.gsnap2, W.ip1, W.ipInt].map(appeared)],
  [T0 + 100 * DAY_MS, [gone(W.iOld)]],
  [T0 + 120 * DAY_MS, [gone(W.vol1)]],
  [T0 + 150 * DAY_MS, [changed(W.db2s, 'state')]],
  [T0 + 157 * DAY_MS, [changed(W.db2, 'state')]],
  [T0 + 157 * DAY_MS + 6 * 3_600_000, [changed(W.db2s, 'state')]],
  [T0 + 160 * DAY_MS, [changed(W.eip1b, 'state'), changed(W.ip1b, 'attrs.users')]],
  [T0 + 170 * DAY_MS, [gone(W.db1)]],
  [T0 + 180 * DAY_MS, [gone(W.disk1)]],
];

const byKey = (a: ElavaEvent, b: ElavaEvent): number => {
  const ka = 'key' in a ? a.key : '';
  const kb = 'key' in b ? b.key : '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Writes the fixture into a fresh directory and closes the writer; returns the directory. */
export async function writeWasteFixture(): Promise<string> {
  const dir = tempDir('elava-waste-');
  const store = await Store.open(dir, { create: true, segmentSizeBytes: 64 * 1024 });
  for (const [timeMs, events] of COMMITS) {
    const scanned: ElavaEvent = { type: 'scope-scanned', scope: 'aws/123456789012/us-east-1/ec2.instance', status: 'complete', listed: 1, durationMs: 5, error: null };
    await store.commit([scanned, ...[...events].sort(byKey)], timeMs);
  }
  await store.close();
  return dir;
}
