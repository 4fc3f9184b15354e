/**
 * RDS DB instances, from DescribeDBInstances output to resource records. The id is the
 * DB instance identifier (what people know and what the console shows); the name is the
 * same identifier. `state` is DBInstanceStatus.
 *
 * Left out as volatile: LatestRestorableTime, pending maintenance, endpoint hosted zone.
 */
import type { DBInstance } from '@aws-sdk/client-rds';
import { resourceKey, type ResourceRecord } from '../model/resource.js';
import {
  booleanOrNull,
  deriveOwner,
  numberOrNull,
  sortedAttrs,
  sortedTags,
  stringOrNull,
  type NormalizeOptions,
} from './normalize-common.js';
import { requireId } from './normalize-ec2.js';

export function normalizeRdsInstance(
  account: string,
  region: string,
  db: DBInstance,
  options: NormalizeOptions,
): ResourceRecord {
  const id = requireId(db.DBInstanceIdentifier, 'DBInstanceIdentifier');
  const tags = sortedTags((db.TagList ?? []).map((t) => ({ key: t.Key, value: t.Value })));
  const attrs = sortedAttrs({
    availabilityZone: stringOrNull(db.AvailabilityZone),
    backupRetentionDays: numberOrNull(db.BackupRetentionPeriod),
    class: stringOrNull(db.DBInstanceClass),
    encrypted: booleanOrNull(db.StorageEncrypted),
    engine: stringOrNull(db.Engine),
    engineVersion: stringOrNull(db.EngineVersion),
    multiAz: booleanOrNull(db.MultiAZ),
    publiclyAccessible: booleanOrNull(db.PubliclyAccessible),
    storageGiB: numberOrNull(db.AllocatedStorage),
    storageType: stringOrNull(db.StorageType),
  });
  return {
    key: resourceKey('aws', account, region, 'rds.instance', id),
    provider: 'aws',
    account,
    region,
    type: 'rds.instance',
    id,
    name: id,
    state: stringOrNull(db.DBInstanceStatus),
    owner: deriveOwner(tags, options.ownerTagKeys),
    tags,
    attrs,
  };
}
