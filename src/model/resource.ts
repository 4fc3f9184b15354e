/**
 * The normalized view of one cloud resource, as the scanners produce it and the
 * projections keep it. Nothing volatile lives here: scanning an untouched resource
 * twice yields records that encode to identical bytes.
 */

export type Provider = 'aws' | 'gcp';

export type ResourceType =
  | 'ec2.instance'
  | 'ec2.volume'
  | 'ec2.address'
  | 'ec2.snapshot'
  | 'ec2.image'
  | 'rds.instance'
  | 'rds.cluster'
  | 'rds.snapshot'
  | 'gce.instance'
  | 'gce.disk'
  | 'gce.address'
  | 'gce.snapshot'
  | 'gce.image';

export const RESOURCE_TYPES: readonly ResourceType[] = [
  'ec2.instance',
  'ec2.volume',
  'ec2.address',
  'ec2.snapshot',
  'ec2.image',
  'rds.instance',
  'rds.cluster',
  'rds.snapshot',
  'gce.instance',
  'gce.disk',
  'gce.address',
  'gce.snapshot',
  'gce.image',
];

/** A scalar or a list/map of scalars: what a resource attribute may hold. */
export type AttrValue =
  | string
  | number
  | boolean
  | null
  | readonly AttrValue[]
  | { readonly [k: string]: AttrValue };

/**
 * `provider/account/region/type/id`, e.g. `aws/123456789012/us-east-1/ec2.volume/vol-0a1b`.
 * For GCP, account is the project and region is the zone (instances, disks), the region
 * (regional addresses) or `global` (global addresses, snapshots, images).
 */
export type ResourceKey = string;

export interface ResourceRecord {
  key: ResourceKey;
  provider: Provider;
  account: string;
  region: string;
  type: ResourceType;
  id: string;
  name: string | null;
  state: string | null;
  /** Derived from the configured owner tag keys, first match wins; null when untagged. */
  owner: string | null;
  /** Every tag or label, keys sorted. */
  tags: Record<string, string>;
  /** Type-specific attributes, keys sorted. */
  attrs: Record<string, AttrValue>;
}

export function resourceKey(
  provider: Provider,
  account: string,
  region: string,
  type: ResourceType,
  id: string,
): ResourceKey {
  // Joined, not a template literal: V8 builds a template of 13 characters or more as a tree
  // of its parts (a cons string), flattened by the first comparison, hash or startsWith.
  // Change detection met each fresh scan's keys so, scattered in the heap by then: at a
  // million resources the flattening alone took ~1.2 s of a cycle's detection (a CPU
  // profile of `npm run bench -- scan`). Joined, the key is one flat string from the start,
  // made while its parts are at hand.
  return [provider, account, region, type, id].join('/');
}
