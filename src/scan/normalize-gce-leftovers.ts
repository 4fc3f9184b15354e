/**
 * GCE static addresses (regional from the aggregated listing, global from
 * GlobalAddresses.list), snapshots and images (Snapshots.list / Images.list of the project),
 * to resource records. Names are the ids, as for instances and disks; the region of a key
 * is the address's region, or `global` for global addresses, snapshots and images.
 *
 * Relationships as attributes, as project-relative paths so that they name a key:
 * address → `users` (`zones/<z>/instances/<name>`, `regions/<r>/forwardingRules/<name>`),
 * snapshot/image → `sourceDisk` (`zones/<z>/disks/<name>`) plus `sourceDiskId` (the disk's
 * numeric id, which tells a recreated disk of the same name from the original).
 *
 * Left out as volatile: label fingerprints, snapshot `storageBytesStatus`, `downloadBytes`.
 */
import type { protos } from '@google-cloud/compute';
import { resourceKey, type AttrValue, type ResourceRecord, type ResourceType } from '../model/resource.js';
import {
  deriveOwner,
  isoOrNull,
  numberOrNull,
  shortName,
  sortedAttrs,
  sortedStrings,
  stringOrNull,
  type NormalizeOptions,
} from './normalize-common.js';
import { gcpLabels, int64String, requireName } from './normalize-gce.js';

export type GceAddress = protos.google.cloud.compute.v1.IAddress;
export type GceSnapshot = protos.google.cloud.compute.v1.ISnapshot;
export type GceImage = protos.google.cloud.compute.v1.IImage;

/** `https://…/projects/p/zones/z/disks/d` → `zones/z/disks/d`; null when there is no `projects/`. */
export function projectRelative(url: string | null | undefined): string | null {
  if (url === null || url === undefined || url === '') return null;
  const at = url.indexOf('projects/');
  if (at === -1) return url;
  const rest = url.slice(at + 'projects/'.length);
  const slash = rest.indexOf('/');
  return slash === -1 ? null : rest.slice(slash + 1);
}

export function normalizeGceAddress(
  project: string,
  region: string,
  address: GceAddress,
  options: NormalizeOptions,
): ResourceRecord {
  const attrs = sortedAttrs({
    address: stringOrNull(address.address),
    addressType: stringOrNull(address.addressType),
    createTime: isoOrNull(address.creationTimestamp),
    networkTier: stringOrNull(address.networkTier),
    numericId: int64String(address.id),
    purpose: stringOrNull(address.purpose),
    users: sortedStrings((address.users ?? []).map(projectRelative)),
  });
  return record(project, region, 'gce.address', address.name, address.status, address.labels, attrs, options);
}

export function normalizeGceSnapshot(
  project: string,
  snapshot: GceSnapshot,
  options: NormalizeOptions,
): ResourceRecord {
  const attrs = sortedAttrs({
    createTime: isoOrNull(snapshot.creationTimestamp),
    diskSizeGb: numberOrNull(int64String(snapshot.diskSizeGb)),
    numericId: int64String(snapshot.id),
    snapshotType: stringOrNull(snapshot.snapshotType),
    sourceDisk: projectRelative(snapshot.sourceDisk),
    sourceDiskId: int64String(snapshot.sourceDiskId),
    storageBytes: numberOrNull(int64String(snapshot.storageBytes)),
    storageLocations: sortedStrings(snapshot.storageLocations ?? []),
  });
  const labels = snapshot.labels;
  return record(project, 'global', 'gce.snapshot', snapshot.name, snapshot.status, labels, attrs, options);
}

export function normalizeGceImage(
  project: string,
  image: GceImage,
  options: NormalizeOptions,
): ResourceRecord {
  const attrs = sortedAttrs({
    archiveSizeBytes: numberOrNull(int64String(image.archiveSizeBytes)),
    createTime: isoOrNull(image.creationTimestamp),
    diskSizeGb: numberOrNull(int64String(image.diskSizeGb)),
    family: stringOrNull(image.family),
    numericId: int64String(image.id),
    sourceDisk: projectRelative(image.sourceDisk),
    sourceDiskId: int64String(image.sourceDiskId),
    sourceImage: shortName(image.sourceImage),
  });
  return record(project, 'global', 'gce.image', image.name, image.status, image.labels, attrs, options);
}

function record(
  project: string,
  region: string,
  type: ResourceType,
  rawName: string | null | undefined,
  status: string | null | undefined,
  rawLabels: { [k: string]: string } | null | undefined,
  attrs: Record<string, AttrValue>,
  options: NormalizeOptions,
): ResourceRecord {
  const name = requireName(rawName);
  const labels = gcpLabels(rawLabels);
  return {
    key: resourceKey('gcp', project, region, type, name),
    provider: 'gcp',
    account: project,
    region,
    type,
    id: name,
    name,
    state: stringOrNull(status),
    owner: deriveOwner(labels, options.ownerTagKeys),
    tags: labels,
    attrs,
  };
}
