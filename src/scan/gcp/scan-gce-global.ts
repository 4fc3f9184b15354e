/**
 * GCE resources that live in a project's `global` location, each through its own plain
 * listing (not aggregated): global static addresses (GlobalAddresses.list), snapshots
 * (Snapshots.list) and images (Images.list; the project's own images only, never the
 * public image projects). One listing is one scope, `gcp/<project>/global/<type>`,
 * complete only when its last page came back; any failure (after the scanner's own
 * retries, as for aggregated listings) fails it, keeping what was seen.
 *
 * Pages are fetched by hand through gax's inner API, like aggregated-page.ts, so that
 * every page's `kind` is checked (`compute#snapshotList` …): a `{}` or another listing's
 * answer is `malformed-response`, never an empty complete scope.
 */
import { ListingBytes } from '../../model/listing-bytes.js';
import type { ResourceRecord } from '../../model/resource.js';
import { GCP_GLOBAL_REGION, type ScanResult, type Scope } from '../../model/scope.js';
import type { NormalizeOptions } from '../normalize-common.js';
import {
  normalizeGceAddress,
  normalizeGceImage,
  normalizeGceSnapshot,
  type GceAddress,
  type GceImage,
  type GceSnapshot,
} from '../normalize-gce-leftovers.js';
import { PageTokens } from '../page-tokens.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { SCAN_RECORDS_PER_SCOPE_MAX } from '../scan-limits.js';
import { ScanError, throwIfAborted } from '../scan-error.js';
import { fetchListPage, type GlobalListClient, type ListPage } from './aggregated-page.js';
import { classifyGcpError, isRetryableGcpError } from './classify-gcp-error.js';
import type { GcpClientFactory } from './gcp-clients.js';

export type GceGlobalType = 'gce.address' | 'gce.snapshot' | 'gce.image';

interface GlobalKind {
  readonly listKind: string;
  client(clients: GcpClientFactory): GlobalListClient;
  record(project: string, item: unknown, options: NormalizeOptions): ResourceRecord;
}

const KINDS: Readonly<Record<GceGlobalType, GlobalKind>> = {
  'gce.address': {
    listKind: 'compute#addressList',
    client: (c) => c.globalAddresses(),
    record: (p, item, o) => normalizeGceAddress(p, GCP_GLOBAL_REGION, item as GceAddress, o),
  },
  'gce.snapshot': {
    listKind: 'compute#snapshotList',
    client: (c) => c.snapshots(),
    record: (p, item, o) => normalizeGceSnapshot(p, item as GceSnapshot, o),
  },
  'gce.image': {
    listKind: 'compute#imageList',
    client: (c) => c.images(),
    record: (p, item, o) => normalizeGceImage(p, item as GceImage, o),
  },
};

export interface GcpGlobalScan {
  project: string;
  type: GceGlobalType;
  normalize: NormalizeOptions;
  pageSize: number | null;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  signal?: AbortSignal;
}

export function globalScope(project: string, type: GceGlobalType): Scope {
  return { provider: 'gcp', account: project, region: GCP_GLOBAL_REGION, type };
}

export async function scanGceGlobal(clients: GcpClientFactory, scan: GcpGlobalScan): Promise<ScanResult> {
  const startedMs = performance.now();
  const scope = globalScope(scan.project, scan.type);
  const kind = KINDS[scan.type];
  const records: ResourceRecord[] = [];
  const bytes = new ListingBytes(); // the records as bytes, page by page (src/model/listing-bytes.ts)
  try {
    const tokens = new PageTokens(`${scan.type} list of ${scan.project}`);
    let pageToken: string | null = null;
    do {
      const token: string | null = pageToken;
      const page: ListPage<unknown> = await withRetry(
        () => fetchListPage<unknown>(
          kind.client(clients),
          { project: scan.project, kind: kind.listKind, pageToken: token, maxResults: scan.pageSize, timeoutMs: scan.requestTimeoutMs },
          scan.signal,
        ),
        scan.retry,
        isRetryableGcpError,
        scan.signal,
      );
      for (const item of page.items) {
        const record = kind.record(scan.project, item, scan.normalize);
        records.push(record);
        bytes.append(record);
      }
      if (records.length > SCAN_RECORDS_PER_SCOPE_MAX) {
        throw new ScanError('malformed-response', `listing returned over ${SCAN_RECORDS_PER_SCOPE_MAX} resources`);
      }
      pageToken = tokens.next(page.nextPageToken);
    } while (pageToken !== null);
    throwIfAborted(scan.signal);
    return { scope, status: 'complete', records, bytes, durationMs: performance.now() - startedMs };
  } catch (err) {
    const error = classifyGcpError(err, scan.signal);
    return { scope, status: 'failed', error, partialRecords: records, bytes, durationMs: performance.now() - startedMs };
  }
}
