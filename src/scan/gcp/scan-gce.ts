/**
 * GCE instances or disks (zonal) or static addresses (regional) of one project, through
 * the aggregated listing, split into one scope per zone or region
 * (`gcp/<project>/<zone>/<type>`, `gcp/<project>/<region>/gce.address`). Below, "zone"
 * stands for the location of the type: a zone, or a region for addresses.
 *
 * Which zones a result is reported for: the zones from the config, every `zones/<zone>`
 * key the listing returned (Compute lists empty zones too, with a NO_RESULTS_ON_PAGE
 * warning), and every zone named unreachable.
 *
 * A zone is complete only when the listing's last page came back and the zone was never
 * reported unreachable (in `unreachables`, or as an UNREACHABLE warning on its scoped
 * list) on any page. If any page fails after retries, every zone is failed with that
 * reason — the zones' lists straddle pages, so none of them is known to be whole. If no
 * zone is known at all, the failure is reported against the type's no-location scope:
 * `gcp/<project>/global/<type>` for zonal types (which own no global keys), but
 * `gcp/<project>/all-regions/gce.address` for addresses, whose `global` scope is the
 * complete listing of global addresses (scan-gce-global.ts) and must not be confused with
 * a failure of the regional one.
 *
 * The aggregated address listing's own `global` entry is skipped: global addresses come
 * from their own listing. Regional disks (`regions/<region>` keys of disks) are not
 * scanned yet.
 */
import type { protos } from '@google-cloud/compute';
import { ListingBytes } from '../../model/listing-bytes.js';
import type { ResourceRecord } from '../../model/resource.js';
import type { ScopeError } from '../../model/events.js';
import { normalizeGceDisk, normalizeGceInstance, zoneOfScopeKey } from '../normalize-gce.js';
import { normalizeGceAddress, type GceAddress } from '../normalize-gce-leftovers.js';
import type { ResourceRecord as Rec } from '../../model/resource.js';
import type { NormalizeOptions } from '../normalize-common.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { PageTokens } from '../page-tokens.js';
import { SCAN_RECORDS_PER_SCOPE_MAX } from '../scan-limits.js';
import { ScanError, throwIfAborted } from '../scan-error.js';
import { GCP_ALL_REGIONS, GCP_GLOBAL_REGION, type ScanResult } from '../../model/scope.js';
import { fetchAggregatedPage, type AggregatedClient, type AggregatedPage } from './aggregated-page.js';
import { classifyGcpError, isRetryableGcpError } from './classify-gcp-error.js';
import type { GcpClientFactory } from './gcp-clients.js';

type ScopedInstances = protos.google.cloud.compute.v1.IInstancesScopedList;
type ScopedDisks = protos.google.cloud.compute.v1.IDisksScopedList;
type ScopedAddresses = protos.google.cloud.compute.v1.IAddressesScopedList;
type ScopedList = ScopedInstances | ScopedDisks | ScopedAddresses;

export type GceType = 'gce.instance' | 'gce.disk' | 'gce.address' | 'gce.snapshot' | 'gce.image';
/** The types listed through an aggregated listing. */
export type GceAggregatedType = 'gce.instance' | 'gce.disk' | 'gce.address';

/** How each aggregated listing is asked for and read. */
interface AggregatedKind {
  /** The `kind` of every page. */
  readonly listKind: string;
  /** `zones/` or `regions/`: the scope keys that hold this type. */
  readonly prefix: string;
  /** The region of the scope a project-wide failure is reported against. */
  readonly noLocationRegion: string;
  client(clients: GcpClientFactory): AggregatedClient;
  records(project: string, location: string, list: ScopedList, o: NormalizeOptions): Rec[];
}

const KINDS: Readonly<Record<GceAggregatedType, AggregatedKind>> = {
  'gce.instance': {
    listKind: 'compute#instanceAggregatedList',
    prefix: 'zones/',
    noLocationRegion: GCP_GLOBAL_REGION,
    client: (c) => c.instances(),
    records: (p, z, list, o) =>
      ((list as ScopedInstances).instances ?? []).map((i) => normalizeGceInstance(p, z, i, o)),
  },
  'gce.disk': {
    listKind: 'compute#diskAggregatedList',
    prefix: 'zones/',
    noLocationRegion: GCP_GLOBAL_REGION,
    client: (c) => c.disks(),
    records: (p, z, list, o) =>
      ((list as ScopedDisks).disks ?? []).map((d) => normalizeGceDisk(p, z, d, o)),
  },
  'gce.address': {
    listKind: 'compute#addressAggregatedList',
    prefix: 'regions/',
    noLocationRegion: GCP_ALL_REGIONS,
    client: (c) => c.addresses(),
    records: (p, r, list, o) =>
      ((list as ScopedAddresses).addresses ?? []).map((a: GceAddress) => normalizeGceAddress(p, r, a, o)),
  },
};

export interface GcpProjectScan {
  project: string;
  type: GceAggregatedType;
  /** Zones known from the config; a known zone with nothing in it is complete and empty. */
  knownZones: readonly string[];
  normalize: NormalizeOptions;
  /** maxResults per page; null leaves it to the service. */
  pageSize: number | null;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  signal?: AbortSignal;
}

/** What a listing collected so far, zone by zone. */
interface ZoneTally {
  records: Map<string, ResourceRecord[]>;
  /** The same records as bytes, by zone, written page by page (src/model/listing-bytes.ts). */
  bytes: Map<string, ListingBytes>;
  /** Zones the listing itself named (with items or a warning): only these can be complete. */
  listed: Set<string>;
  unreachable: Set<string>;
  /** An unreachable entry that names no zone: every zone of the project is in doubt. */
  allInDoubt: boolean;
  count: number;
}

export async function scanGceProject(clients: GcpClientFactory, scan: GcpProjectScan): Promise<ScanResult[]> {
  const startedMs = performance.now();
  const tally: ZoneTally = { records: new Map(), bytes: new Map(), listed: new Set(), unreachable: new Set(), allInDoubt: false, count: 0 };
  for (const zone of scan.knownZones) tally.records.set(zone, []);
  let failure: ScopeError | null = null;
  try {
    const tokens = new PageTokens(`aggregated list of ${scan.type}`);
    let pageToken: string | null = null;
    do {
      const token: string | null = pageToken;
      const result: AggregatedPage<ScopedList> = await withRetry(
        () => fetchPage(clients, scan, token),
        scan.retry,
        isRetryableGcpError,
        scan.signal,
      );
      addPage(scan, result, tally);
      pageToken = tokens.next(result.nextPageToken);
    } while (pageToken !== null);
    throwIfAborted(scan.signal);
  } catch (err) {
    failure = classifyGcpError(err, scan.signal);
  }
  return zoneResults(scan, tally, failure, performance.now() - startedMs);
}

function fetchPage(
  clients: GcpClientFactory,
  scan: GcpProjectScan,
  pageToken: string | null,
): Promise<AggregatedPage<ScopedList>> {
  const kind = KINDS[scan.type];
  return fetchAggregatedPage<ScopedList>(
    kind.client(clients),
    {
      project: scan.project,
      kind: kind.listKind,
      pageToken,
      maxResults: scan.pageSize,
      timeoutMs: scan.requestTimeoutMs,
    },
    scan.signal,
  );
}

function addPage(scan: GcpProjectScan, page: AggregatedPage<ScopedList>, tally: ZoneTally): void {
  const kind = KINDS[scan.type];
  for (const [scopeKey, list] of page.items) {
    const zone = locationOfScopeKey(scopeKey, kind.prefix);
    if (zone === null) continue; // other scopes (global, or regions for a zonal type) hold none
    let bucket = tally.records.get(zone);
    if (bucket === undefined) tally.records.set(zone, (bucket = []));
    tally.listed.add(zone);
    if (list.warning?.code === 'UNREACHABLE') tally.unreachable.add(zone);
    const records = kind.records(scan.project, zone, list, scan.normalize);
    let bytes = tally.bytes.get(zone);
    if (bytes === undefined) tally.bytes.set(zone, (bytes = new ListingBytes()));
    for (const r of records) {
      bucket.push(r);
      bytes.append(r);
    }
    tally.count += records.length;
  }
  if (tally.count > SCAN_RECORDS_PER_SCOPE_MAX) {
    throw new ScanError('malformed-response', `listing returned over ${SCAN_RECORDS_PER_SCOPE_MAX} resources`);
  }
  for (const entry of page.unreachables) {
    const zone = locationOfUnreachable(entry, kind.prefix);
    if (zone === null) tally.allInDoubt = true;
    else {
      tally.unreachable.add(zone);
      if (!tally.records.has(zone)) tally.records.set(zone, []);
    }
  }
}

/** `zones/<z>` → `<z>` (or `regions/<r>` → `<r>` with that prefix); anything else → null. */
function locationOfScopeKey(scopeKey: string, prefix: string): string | null {
  if (prefix === 'zones/') return zoneOfScopeKey(scopeKey);
  return scopeKey.startsWith(prefix) && scopeKey.length > prefix.length ? scopeKey.slice(prefix.length) : null;
}

function locationOfUnreachable(entry: string, prefix: string): string | null {
  if (prefix === 'zones/') return zoneOfUnreachable(entry);
  const at = entry.lastIndexOf(prefix);
  if (at === -1) return null;
  const location = entry.slice(at + prefix.length).split('/', 1)[0] ?? '';
  return location === '' ? null : location;
}

/** `zones/<z>`, `projects/<p>/zones/<z>` or a full URL → `<z>`; anything else → null. */
export function zoneOfUnreachable(entry: string): string | null {
  const at = entry.lastIndexOf('zones/');
  if (at === -1) return null;
  const zone = entry.slice(at + 'zones/'.length).split('/', 1)[0] ?? '';
  return zone === '' ? null : zone;
}

/** Why a zone cannot count as listed completely, or null when it can. */
function zoneProblem(zone: string, tally: ZoneTally): ScopeError | null {
  if (tally.unreachable.has(zone) || tally.allInDoubt) {
    return { code: 'unreachable', message: `zone ${zone} was reported unreachable by the aggregated listing` };
  }
  if (!tally.listed.has(zone)) {
    // A configured zone the listing never mentioned (not even with a NO_RESULTS warning)
    // was not listed: it proves nothing about its resources.
    return { code: 'unreachable', message: `zone ${zone} is missing from the aggregated listing` };
  }
  return null;
}

function zoneResults(scan: GcpProjectScan, tally: ZoneTally, failure: ScopeError | null, durationMs: number): ScanResult[] {
  const zones = [...tally.records.keys()].sort();
  if (zones.length === 0 && failure !== null) {
    const region = KINDS[scan.type].noLocationRegion;
    const scope = { provider: 'gcp' as const, account: scan.project, region, type: scan.type };
    return [{ scope, status: 'failed', error: failure, partialRecords: [], durationMs }];
  }
  const results: ScanResult[] = [];
  for (const zone of zones) {
    const scope = { provider: 'gcp' as const, account: scan.project, region: zone, type: scan.type };
    const records = tally.records.get(zone) ?? [];
    const bytes = tally.bytes.get(zone);
    const error: ScopeError | null = failure ?? zoneProblem(zone, tally);
    results.push(
      error === null
        ? { scope, status: 'complete', records, bytes, durationMs }
        : { scope, status: 'failed', error, partialRecords: records, bytes, durationMs },
    );
  }
  return results;
}
