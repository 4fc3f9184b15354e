/**
 * A scope is one listing unit: provider × account/project × region/zone × resource type.
 * Its string form `provider/account/region/type` is also the prefix of every resource key
 * listed in it (`<scope>/<id>`), so "the keys of a scope" is a prefix range.
 *
 * Invariant: only a scope whose listing came back in full (`status: 'complete'`) can
 * prove that a resource is gone. A failed scope carries the records it saw before it
 * failed (`partialRecords`), which may be reported as appeared/changed but never as
 * evidence of absence.
 *
 * GCP: an aggregated listing covers every zone of a project at once, but a zone can come
 * back as unreachable while the rest succeed. So GCP scopes are per zone
 * (`gcp/<project>/<zone>/gce.instance`): each zone of the listing yields its own result.
 * When a GCP listing fails before any zone is known, the failure is reported against the
 * region `global` (a scope that owns no instance or disk keys, so it can never cause a
 * disappearance).
 *
 * `global` is also a real location: global addresses, snapshots and images live there,
 * each type listed by its own project-wide listing (`gcp/<project>/global/gce.snapshot`).
 * The two meanings never meet in one scope: zonal types (instances, disks) have no global
 * resources, so their `global` scope only ever reports a failure; the regional address
 * listing reports a project-wide failure against `all-regions` (GCP_ALL_REGIONS), never
 * against `global`, which belongs to the global address listing alone. And a failed scope
 * never proves absence anyway.
 */
import assert from 'node:assert/strict';
import type { Provider, ResourceRecord, ResourceType } from './resource.js';
import type { ScopeError } from './events.js';
import type { ListingBytes } from './listing-bytes.js';

export interface Scope {
  readonly provider: Provider;
  /** AWS account id, or GCP project id. */
  readonly account: string;
  /** AWS region; GCP zone, region or `global` (see above). */
  readonly region: string;
  readonly type: ResourceType;
}

/** The region of a GCP scope that stands for "the whole project's listing". */
export const GCP_GLOBAL_REGION = 'global';

/** Where a regional aggregated listing (addresses) that failed before naming a region reports. */
export const GCP_ALL_REGIONS = 'all-regions';

export function scopeString(scope: Scope): string {
  assert.ok(!scope.account.includes('/') && !scope.region.includes('/'), 'scope parts hold no "/"');
  return `${scope.provider}/${scope.account}/${scope.region}/${scope.type}`;
}

/** Every key of a resource listed in `scope` starts with this prefix. */
export function scopePrefix(scope: Scope): string {
  return `${scopeString(scope)}/`;
}

/**
 * The scopePrefix of the scope `key` belongs to: the key up to its fourth "/" (scope parts
 * hold none; an id may), or null for a key of no scope.
 */
export function scopePrefixOfKey(key: string): string | null {
  let at = -1;
  for (let parts = 0; parts < 4; parts++) {
    at = key.indexOf('/', at + 1);
    if (at < 0) return null;
  }
  return key.slice(0, at + 1);
}

export interface CompleteScan {
  readonly scope: Scope;
  readonly status: 'complete';
  readonly records: readonly ResourceRecord[];
  readonly durationMs: number;
  /** The records as bytes, in the same order (written by the scan; optional). */
  readonly bytes?: ListingBytes;
}

export interface FailedScan {
  readonly scope: Scope;
  readonly status: 'failed';
  readonly error: ScopeError;
  /** What was listed before the failure; never proof of absence. */
  readonly partialRecords: readonly ResourceRecord[];
  readonly durationMs: number;
  /** The partial records as bytes, in the same order (written by the scan; optional). */
  readonly bytes?: ListingBytes;
}

export type ScanResult = CompleteScan | FailedScan;

/** The records a result observed, whatever its status. */
export function observedRecords(result: ScanResult): readonly ResourceRecord[] {
  return result.status === 'complete' ? result.records : result.partialRecords;
}

/** The bytes of the records a result observed, when it has bytes for each of them. */
export function observedBytes(result: ScanResult): ListingBytes | undefined {
  const bytes = result.bytes;
  return bytes !== undefined && bytes.count === observedRecords(result).length ? bytes : undefined;
}

/** Orders results by scope string, so a cycle's output does not depend on timing. */
export function compareResults(a: ScanResult, b: ScanResult): number {
  const sa = scopeString(a.scope);
  const sb = scopeString(b.scope);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
