/**
 * Runs one listing job so that it always settles, and soon once the cycle is aborted.
 *
 * The job gets its own signal, which fires when the cycle's signal fires (shutdown:
 * `aborted`) or when the listing's deadline passes (`unreachable`). Each request of the
 * listing carries that signal, so normally the job ends at once with what it saw. Should it
 * not settle within SCAN_ABORT_SETTLE_MS after its signal fired (a client library that
 * drops its own abort, a retry backoff the SDK does not cut short), its scopes are reported
 * failed with the signal's reason, without waiting for it any longer. So a cycle's scan
 * settles within SCAN_ABORT_SETTLE_MS of an abort, and within the deadline plus that in any
 * case — the daemon can always log the aborted cycle, checkpoint and exit.
 */
import assert from 'node:assert/strict';
import { abortError, ScanError } from './scan-error.js';
import { SCAN_ABORT_SETTLE_MS } from './scan-limits.js';
import type { ScanResult, Scope } from '../model/scope.js';

export interface BoundedJob {
  readonly scopes: readonly Scope[];
  run(signal: AbortSignal): Promise<ScanResult[]>;
}

export async function runBoundedJob(
  job: BoundedJob,
  cycle: AbortSignal | undefined,
  deadlineMs: number,
): Promise<ScanResult[]> {
  assert.ok(
    Number.isFinite(deadlineMs) && deadlineMs > 0,
    'a listing deadline is a positive number of ms',
  );
  if (cycle?.aborted === true)
    return failedResults(job.scopes, 'scan aborted before this scope started', 'aborted');
  const listing = new AbortController();
  const onCycleAbort = (): void => listing.abort(new ScanError('aborted', 'scan aborted'));
  cycle?.addEventListener('abort', onCycleAbort, { once: true });
  const deadline = setTimeout(() => listing.abort(deadlinePassed(deadlineMs)), deadlineMs);
  let settleTimer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<ScanResult[]>((resolve) => {
    listing.signal.addEventListener(
      'abort',
      () => {
        settleTimer = setTimeout(() => {
          const reason = abortError(listing.signal);
          const message =
            `${reason.message}; the listing did not settle within ${SCAN_ABORT_SETTLE_MS} ms after`;
          resolve(failedResults(job.scopes, message, reason.code));
        }, SCAN_ABORT_SETTLE_MS);
      },
      { once: true },
    );
  });
  try {
    // A job that rejects after it was given up on is observed by the race and ignored.
    return await Promise.race([job.run(listing.signal), givenUp]);
  } finally {
    clearTimeout(deadline);
    clearTimeout(settleTimer);
    cycle?.removeEventListener('abort', onCycleAbort);
  }
}

function deadlinePassed(deadlineMs: number): ScanError {
  return new ScanError(
    'unreachable',
    `listing did not finish within its deadline of ${Math.round(deadlineMs / 1000)} s`,
  );
}

function failedResults(
  scopes: readonly Scope[],
  message: string,
  code: ScanError['code'],
): ScanResult[] {
  return scopes.map((scope) => ({
    scope,
    status: 'failed',
    error: { code, message },
    partialRecords: [],
    durationMs: 0,
  }));
}
