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
 */
import type { DisksClient, InstancesClient } from '@google-cloud/compute';
import { ScanError } from '../scan-error.js';

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
  pageToken: string | null;
  maxResults: number | null;
  timeoutMs: number;
}

interface CancellablePromise<T> extends Promise<T> {
  cancel?: () => void;
}

type InnerCall = (request: object, options: object) => CancellablePromise<unknown>;

export async function fetchAggregatedPage<ScopedList>(
  client: InstancesClient | DisksClient,
  request: AggregatedPageRequest,
  signal: AbortSignal | undefined,
): Promise<AggregatedPage<ScopedList>> {
  await client.initialize();
  const call = client.innerApiCalls['aggregatedList'] as InnerCall | undefined;
  if (typeof call !== 'function') throw internalApiChanged('innerApiCalls.aggregatedList is not a function');
  if (signal?.aborted === true) throw new ScanError('aborted', 'scan aborted');
  const pending = call(
    {
      project: request.project,
      returnPartialSuccess: true,
      ...(request.pageToken !== null ? { pageToken: request.pageToken } : {}),
      ...(request.maxResults !== null ? { maxResults: request.maxResults } : {}),
    },
    { autoPaginate: false, retry: null, timeout: request.timeoutMs },
  );
  const onAbort = () => pending.cancel?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return parseAggregatedResult<ScopedList>(await pending);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Checks `[items, nextRequest, rawResponse]` and extracts the page; exported for tests. */
export function parseAggregatedResult<ScopedList>(result: unknown): AggregatedPage<ScopedList> {
  if (!Array.isArray(result) || result.length < 3) throw internalApiChanged('result is not [items, nextRequest, rawResponse]');
  const raw: unknown = result[2];
  if (typeof raw !== 'object' || raw === null) throw internalApiChanged('rawResponse is not an object');
  const response = raw as { items?: unknown; unreachables?: unknown; nextPageToken?: unknown };
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

function internalApiChanged(what: string): ScanError {
  return new ScanError('other', `@google-cloud/compute internal API changed (${what}); Elava pins 6.14.0`);
}
