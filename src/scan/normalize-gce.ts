/**
 * GCE instances and persistent disks, from the Compute API's aggregated listings to
 * resource records. GCP names are unique per zone and are what people know, so the name is
 * the id in the key (`gcp/<project>/<zone>/gce.instance/<name>`); the numeric id is kept
 * as `attrs.numericId`, so a resource deleted and recreated under the same name between
 * two scans shows up as a change of that attribute.
 *
 * Left out as volatile: lastStartTimestamp/lastStopTimestamp, fingerprints, status messages.
 */
import type { protos } from '@google-cloud/compute';
import { resourceKey, type ResourceRecord } from '../model/resource.js';
import {
  deriveOwner,
  isoOrNull,
  numberOrNull,
  shortName,
  sortedAttrs,
  sortedStrings,
  sortedTags,
  stringOrNull,
  type NormalizeOptions,
} from './normalize-common.js';
import { ScanError } from './scan-error.js';

export type GceInstance = protos.google.cloud.compute.v1.IInstance;
export type GceDisk = protos.google.cloud.compute.v1.IDisk;

/** int64 fields arrive as number, decimal string or protobuf Long, depending on transport. */
type Int64 = number | string | { toString(): string } | null | undefined;

export function normalizeGceInstance(
  project: string,
  zone: string,
  instance: GceInstance,
  options: NormalizeOptions,
): ResourceRecord {
  const name = requireName(instance.name);
  const labels = gcpLabels(instance.labels);
  const interfaces = instance.networkInterfaces ?? [];
  const internal = sortedStrings(interfaces.map((n) => n.networkIP));
  const external = sortedStrings(interfaces.flatMap((n) => (n.accessConfigs ?? []).map((c) => c.natIP)));
  const scheduling = instance.scheduling;
  const attrs = sortedAttrs({
    disks: sortedStrings((instance.disks ?? []).map((d) => shortName(d.source))),
    ips: { external, internal },
    machineType: shortName(instance.machineType),
    numericId: int64String(instance.id),
    preemptible: scheduling?.preemptible === true || scheduling?.provisioningModel === 'SPOT',
    zone,
  });
  return {
    key: resourceKey('gcp', project, zone, 'gce.instance', name),
    provider: 'gcp',
    account: project,
    region: zone,
    type: 'gce.instance',
    id: name,
    name,
    state: stringOrNull(instance.status),
    owner: deriveOwner(labels, options.ownerTagKeys),
    tags: labels,
    attrs,
  };
}

export function normalizeGceDisk(
  project: string,
  zone: string,
  disk: GceDisk,
  options: NormalizeOptions,
): ResourceRecord {
  const name = requireName(disk.name);
  const labels = gcpLabels(disk.labels);
  const attrs = sortedAttrs({
    createTime: isoOrNull(disk.creationTimestamp), // fixed for the disk's life (waste ages)
    numericId: int64String(disk.id),
    sizeGb: numberOrNull(int64String(disk.sizeGb)),
    type: shortName(disk.type),
    users: sortedStrings((disk.users ?? []).map(shortName)),
    zone,
  });
  return {
    key: resourceKey('gcp', project, zone, 'gce.disk', name),
    provider: 'gcp',
    account: project,
    region: zone,
    type: 'gce.disk',
    id: name,
    name,
    state: stringOrNull(disk.status),
    owner: deriveOwner(labels, options.ownerTagKeys),
    tags: labels,
    attrs,
  };
}

export function gcpLabels(labels: { [k: string]: string } | null | undefined): Record<string, string> {
  return sortedTags(Object.entries(labels ?? {}).map(([key, value]) => ({ key, value })));
}

/** The zone of an aggregated-list scope key (`zones/us-central1-a` → `us-central1-a`), or null. */
export function zoneOfScopeKey(scopeKey: string): string | null {
  return scopeKey.startsWith('zones/') && scopeKey.length > 'zones/'.length ? scopeKey.slice('zones/'.length) : null;
}

export function requireName(name: string | null | undefined): string {
  if (name === null || name === undefined || name === '' || name.includes('/')) {
    throw new ScanError('malformed-response', `listed resource has no usable name: ${String(name)}`);
  }
  return name;
}

export function int64String(value: Int64): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : value.toString();
  return text === '' ? null : text;
}
