/**
 * The waste rules for what outlives its user, each with "since when" from Elava's history
 * (waste-history.ts) and a monthly cost (src/cost):
 *
 * - unassociated Elastic IPs, for at least `idleDays`: since the revision where the
 *   address lost its association; first seen unassociated: since first sight, at least
 *   (EC2 reports no allocation time).
 * - orphaned EBS snapshots: started at least `idleDays` ago, whose source volume no longer
 *   exists, and that no owned image uses; since the volume's tombstone, or (a volume Elava
 *   never saw) the snapshot's start time, at least.
 * - unused AMIs: no live instance uses the image, and none has for `idleDays`: since the
 *   last instance launched from it went away (from the history of instances: a disappeared
 *   instance's last record names its image); never seen used: its creation date, at least.
 *   Its cost is that of its snapshots.
 * - orphaned RDS snapshots: the DB instance or cluster they were taken from no longer
 *   exists; since its tombstone, else the snapshot's creation time, at least.
 * - GCE addresses reserved but unused (no users): since they lost their last user, else
 *   their creation time, at least.
 * - orphaned GCE snapshots: the source disk no longer exists (or a disk of the same name
 *   is another disk: its numeric id differs); since the disk's tombstone, else the
 *   snapshot's creation, at least.
 */
import type { ResourceRecord } from '../model/resource.js';
import type { IndexedRevision } from '../mvcc/key-index.js';
import { monthlyUsd } from '../cost/estimate.js';
import type { PriceTable } from '../cost/prices.js';
import type { QueryState } from './query-state.js';
import type { WasteFleet } from './waste-fleet.js';
import { recordAt } from './read-back.js';
import {
  boundedBy,
  DAY_MS,
  days,
  firstSeen,
  goneSince,
  oldestFirst,
  sinceWhen,
  timeOfEntry,
  type Since,
} from './waste-history.js';

export interface LeftoverWaste {
  key: string;
  type: ResourceRecord['type'];
  account: string;
  name: string | null;
  owner: string | null;
  state: string | null;
  /** What the age counts from: `unassociated`, `source-gone`, `last-used`, `unused`. */
  since: 'unassociated' | 'source-gone' | 'last-used' | 'unused';
  sinceMs: number | null;
  ageDays: number | null;
  ageAtLeast: boolean;
  /** What it points at (a volume id, a source, the image's last instance), for the reader. */
  detail: string | null;
  monthlyUsd: number | null;
}

export interface LeftoverSections {
  unassociatedAddresses: LeftoverWaste[];
  orphanSnapshots: LeftoverWaste[];
  unusedImages: LeftoverWaste[];
  orphanRdsSnapshots: LeftoverWaste[];
  unusedGcpAddresses: LeftoverWaste[];
  orphanGcpSnapshots: LeftoverWaste[];
}

export interface LeftoverOptions {
  idleDays: number;
  nowMs: number;
  prices: PriceTable;
}

/** `aws/<account>/<region>/<type>/<id>`: a sibling key of `r` of another type. */
function sibling(r: ResourceRecord, type: string, id: string): string {
  return `${r.provider}/${r.account}/${r.region}/${type}/${id}`;
}

function str(r: ResourceRecord, attr: string): string | null {
  const v = r.attrs[attr];
  return typeof v === 'string' ? v : null;
}

type Row = (
  r: ResourceRecord,
  since: LeftoverWaste['since'],
  at: Since,
  detail: string | null,
) => LeftoverWaste;

/** What the rules look up across records: snapshots owned images use, images live instances use. */
interface InUse {
  snapshots: Set<string>;
  images: Set<string>;
}

function inUse(fleet: WasteFleet): InUse {
  const used: InUse = { snapshots: new Set(), images: new Set() };
  for (const r of fleet.of('ec2.image')) {
    for (const s of asStrings(r.attrs['snapshotIds'])) {
      used.snapshots.add(sibling(r, 'ec2.snapshot', s));
    }
  }
  for (const r of fleet.of('ec2.instance')) {
    const image = str(r, 'imageId');
    if (image !== null) used.images.add(sibling(r, 'ec2.image', image));
  }
  return used;
}

/** The types the leftover rules look at (ruleOf), besides images. */
const LEFTOVER_TYPES = ['ec2.address', 'ec2.snapshot', 'rds.snapshot', 'gce.address', 'gce.snapshot'] as const;

export function leftoverWaste(state: QueryState, fleet: WasteFleet, o: LeftoverOptions): LeftoverSections {
  const out: LeftoverSections = {
    unassociatedAddresses: [], orphanSnapshots: [], unusedImages: [],
    orphanRdsSnapshots: [], unusedGcpAddresses: [], orphanGcpSnapshots: [],
  };
  const row: Row = (r, since, at, detail) => ({
    key: r.key, type: r.type, account: r.account, name: r.name, owner: r.owner, state: r.state,
    since, sinceMs: at.ms, ageDays: days(o.nowMs, at.ms), ageAtLeast: at.atLeast, detail,
    monthlyUsd: monthlyUsd(r, o.prices),
  });
  const used = inUse(fleet);
  const candidateImages = fleet.of('ec2.image').filter((r) => !used.images.has(r.key));
  for (const type of LEFTOVER_TYPES) {
    for (const r of fleet.of(type)) ruleOf(state, r, o, used, row, out);
  }
  for (const w of unusedImages(state, candidateImages, row)) {
    if (idleLongEnough(w.sinceMs, o)) out.unusedImages.push(w);
  }
  for (const list of Object.values(out) as LeftoverWaste[][]) {
    list.sort((a, b) => oldestFirst(a.sinceMs, b.sinceMs, a.key, b.key));
  }
  return out;
}

function idleLongEnough(sinceMs: number | null, o: LeftoverOptions): boolean {
  return sinceMs !== null && o.nowMs - sinceMs >= o.idleDays * DAY_MS;
}

/** The one rule `r` may fall under (types are disjoint), adding its row when it does. */
function ruleOf(
  state: QueryState,
  r: ResourceRecord,
  o: LeftoverOptions,
  used: InUse,
  row: Row,
  out: LeftoverSections,
): void {
  const live = (key: string): boolean => state.current.get(key) !== undefined;
  switch (r.type) {
    case 'ec2.address': {
      if (r.state !== 'unassociated') return;
      const at = sinceWhen(state, r.key, (x) => x.state === 'unassociated');
      if (!idleLongEnough(at.ms, o)) return;
      out.unassociatedAddresses.push(row(r, 'unassociated', at, str(r, 'publicIp')));
      return;
    }
    case 'ec2.snapshot': {
      const volume = str(r, 'volumeId');
      const volumeKey = volume === null ? null : sibling(r, 'ec2.volume', volume);
      const startedMs = Date.parse(str(r, 'startTime') ?? '');
      if (used.snapshots.has(r.key) || !idleLongEnough(startedMs, o)) return;
      if (volumeKey !== null && live(volumeKey)) return;
      const gone = volumeKey === null ? null : goneSince(state, volumeKey);
      const at = boundedBy(gone, r.attrs['startTime']);
      out.orphanSnapshots.push(row(r, 'source-gone', at, volume));
      return;
    }
    case 'rds.snapshot': {
      const source = str(r, 'source');
      const type = str(r, 'sourceKind') === 'cluster' ? 'rds.cluster' : 'rds.instance';
      const sourceKey = source === null ? null : sibling(r, type, source);
      if (sourceKey !== null && live(sourceKey)) return;
      const gone = sourceKey === null ? null : goneSince(state, sourceKey);
      const at = boundedBy(gone, r.attrs['createTime']);
      const detail = source === null ? null : `${type} ${source}`;
      out.orphanRdsSnapshots.push(row(r, 'source-gone', at, detail));
      return;
    }
    case 'gce.address': {
      const unused = (x: ResourceRecord): boolean => asStrings(x.attrs['users']).length === 0;
      if (!unused(r)) return;
      const at = boundedBy(sinceWhen(state, r.key, unused), r.attrs['createTime']);
      out.unusedGcpAddresses.push(row(r, 'unused', at, str(r, 'address')));
      return;
    }
    case 'gce.snapshot': {
      const gone = gcpSourceGone(state, r);
      if (gone === false) return;
      const at = boundedBy(gone, r.attrs['createTime']);
      out.orphanGcpSnapshots.push(row(r, 'source-gone', at, str(r, 'sourceDisk')));
      return;
    }
    default:
      return;
  }
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Whether a GCE snapshot's source disk is gone: false if the disk (that very disk, by
 * numeric id) is live; else since when (null: Elava never saw it go).
 */
function gcpSourceGone(state: QueryState, r: ResourceRecord): Since | null | false {
  const path = str(r, 'sourceDisk'); // zones/<z>/disks/<name>
  const m = path === null ? null : /^zones\/([^/]+)\/disks\/([^/]+)$/.exec(path);
  if (m === null) return null;
  const key = `gcp/${r.account}/${m[1] ?? ''}/gce.disk/${m[2] ?? ''}`;
  const live = state.current.get(key);
  const wantId = str(r, 'sourceDiskId');
  if (live !== undefined && (wantId === null || live.attrs['numericId'] === wantId)) return false;
  if (live !== undefined) return firstSeen(state, key); // replaced by another disk of the name
  return goneSince(state, key);
}

/**
 * Since when no instance has used each candidate image: the latest tombstone of an
 * instance whose last record names the image (every generation of every instance key of
 * the image's account and region is looked at); never seen used: its creation date.
 */
function unusedImages(
  state: QueryState,
  images: readonly ResourceRecord[],
  row: Row,
): LeftoverWaste[] {
  if (images.length === 0) return [];
  const lastUse = new Map<string, { at: Since; instance: string }>();
  const wanted = new Set(images.map((i) => i.key));
  for (const ki of state.index.keyIndexes()) {
    const parts = ki.key.split('/');
    if (parts[3] !== 'ec2.instance') continue;
    const history = ki.history();
    for (let i = 1; i < history.length; i++) {
      const end = history[i] as IndexedRevision;
      const put = history[i - 1] as IndexedRevision;
      if (!end.tombstone || put.tombstone) continue; // the last record of each ended lifetime
      const image = str(recordAt(state, ki.key, put), 'imageId');
      if (image === null) continue;
      const imageKey = `aws/${parts[1] ?? ''}/${parts[2] ?? ''}/ec2.image/${image}`;
      if (!wanted.has(imageKey)) continue;
      const at = timeOfEntry(state, end, false);
      const seen = lastUse.get(imageKey);
      if (seen === undefined || (at.ms ?? 0) > (seen.at.ms ?? 0)) {
        lastUse.set(imageKey, { at, instance: parts[4] ?? '' });
      }
    }
  }
  return images.map((img) => {
    const used = lastUse.get(img.key);
    if (used !== undefined) return row(img, 'last-used', used.at, `last used by ${used.instance}`);
    return row(img, 'last-used', boundedBy(null, img.attrs['creationDate']), 'never seen used');
  });
}
