/**
 * Bounded retry with exponential backoff and full jitter, for clients whose own retries
 * Elava switches off (GCP). The wait is abortable: an abort ends it at once with an
 * `aborted` ScanError. AWS uses the SDK's retry strategy instead (see aws-clients.ts).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCAN_ATTEMPTS_MAX } from './scan-limits.js';
import { ScanError } from './scan-error.js';

export interface RetryPolicy {
  /** Attempts, first try included. */
  maxAttempts: number;
  delayMsFirst: number;
  delayMsMax: number;
}

export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  isRetryable: (err: unknown) => boolean,
  signal: AbortSignal | undefined,
  random: () => number = Math.random,
): Promise<T> {
  assert.ok(policy.maxAttempts >= 1 && policy.maxAttempts <= SCAN_ATTEMPTS_MAX, 'maxAttempts in range');
  assert.ok(policy.delayMsFirst >= 0 && policy.delayMsFirst <= policy.delayMsMax, 'delays ordered');
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= policy.maxAttempts || signal?.aborted === true || !isRetryable(err)) throw err;
      const capMs = Math.min(policy.delayMsMax, policy.delayMsFirst * 2 ** (n - 1));
      await abortableSleep(Math.floor(random() * capMs), signal);
    }
  }
}

async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    throw new ScanError('aborted', 'scan aborted during retry backoff', { cause: err });
  }
}
