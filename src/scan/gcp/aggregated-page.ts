/**
 * One page of a Compute aggregated listing, with the parts the public iterator drops.
 *
 * `aggregatedListAsync` yields `[scope, list]` pairs and throws away each page's
 * `unreachables`, so a zone that did not answer looks like a zone with nothing in it —
 * exactly the false "disappeared" Elava exists to prevent. This module therefore pages by
 * hand through the client's internal `innerApiCalls.aggregatedList(request,
 * { autoPaginate: false })`, which resolves to `[items, nextRequest, rawResponse]`.
 *
 * PINNED: that is internal API of @google-cloud/compute 6.14.0 / google-gax 5.0.x. Every
 * assumption about its shape is checked here and turns into a typed error
 * (`other`, "internal API changed") rather than a silent empty listing, and
 * test/scan/gcp/aggregated-page.test.ts pins it against the simulator.
 *
 * gax's own retries are switched off (`retry: null`): the scanner retries pages itself, so
 * attempts are bounded and counted in one place and the abort signal is honoured between them.
 *
 * Every page is checked where gax hands it back: its `kind` must be the aggregated list
 * asked for (`compute#instanceAggregatedList` / `compute#diskAggregatedList`). gax decodes
 * any JSON object into the response type, so a `{}`, a health check's `{"status":"ok"}` or
 * another type's list would otherwise pass for an empty listing; such a page is
 * `malformed-response`. A body that is not JSON fails in gax's JSON.parse (SyntaxError,
 * `malformed-response` too).
 *
 * Settling: the call is raced against the scan's signal and its own timer (see
 * abortable.ts: gax's cancel can leave the call's promise pending for ever), and the REST
 * transport does not apply gax's `timeout` itself, so the timer is what bounds a request.
 */
import type {
  AddressesClient,
  DisksClient,
  GlobalAddressesClient,
  ImagesClient,
  InstancesClient,
  SnapshotsClient,
} from '@google-cloud/compute';
import { raceAbort } from '../abortable.js';
import { ScanError, throwIfAborted } from '../scan-error.js';

/** The shape of one aggregated-list page that Elava relies on. */
export interface AggregatedPage<ScopedList> {
  /** `zones/<zone>` (or `regions/<region>`, `global`) → that scope's list and warning. */
  readonly items: ReadonlyArray<readonly [string, ScopedList]>;
  /** Scopes that did not answer (`returnPartialSuccess: true`). */
  readonly unreachables: readonly string[];
  readonly nextPageToken: string | null;
}

export interface AggregatedPageRequest {
  project: string;
  /** The `kind` every page of this listing carries, e.g. `compute#instanceAggregatedList`. */
  kind: string;
  pageToken: string | null;
  maxResults: number | null;
  timeoutMs: number;
}

interface CancellablePromise<T> extends Promise<T> {
  cancel?: () => void;
}

type InnerCall = (request: object, options: object) => CancellablePromise<unknown>;

/** A Compute client with an aggregated listing. */
export type AggregatedClient = InstancesClient | DisksClient | AddressesClient;
/** A Compute client with a plain (global) listing. */
export type GlobalListClient = GlobalAddressesClient | SnapshotsClient | ImagesClient;

export async function fetchAggregatedPage<ScopedList>(
  client: AggregatedClient,
  request: AggregatedPageRequest,
  signal: AbortSignal | undefined,
): Promise<AggregatedPage<ScopedList>> {
  const settled = await callPage(client, 'aggregatedList', request, signal);
  return parseAggregatedResult<ScopedList>(settled, request.kind);
}

/** One page of a plain list (`items` is an array), e.g. Snapshots.list of a project. */
export interface ListPage<Item> {
  readonly items: readonly Item[];
  readonly nextPageToken: string | null;
}

export async function fetchListPage<Item>(
  client: GlobalListClient,
  request: AggregatedPageRequest,
  signal: AbortSignal | undefined,
): Promise<ListPage<Item>> {
  const settled = await callPage(client, 'list', request, signal);
  return parseListResult<Item>(settled, request.kind);
}

/** One unpaginated call of `method` through gax's inner API, bounded by the signal and a timer. */
async function callPage(
  client: AggregatedClient | GlobalListClient,
  method: 'aggregatedList' | 'list',
  request: AggregatedPageRequest,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  await client.initialize();
  const call = client.innerApiCalls[method] as InnerCall | undefined;
  if (typeof call !== 'function') throw internalApiChanged(`innerApiCalls.${method} is not a function`);
  // One signal for this request: the scan's, or this request's own timer.
  const requestAbort = new AbortController();
  const onScanAbort = (): void => requestAbort.abort(signal?.reason);
  if (signal?.aborted === true) onScanAbort();
  signal?.addEventListener('abort', onScanAbort, { once: true });
  const timeoutMs = request.timeoutMs;
  const timer = setTimeout(() => requestAbort.abort(requestTimedOut(timeoutMs)), timeoutMs);
  try {
    throwIfAborted(requestAbort.signal);
    const pending = call(
      {
        project: request.project,
        ...(method === 'aggregatedList' ? { returnPartialSuccess: true } : {}),
        ...(request.pageToken !== null ? { pageToken: request.pageToken } : {}),
        ...(request.maxResults !== null ? { maxResults: request.maxResults } : {}),
      },
      { autoPaginate: false, retry: null, timeout: request.timeoutMs },
    );
    return await raceAbort(pending, requestAbort.signal, () => pending.cancel?.());
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onScanAbort);
  }
}

function requestTimedOut(timeoutMs: number): ScanError {
  const message = `list request had no answer within ${timeoutMs} ms`;
  return new ScanError('unreachable', message);
}

/** Checks `[items, nextRequest, rawResponse]` and extracts the page; exported for tests. */
export function parseAggregatedResult<ScopedList>(
  result: unknown,
  kind: string,
): AggregatedPage<ScopedList> {
  if (!Array.isArray(result) || result.length < 3) throw internalApiChanged('result is not [items, nextRequest, rawResponse]');
  const raw: unknown = result[2];
  if (typeof raw !== 'object' || raw === null) throw internalApiChanged('rawResponse is not an object');
  const response = raw as {
    kind?: unknown;
    items?: unknown;
    unreachables?: unknown;
    nextPageToken?: unknown;
  };
  if (response.kind !== kind) throw notThisListing(response.kind, kind);
  const items = response.items ?? {};
  if (typeof items !== 'object' || items === null || Array.isArray(items)) {
    throw new ScanError('malformed-response', 'aggregated list: items is not a map');
  }
  const unreachables = response.unreachables ?? [];
  if (!Array.isArray(unreachables) || !unreachables.every((u): u is string => typeof u === 'string')) {
    throw new ScanError('malformed-response', 'aggregated list: unreachables is not a list of strings');
  }
  const token = response.nextPageToken;
  if (token !== undefined && token !== null && typeof token !== 'string') {
    throw new ScanError('malformed-response', 'aggregated list: nextPageToken is not a string');
  }
  const entries = Object.entries(items as Record<string, ScopedList>);
  return { items: entries, unreachables, nextPageToken: token === undefined || token === null || token === '' ? null : token };
}

/** Checks `[items, nextRequest, rawResponse]` of a plain list; exported for tests. */
export function parseListResult<Item>(result: unknown, kind: string): ListPage<Item> {
  const response = rawResponseOf(result);
  if (response['kind'] !== kind) throw notThisListing(response['kind'], kind);
  const items = response['items'] ?? [];
  if (!Array.isArray(items)) throw new ScanError('malformed-response', 'list: items is not a list');
  return { items: items as Item[], nextPageToken: pageTokenOf(response['nextPageToken']) };
}

function rawResponseOf(result: unknown): Record<string, unknown> {
  if (!Array.isArray(result) || result.length < 3) throw internalApiChanged('result is not [items, nextRequest, rawResponse]');
  const raw: unknown = result[2];
  if (typeof raw !== 'object' || raw === null) throw internalApiChanged('rawResponse is not an object');
  return raw as Record<string, unknown>;
}

function pageTokenOf(token: unknown): string | null {
  if (token !== undefined && token !== null && typeof token !== 'string') {
    throw new ScanError('malformed-response', 'list: nextPageToken is not a string');
  }
  return token === undefined || token === null || token === '' ? null : token;
}

function notThisListing(seenKind: unknown, kind: string): ScanError {
  const seen =
    typeof seenKind === 'string' ? `kind ${JSON.stringify(seenKind.slice(0, 100))}` : 'no kind';
  const message = `list page has ${seen}, not ${kind}: the body is not this listing`;
  return new ScanError('malformed-response', message);
}

function internalApiChanged(what: string): ScanError {
  return new ScanError('other', `@google-cloud/compute internal API changed (${what}); Elava pins 6.14.0`);
}
