import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapWithLimit } from '../../src/scan/promise-pool.js';
import { withRetry } from '../../src/scan/retry.js';
import { runScanJobs, type ScanJob } from '../../src/scan/run-scan.js';
import { ScanError } from '../../src/scan/scan-error.js';
import { scopeString, type Scope } from '../../src/model/scope.js';

describe('promise pool', () => {
  it('keeps task order and never exceeds its limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapWithLimit([30, 5, 20, 1, 10, 2], 3, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(ms);
      inFlight--;
      return i;
    });
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5]);
    assert.equal(peak, 3);
  });
});

describe('retry', () => {
  const policy = { maxAttempts: 3, delayMsFirst: 1, delayMsMax: 2 };

  it('stops after maxAttempts and rethrows the last error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(async () => { calls++; throw new ScanError('throttled', `try ${calls}`); }, policy, () => true, undefined),
      (err: unknown) => err instanceof ScanError && err.message === 'try 3',
    );
    assert.equal(calls, 3);
  });

  it('does not retry what is not retryable', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw new Error('denied'); }, policy, () => false, undefined));
    assert.equal(calls, 1);
  });

  it('ends a backoff wait as aborted when the signal fires', async () => {
    const controller = new AbortController();
    const slow = { maxAttempts: 5, delayMsFirst: 10_000, delayMsMax: 10_000 };
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(
      withRetry(async () => { throw new Error('503'); }, slow, () => true, controller.signal, () => 0.99),
      (err: unknown) => err instanceof ScanError && err.code === 'aborted',
    );
  });
});

describe('runScanJobs', () => {
  const scope = (region: string): Scope => ({ provider: 'aws', account: '1', region, type: 'ec2.instance' });
  const job = (region: string, ms: number): ScanJob => ({
    scopes: [scope(region)],
    run: async () => { await sleep(ms); return [{ scope: scope(region), status: 'complete', records: [], durationMs: ms }]; },
  });

  it('returns results sorted by scope, whatever order the jobs finish in', async () => {
    const results = await runScanJobs([job('c', 1), job('a', 20), job('b', 5)], 3);
    assert.deepEqual(results.map((r) => scopeString(r.scope)), ['aws/1/a/ec2.instance', 'aws/1/b/ec2.instance', 'aws/1/c/ec2.instance']);
  });

  it('reports jobs that never started after an abort as aborted scopes', async () => {
    const controller = new AbortController();
    controller.abort();
    const results = await runScanJobs([job('a', 1)], 1, controller.signal);
    assert.deepEqual(results.map((r) => (r.status === 'failed' ? r.error.code : r.status)), ['aborted']);
  });
});
