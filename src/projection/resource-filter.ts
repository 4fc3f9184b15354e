/**
 * Filters over resource records, for list queries and waste reports. Every field given must
 * match (AND); an empty filter matches everything.
 */
import type { Provider, ResourceRecord, ResourceType } from '../model/resource.js';

export interface ResourceFilter {
  type?: ResourceType;
  /** An owner, or null for resources without one (unowned). */
  owner?: string | null;
  /** A tag key that must be present, with this value when `value` is given. */
  tag?: { key: string; value?: string };
  /** True: resources with no tags at all; false: resources with at least one. */
  untagged?: boolean;
  state?: string | null;
  /** A key prefix, e.g. from scopePrefix('aws', '123456789012', 'us-east-1'). */
  keyPrefix?: string;
}

/** The key prefix of a provider, account or region: `aws/`, `aws/123/`, `aws/123/us-east-1/`. */
export function scopePrefix(provider: Provider, account?: string, region?: string): string {
  if (account === undefined) return `${provider}/`;
  if (region === undefined) return `${provider}/${account}/`;
  return `${provider}/${account}/${region}/`;
}

export function matchesFilter(record: ResourceRecord, filter: ResourceFilter): boolean {
  if (filter.type !== undefined && record.type !== filter.type) return false;
  if (filter.owner !== undefined && record.owner !== filter.owner) return false;
  if (filter.state !== undefined && record.state !== filter.state) return false;
  if (filter.keyPrefix !== undefined && !record.key.startsWith(filter.keyPrefix)) return false;
  if (filter.tag !== undefined) {
    if (!Object.hasOwn(record.tags, filter.tag.key)) return false;
    if (filter.tag.value !== undefined && record.tags[filter.tag.key] !== filter.tag.value) return false;
  }
  if (filter.untagged !== undefined && isUntagged(record) !== filter.untagged) return false;
  return true;
}

function isUntagged(record: ResourceRecord): boolean {
  for (const _ in record.tags) return false;
  return true;
}
