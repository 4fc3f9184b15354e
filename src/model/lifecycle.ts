/**
 * Which listed states mean "this resource no longer exists". Some APIs keep listing a
 * resource for a while after it is gone: EC2 lists a terminated instance (state
 * `terminated`) for about an hour, and DescribeVolumes may show a volume as `deleted`.
 * Such a listing is direct evidence of absence, so change detection treats a gone record
 * like a missing one (`disappeared`), even from a failed scope (see src/changes/detect.ts).
 *
 * Not gone, on purpose (the resource still exists, and usually still costs money):
 * - EC2 `shutting-down` (the instance is still there) and EBS `deleting`;
 * - RDS `deleting`: RDS has no terminal status; a deleted DB instance leaves the listing;
 * - GCE instance `TERMINATED`: that is a *stopped* instance, it can be started again;
 * - GCE disk `DELETING`: like RDS, a deleted disk leaves the listing.
 * - Elastic IPs and GCE addresses have no gone state: a released address leaves the listing.
 * - EBS snapshot `error` (the copy failed, but the snapshot is listed and billed until
 *   deleted) and `recoverable` (in the Recycle Bin, billed); a deleted snapshot leaves the
 *   listing (DescribeSnapshots documents no `deleted` state).
 * - AMI `failed`/`error`/`disabled`: still registered. Only `deregistered` is gone: EC2 may
 *   list a deregistered image for a short while (like a terminated instance).
 * - RDS clusters and snapshots (`deleting` included) and GCE snapshots/images (`DELETING`):
 *   like RDS instances, a deleted one leaves the listing.
 */
import type { ResourceRecord, ResourceType } from './resource.js';

/** Per type, the states in which a listed resource is already gone. */
export const GONE_STATES: { readonly [T in ResourceType]: readonly string[] } = {
  'ec2.instance': ['terminated'],
  'ec2.volume': ['deleted'],
  'ec2.address': [],
  'ec2.snapshot': [],
  'ec2.image': ['deregistered'],
  'rds.instance': [],
  'rds.cluster': [],
  'rds.snapshot': [],
  'gce.instance': [],
  'gce.disk': [],
  'gce.address': [],
  'gce.snapshot': [],
  'gce.image': [],
};

/** Whether a listed record says its resource is gone (terminated, deleted). */
export function isGoneRecord(record: ResourceRecord): boolean {
  const state = record.state;
  if (state === null) return false;
  const gone = GONE_STATES[record.type];
  for (let i = 0; i < gone.length; i++) if (gone[i] === state) return true;
  return false;
}
