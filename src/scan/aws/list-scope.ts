/**
 * Drains one AWS scope's paginated listing into a ScanResult. The scope is complete only
 * when the paginator ends on its own (the last page had no next token); any error, an
 * abort, or a listing past the page bound leaves it failed, keeping what was seen.
 */
import type { ResourceRecord } from '../../model/resource.js';
import type { NormalizeOptions } from '../normalize-common.js';
import { SCAN_PAGES_MAX, SCAN_RECORDS_PER_SCOPE_MAX } from '../scan-limits.js';
import { ScanError } from '../scan-error.js';
import type { ScanResult, Scope } from '../scope.js';
import { classifyAwsError } from './classify-aws-error.js';

/** What every AWS scope listing shares: where it is, how it normalizes, page size, abort. */
export interface AwsScopeScan {
  account: string;
  region: string;
  normalize: NormalizeOptions;
  /** MaxResults per request; null leaves it to the service's default. */
  pageSize: number | null;
  signal?: AbortSignal;
}

/** The scope of one listing. */
export function awsScope(scan: AwsScopeScan, type: Scope['type']): Scope {
  return { provider: 'aws', account: scan.account, region: scan.region, type };
}

/** Paginator configuration: the scan's page size, and a stop if the service repeats a token. */
export function pagination<C>(client: C, scan: AwsScopeScan): { client: C; stopOnSameToken: true; pageSize?: number } {
  return { client, stopOnSameToken: true, ...(scan.pageSize !== null ? { pageSize: scan.pageSize } : {}) };
}

export async function listAwsScope<Page>(
  scope: Scope,
  pages: AsyncIterable<Page>,
  toRecords: (page: Page, out: ResourceRecord[]) => void,
  signal: AbortSignal | undefined,
): Promise<ScanResult> {
  const startedMs = performance.now();
  const records: ResourceRecord[] = [];
  try {
    let pageCount = 0;
    for await (const page of pages) {
      pageCount++;
      if (pageCount > SCAN_PAGES_MAX) {
        throw new ScanError('malformed-response', `listing did not end within ${SCAN_PAGES_MAX} pages`);
      }
      toRecords(page, records);
      if (records.length > SCAN_RECORDS_PER_SCOPE_MAX) {
        throw new ScanError('malformed-response', `listing returned over ${SCAN_RECORDS_PER_SCOPE_MAX} resources`);
      }
      // The SDK checks the signal per request; checking per page also stops a listing
      // whose pages were already buffered.
      if (signal?.aborted === true) throw new ScanError('aborted', 'scan aborted');
    }
    return { scope, status: 'complete', records, durationMs: performance.now() - startedMs };
  } catch (err) {
    return {
      scope,
      status: 'failed',
      error: classifyAwsError(err, signal),
      partialRecords: records,
      durationMs: performance.now() - startedMs,
    };
  }
}
