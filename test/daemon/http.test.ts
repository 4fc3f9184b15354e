/**
 * The HTTP face: probes, readiness before and after recovery, bearer-token auth, a port in
 * use, and /metrics after cycles (the log's fsync histogram with non-zero counts, scope
 * failures by reason, live resources, changes by kind). Also: a refused append stops the
 * daemon's cycle with LOG_APPEND_FAILED and leaves the state untouched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { isDaemonError } from '../../src/daemon/errors.js';
import { startHttpServer, type HttpHandlers } from '../../src/daemon/http-server.js';
import { stateHash } from '../../src/projection/state-hash.js';
import { tempDir } from '../helpers/tmp.js';
import { openTestDaemon, type DaemonUnderTest } from './daemon-harness.js';

const silent = pino({ level: 'silent' });
const root = tempDir('elava-http-');
let n = 0;
const fresh = (): string => `${root}/d${n++}`;

function handlers(ready: boolean): HttpHandlers {
  return {
    isReady: () => ready,
    startup: () => ({ phase: 'tail', percent: 40 }),
    metrics: async () => ({ contentType: 'text/plain', body: 'm 1\n' }),
    query: async (path) => (path === '/v1/ping' ? { status: 200, body: { pong: true } } : null),
  };
}

/** The value of one sample line of a Prometheus text exposition, or null. */
function sample(text: string, line: string): number | null {
  const hit = text.split('\n').find((l) => l.startsWith(line + ' '));
  return hit === undefined ? null : Number(hit.slice(line.length + 1));
}

describe('HTTP server', () => {
  it('answers /healthz at once and /readyz 503 until recovery finished', async () => {
    const server = await startHttpServer({ host: '127.0.0.1', port: 0, loopback: true }, null, handlers(false), silent);
    try {
      const base = `http://${server.address}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      assert.equal((await fetch(`${base}/v1/ping`)).status, 503, 'queries wait for recovery');
      assert.equal((await fetch(`${base}/nope`)).status, 404);
      assert.equal((await fetch(`${base}/healthz`, { method: 'POST' })).status, 405);
    } finally {
      await server.close();
    }
  });

  it('requires the bearer token on every request when one is configured', async () => {
    const token = 'a-long-enough-test-token';
    const server = await startHttpServer({ host: '127.0.0.1', port: 0, loopback: true }, token, handlers(true), silent);
    try {
      const base = `http://${server.address}`;
      for (const path of ['/healthz', '/readyz', '/metrics', '/v1/ping']) {
        assert.equal((await fetch(base + path)).status, 401, path);
        assert.equal((await fetch(base + path, { headers: { authorization: `Bearer ${token}x` } })).status, 401, path);
        assert.equal((await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })).status, 200, path);
      }
    } finally {
      await server.close();
    }
  });

  it('fails with HTTP_LISTEN naming the address when the port is taken', async () => {
    const first = await startHttpServer({ host: '127.0.0.1', port: 0, loopback: true }, null, handlers(true), silent);
    try {
      await assert.rejects(startHttpServer({ host: '127.0.0.1', port: first.port, loopback: true }, null, handlers(true), silent), (err: unknown) => {
        assert.ok(isDaemonError(err, 'HTTP_LISTEN'));
        assert.equal(err.message, `http.listen 127.0.0.1:${first.port}: address already in use (another daemon? set http.listen / ELAVA_HTTP_LISTEN)`);
        return true;
      });
    } finally {
      await first.close();
    }
  });
});

describe('daemon /metrics after cycles', () => {
  let t: DaemonUnderTest;
  let text = '';
  before(async () => {
    t = await openTestDaemon(fresh(), { faults: [{ kind: 'access-denied', service: 'rds', region: 'eu-west-1', ticks: [0] }] });
    assert.equal((await fetch(`${t.base}/readyz`)).status, 200);
    await t.daemon.runCycle();
    t.sim.cloud.advance();
    await t.daemon.runCycle();
    text = await (await fetch(`${t.base}/metrics`)).text();
  });
  after(async () => t?.daemon.close());

  it('exposes the fsync histogram with the log bucket bounds and non-zero counts', () => {
    const count = sample(text, 'wal_fsync_duration_seconds_count');
    assert.ok(count !== null && count >= 2, `count ${count}`);
    assert.equal(sample(text, 'wal_fsync_duration_seconds_bucket{le="+Inf"}'), count);
    assert.notEqual(sample(text, 'wal_fsync_duration_seconds_bucket{le="8.192"}'), null, 'the log histogram bounds, 1 ms .. 8.192 s');
    assert.ok((sample(text, 'wal_fsync_duration_seconds_sum') ?? 0) > 0);
    assert.match(text, /# TYPE wal_fsync_duration_seconds histogram/);
  });

  it('counts scope failures by reason, changes by kind, cycles, live resources and the last success', () => {
    assert.equal(sample(text, 'elava_scope_failures_total{provider="aws",type="rds.instance",reason="access-denied"}'), 1);
    assert.ok((sample(text, 'elava_changes_total{kind="appeared"}') ?? 0) > 0);
    assert.equal(sample(text, 'elava_cycles_total{outcome="committed"}'), 2);
    assert.ok((sample(text, 'elava_live_resources{type="gce.disk"}') ?? 0) > 0);
    assert.ok((sample(text, 'elava_last_successful_cycle_timestamp_seconds') ?? 0) > Date.now() / 1000 - 60);
    assert.equal(sample(text, 'elava_revision'), 2);
    assert.ok((sample(text, 'elava_wal_segments') ?? 0) >= 1);
    assert.match(text, /^elava_scan_duration_seconds_count\{provider="gcp",type="gce.instance",status="complete"\} \d/m);
  });

  it('exposes the waste report per rule: rows and estimated monthly cost', () => {
    // the simulated volumes were created up to a year before 2024: unattached ones are old
    assert.ok((sample(text, 'elava_waste_resources{rule="unattached-volume"}') ?? 0) > 0);
    assert.ok((sample(text, 'elava_waste_monthly_cost_usd{rule="unattached-volume"}') ?? 0) > 0);
    assert.notEqual(sample(text, 'elava_waste_resources{rule="orphan-snapshot"}'), null, 'every rule has a sample');
  });

  it('counts how detection settled the listed records: bytes, once a cycle has proven them', async () => {
    // the first cycle looked every record up (nothing live, nothing remembered)
    assert.ok((sample(text, 'elava_detection_records_total{found="lookup"}') ?? 0) > 0);
    assert.equal(sample(text, 'elava_detection_records_total{found="bytes"}'), 0);
    // cycle 2 learnt the new keys' slots; cycle 3 proves the unchanged records; cycle 4 needs no more
    await t.daemon.runCycle();
    await t.daemon.runCycle();
    const later = await (await fetch(`${t.base}/metrics`)).text();
    const bytes = sample(later, 'elava_detection_records_total{found="bytes"}') ?? 0;
    const live = sample(later, 'elava_live_resources{type="gce.disk"}') ?? 0;
    assert.ok(bytes > live, `${bytes} records settled by their bytes`);
    assert.ok((sample(later, 'elava_detection_memory_bytes') ?? 0) > 0);
  });

  it('stops a cycle whose append is refused with LOG_APPEND_FAILED, leaving the state as it was', async () => {
    const before = stateHash(t.daemon.state);
    await t.daemon.log.close(); // the writer refuses appends from now on, as after a failed fdatasync
    await assert.rejects(t.daemon.runCycle(), (err: unknown) => isDaemonError(err, 'LOG_APPEND_FAILED') && /revision 5/.test(err.message));
    assert.equal(stateHash(t.daemon.state), before);
  });
});
