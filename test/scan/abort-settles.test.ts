/**
 * Every listing settles on abort: a scan aborted at any moment comes back, each scope
 * either complete or failed `aborted`, however its client library behaves (google-gax's
 * cancel during a body read used to leave a call pending for ever, and the cycle with it).
 * And no listing holds a scan past its deadline. A listing that would hang makes its test
 * time out, which fails it; nothing here asserts how long anything took.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { raceAbort } from '../../src/scan/abortable.js';
import { runScanJobs, type ScanJob } from '../../src/scan/run-scan.js';
import { ScanError } from '../../src/scan/scan-error.js';
import { scopeString, type Scope } from '../../src/model/scope.js';
import { startHarness } from './sim-harness.js';

const scope = (region: string): Scope => ({
  provider: 'aws',
  account: '1',
  region,
  type: 'ec2.instance',
});

/** A job whose listing never settles and ignores its signal, like a call whose cancel was lost. */
const stuckJob = (region: string): ScanJob => ({
  scopes: [scope(region)],
  run: () => new Promise(() => undefined),
});

function codes(results: readonly { status: string; error?: { code: string } }[]): string[] {
  return results.map((r) => (r.status === 'failed' ? (r.error?.code ?? '?') : r.status));
}

describe('every listing settles on abort', () => {
  it(
    'a large scan aborted at random moments always comes back, each scope complete or aborted',
    { timeout: 60_000 },
    async () => {
      // given a fleet large enough that Compute pages take many reads and EC2 many pages,
      // and RDS answering slowly, so that every scan is still running when it is aborted
      const h = await startHarness({
        fleet: {
          ec2Instances: 1500,
          ec2Volumes: 1500,
          rdsInstances: 200,
          gceInstances: 1500,
          gceDisks: 1500,
        },
        pageSize: { ec2: 150, rds: 100, gcp: 500 },
        faults: [{ kind: 'slow', service: 'rds', delayMs: 3_000 }],
      });
      try {
        for (let i = 0; i < 6; i++) {
          // when the scan is aborted at a random moment of it
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), Math.floor(Math.random() * 600));
          const results = await h.scan(controller.signal);
          clearTimeout(timer);
          // then it came back with every scope, each complete or failed as aborted
          assert.equal(results.length, 10);
          const seen = new Set(codes(results));
          for (const code of seen)
            assert.ok(code === 'complete' || code === 'aborted', `unexpected ${code}`);
          assert.ok(seen.has('aborted'), 'the slow RDS listings were in flight');
        }
      } finally {
        await h.close();
      }
    },
  );

  it('a listing that ignores its signal is reported aborted, without waiting for it', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const results = await runScanJobs([stuckJob('a'), stuckJob('b')], 1, controller.signal);
    assert.deepEqual(
      results.map((r) => `${scopeString(r.scope)} ${codes([r]).join('')}`),
      ['aws/1/a/ec2.instance aborted', 'aws/1/b/ec2.instance aborted'],
    );
    const first = results[0];
    assert.ok(
      first?.status === 'failed' && /did not settle/.test(first.error.message),
      'the message says it was given up on',
    );
  });

  it('a listing past its deadline fails its scope as unreachable; the scan goes on', async () => {
    const done: ScanJob = {
      scopes: [scope('b')],
      run: async () => [{ scope: scope('b'), status: 'complete', records: [], durationMs: 0 }],
    };
    const results = await runScanJobs([stuckJob('a'), done], 2, undefined, 20);
    assert.deepEqual(codes(results), ['unreachable', 'complete']);
    const first = results[0];
    assert.ok(first?.status === 'failed' && /deadline/.test(first.error.message));
  });

  it('raceAbort rejects as aborted and cancels a call that would never settle', async () => {
    const controller = new AbortController();
    let cancelled = false;
    const pending = raceAbort(
      new Promise<never>(() => undefined),
      controller.signal,
      () => (cancelled = true),
    );
    controller.abort();
    await assert.rejects(
      pending,
      (err: unknown) => err instanceof ScanError && err.code === 'aborted',
    );
    assert.ok(cancelled);
  });
});
