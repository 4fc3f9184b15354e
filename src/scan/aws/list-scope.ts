/**
 * Drains one AWS scope's paginated listing into a ScanResult, one request per page, each
 * carrying the scan's AbortSignal.
 *
 * The pages are requested here rather than through the SDK paginators, because the
 * paginators end a listing quietly on a repeated token (`stopOnSameToken`) and accept any
 * body as a page. Every page is checked where the SDK hands it back:
 *  - its list member must be present. The SDK gives an empty list for a genuinely empty
 *    listing (`<reservationSet/>`), and no member at all for a body that is not this
 *    listing: an empty 200, another action's answer, an envelope without its list. Such a
 *    page is `malformed-response`, never an empty complete scope;
 *  - its next token must not repeat one already asked with (see PageTokens).
 * A body that does not parse (an HTML page, JSON where XML is due) makes the SDK throw a
 * deserialization error, classified `malformed-response` too.
 *
 * The scope is complete only when a page hands back no next token; any error, an abort, or
 * a listing past the page or record bound leaves it failed, keeping what was seen.
 */
import { ListingBytes } from '../../model/listing-bytes.js';
import type { ResourceRecord } from '../../model/resource.js';
import type { NormalizeOptions } from '../normalize-common.js';
import { PageTokens } from '../page-tokens.js';
import { SCAN_RECORDS_PER_SCOPE_MAX } from '../scan-limits.js';
import { ScanError, throwIfAborted } from '../scan-error.js';
import type { ScanResult, Scope } from '../../model/scope.js';
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

/** One page as the SDK handed it back: the list member (undefined if absent), the next token. */
export interface AwsPage<Item> {
  readonly items: readonly Item[] | undefined;
  readonly nextToken: string | undefined;
}

/** One paginated listing: how to ask for a page, and how its items become records. */
export interface AwsListing<Item> {
  /** The SDK operation, for messages: `DescribeInstances`. */
  readonly action: string;
  /** The member every page of this listing has, an empty list included: `Reservations`. */
  readonly listMember: string;
  fetchPage(token: string | null, signal: AbortSignal | undefined): Promise<AwsPage<Item>>;
  toRecords(items: readonly Item[], out: ResourceRecord[]): void;
}

/** The scope of one listing. */
export function awsScope(scan: AwsScopeScan, type: Scope['type']): Scope {
  return { provider: 'aws', account: scan.account, region: scan.region, type };
}

export function listAwsScope<Item>(
  scope: Scope,
  listing: AwsListing<Item>,
  signal: AbortSignal | undefined,
): Promise<ScanResult> {
  return listAwsScopeParts(scope, [(records, bytes) => drainListing(listing, records, bytes, signal)], signal);
}

/** One listing drained into `records` (and their bytes into `bytes`); throws on any failure. */
export type AwsListingPart = (records: ResourceRecord[], bytes: ListingBytes) => Promise<void>;

/**
 * A scope that takes more than one listing (RDS snapshots: DB and cluster snapshots): the
 * parts run one after the other into one record list, and the scope is complete only when
 * every part is; the first failure fails it, keeping what was seen.
 */
export async function listAwsScopeParts(
  scope: Scope,
  parts: readonly AwsListingPart[],
  signal: AbortSignal | undefined,
): Promise<ScanResult> {
  const startedMs = performance.now();
  const records: ResourceRecord[] = [];
  const bytes = new ListingBytes();
  try {
    for (const part of parts) await part(records, bytes);
    throwIfAborted(signal);
    return { scope, status: 'complete', records, bytes, durationMs: performance.now() - startedMs };
  } catch (err) {
    return {
      scope,
      status: 'failed',
      error: classifyAwsError(err, signal),
      partialRecords: records,
      bytes,
      durationMs: performance.now() - startedMs,
    };
  }
}

/**
 * Every page of one listing into `records`, and each page's records into `bytes` as it
 * comes (their strings still in cache: change detection compares them as bytes,
 * src/model/listing-bytes.ts); a part of listAwsScopeParts.
 */
export async function drainListing<Item>(
  listing: AwsListing<Item>,
  records: ResourceRecord[],
  bytes: ListingBytes,
  signal: AbortSignal | undefined,
): Promise<void> {
  const tokens = new PageTokens(listing.action);
  let token: string | null = null;
  do {
    // The SDK checks the signal per request too; checking here also ends a listing
    // between pages without another request.
    throwIfAborted(signal);
    const page: AwsPage<Item> = await listing.fetchPage(token, signal);
    if (page.items === undefined) throw notAListing(listing, tokens.pages + 1);
    const from = records.length;
    listing.toRecords(page.items, records);
    bytes.appendFrom(records, from);
    if (records.length > SCAN_RECORDS_PER_SCOPE_MAX) {
      throw new ScanError(
        'malformed-response',
        `listing returned over ${SCAN_RECORDS_PER_SCOPE_MAX} resources`,
      );
    }
    token = tokens.next(page.nextToken);
  } while (token !== null);
}

function notAListing(listing: AwsListing<unknown>, page: number): ScanError {
  return new ScanError(
    'malformed-response',
    `${listing.action} page ${page} came back without ${listing.listMember}: ` +
      'the body is not a listing (an empty or foreign 200, e.g. from a proxy)',
  );
}
