/**
 * GCE instances or disks of one project, through the aggregated listing, split into one
 * scope per zone (`gcp/<project>/<zone>/<type>`).
 *
 * Which zones a result is reported for: the zones from the config, every `zones/<zone>`
 * key the listing returned (Compute lists empty zones too, with a NO_RESULTS_ON_PAGE
 * warning), and every zone named unreachable.
 *
 * A zone is complete only when the listing's last page came back and the zone was never
 * reported unreachable (in `unreachables`, or as an UNREACHABLE warning on its scoped
 * list) on any page. If any page fails after retries, every zone is failed with that
 * reason — the zones' lists straddle pages, so none of them is known to be whole. If no
 * zone is known at all, the failure is reported against `gcp/<project>/global/<type>`.
 *
 * Regional resources (`regions/<region>` keys, e.g. regional disks) are not scanned yet.
 */
import type { protos } from '@google-cloud/compute';
import type { ResourceRecord } from '../../model/resource.js';
import type { ScopeError } from '../../model/events.js';
import { normalizeGceDisk, normalizeGceInstance, zoneOfScopeKey } from '../normalize-gce.js';
import type { NormalizeOptions } from '../normalize-common.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { PageTokens } from '../page-tokens.js';
import { SCAN_RECORDS_PER_SCOPE_MAX } from '../scan-limits.js';
import { ScanError, throwIfAborted } from '../scan-error.js';
import { GCP_GLOBAL_REGION, type ScanResult } from '../../model/scope.js';
import { fetchAggregatedPage, type AggregatedPage } from './aggregated-page.js';
import { classifyGcpError, isRetryableGcpError } from './classify-gcp-error.js';
import type { GcpClientFactory } from './gcp-clients.js';

type ScopedInstances = protos.google.cloud.compute.v1.IInstancesScopedList;
type ScopedDisks = protos.google.cloud.compute.v1.IDisksScopedList;

export type GceType = 'gce.instance' | 'gce.disk';

/** The `kind` of every page of each aggregated listing. */
const LIST_KINDS: Readonly<Record<GceType, string>> = {
  'gce.instance': 'compute#instanceAggregatedList',
  'gce.disk': 'compute#diskAggregatedList',
};

export interface GcpProjectScan {
  project: string;
  type: GceType;
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
  /** Zones the listing itself named (with items or a warning): only these can be complete. */
  listed: Set<string>;
  unreachable: Set<string>;
  /** An unreachable entry that names no zone: every zone of the project is in doubt. */
  allInDoubt: boolean;
  count: number;
}

export async function scanGceProject(clients: GcpClientFactory, scan: GcpProjectScan): Promise<ScanResult[]> {
  const startedMs = performance.now();
  const tally: ZoneTally = { records: new Map(), listed: new Set(), unreachable: new Set(), allInDoubt: false, count: 0 };
  for (const zone of scan.knownZones) tally.records.set(zone, []);
  let failure: ScopeError | null = null;
  try {
    const tokens = new PageTokens(`aggregated list of ${scan.type}`);
    let pageToken: string | null = null;
    do {
      const token: string | null = pageToken;
      const result: AggregatedPage<ScopedInstances | ScopedDisks> = await withRetry(
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
): Promise<AggregatedPage<ScopedInstances | ScopedDisks>> {
  const client = scan.type === 'gce.instance' ? clients.instances() : clients.disks();
  return fetchAggregatedPage<ScopedInstances | ScopedDisks>(
    client,
    {
      project: scan.project,
      kind: LIST_KINDS[scan.type],
      pageToken,
      maxResults: scan.pageSize,
      timeoutMs: scan.requestTimeoutMs,
    },
    scan.signal,
  );
}

function addPage(scan: GcpProjectScan, page: AggregatedPage<ScopedInstances | ScopedDisks>, tally: ZoneTally): void {
  for (const [scopeKey, list] of page.items) {
    const zone = zoneOfScopeKey(scopeKey);
    if (zone === null) continue; // regional or global scopes hold no zonal resources
    let bucket = tally.records.get(zone);
    if (bucket === undefined) tally.records.set(zone, (bucket = []));
    tally.listed.add(zone);
    if (list.warning?.code === 'UNREACHABLE') tally.unreachable.add(zone);
    if (scan.type === 'gce.instance') {
      for (const item of (list as ScopedInstances).instances ?? []) {
        bucket.push(normalizeGceInstance(scan.project, zone, item, scan.normalize));
      }
      tally.count += ((list as ScopedInstances).instances ?? []).length;
    } else {
      for (const item of (list as ScopedDisks).disks ?? []) {
        bucket.push(normalizeGceDisk(scan.project, zone, item, scan.normalize));
      }
      tally.count += ((list as ScopedDisks).disks ?? []).length;
    }
  }
  if (tally.count > SCAN_RECORDS_PER_SCOPE_MAX) {
    throw new ScanError('malformed-response', `listing returned over ${SCAN_RECORDS_PER_SCOPE_MAX} resources`);
  }
  for (const entry of page.unreachables) {
    const zone = zoneOfUnreachable(entry);
    if (zone === null) tally.allInDoubt = true;
    else {
      tally.unreachable.add(zone);
      if (!tally.records.has(zone)) tally.records.set(zone, []);
    }
  }
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
    const scope = { provider: 'gcp' as const, account: scan.project, region: GCP_GLOBAL_REGION, type: scan.type };
    return [{ scope, status: 'failed', error: failure, partialRecords: [], durationMs }];
  }
  const results: ScanResult[] = [];
  for (const zone of zones) {
    const scope = { provider: 'gcp' as const, account: scan.project, region: zone, type: scan.type };
    const records = tally.records.get(zone) ?? [];
    const error: ScopeError | null = failure ?? zoneProblem(zone, tally);
    results.push(
      error === null
        ? { scope, status: 'complete', records, durationMs }
        : { scope, status: 'failed', error, partialRecords: records, durationMs },
    );
  }
  return results;
}
