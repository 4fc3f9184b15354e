/**
 * A daemon recovering a large log stays reachable: /healthz answers 200 while /readyz
 * answers 503 with the phase, the percent of the log read and an ETA, until it is ready.
 * Recovery here takes seconds (a real `elava daemon` process, a log of several hundred
 * thousand events, no checkpoint), so a start-up that blocked the event loop would answer
 * nothing until it was over. Latency itself is a benchmark figure (recovery bench:
 * event-loop stall during replay), not asserted here.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ElavaEvent } from '../../src/model/events.js';
import type { ResourceRecord } from '../../src/model/resource.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { startElava } from '../cli/elava-process.js';

const RESOURCES = 10_000;
const COMMITS = 20;

function record(n: number, state: string): ResourceRecord {
  const id = `i-${n.toString(16).padStart(8, '0')}`;
  return {
    key: `aws/123456789012/us-east-1/ec2.instance/${id}`, provider: 'aws', account: '123456789012', region: 'us-east-1',
    type: 'ec2.instance', id, name: `web-${n}`, state, owner: 'platform', tags: { Owner: 'platform' },
    attrs: { instanceType: 'm5.large', launchTime: '2026-01-01T00:00:00.000Z', privateIp: `10.0.${n >> 8 & 255}.${n & 255}` },
  };
}

/** Every resource appears in commit 1, then every commit changes all of them (state flips). */
async function writeLargeLog(dir: string): Promise<number> {
  const store = await Store.open(dir, { create: true });
  for (let c = 0; c < COMMITS; c++) {
    const events: ElavaEvent[] = [];
    for (let n = 0; n < RESOURCES; n++) {
      const state = c % 2 === 0 ? 'running' : 'stopped';
      if (c === 0) events.push({ type: 'appeared', key: record(n, state).key, record: record(n, state) });
      else events.push({ type: 'changed', key: record(n, state).key, record: record(n, state), diff: [{ path: 'state', before: c % 2 === 0 ? 'stopped' : 'running', after: state }] });
    }
    await store.commit(events, 1_790_000_000_000 + c * 60_000);
  }
  const last = store.lastMain;
  await store.close();
  return last;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('daemon start-up on a large log', () => {
  it('answers /healthz 200 and /readyz 503 with phase, percent and ETA while it recovers, then ready', async () => {
    const dir = path.join(tempDir('elava-startup-'), 'data');
    const lastMain = await writeLargeLog(dir);
    const run = startElava(['daemon', '--simulate', '--data-dir', dir, '--http-listen', '127.0.0.1:0', '--interval', '1h', '--log-level', 'info']);
    try {
      const listening = await run.waitForLog((l) => typeof l['http'] === 'string', 60_000);
      const base = `http://${String(listening['http'])}`;
      const during: Array<Record<string, unknown>> = [];
      let healthyWhileRecovering = 0;
      for (let i = 0; i < 2_000; i++) {
        const [health, ready] = await Promise.all([getJson(`${base}/healthz`), getJson(`${base}/readyz`)]);
        assert.equal(health.status, 200, 'the liveness probe always answers 200');
        if (ready.status === 200) break;
        assert.equal(ready.status, 503);
        healthyWhileRecovering++;
        during.push(ready.body);
        await new Promise((r) => setTimeout(r, 20));
      }
      const final = await getJson(`${base}/readyz`);
      assert.equal(final.status, 200, 'ready in the end');
      assert.ok(healthyWhileRecovering >= 3, `HTTP answered ${healthyWhileRecovering} times while recovering`);
      const replaying = during.filter((b) => b['phase'] === 'history' || b['phase'] === 'tail');
      assert.ok(replaying.length >= 2, `replay phases seen: ${JSON.stringify(during.map((b) => b['phase']))}`);
      for (const b of replaying) {
        assert.equal(b['status'], 'recovering');
        assert.ok(typeof b['percent'] === 'number' && b['percent'] >= 0 && b['percent'] <= 100);
        assert.ok(b['etaSeconds'] === null || (typeof b['etaSeconds'] === 'number' && b['etaSeconds'] >= 0));
      }
      const percents = replaying.map((b) => b['percent'] as number);
      assert.ok(percents.at(-1)! > percents[0]!, `percent rises while replaying: ${percents.join(', ')}`);
      const readyLine = await run.waitForLog((l) => l['msg'] === 'ready', 60_000);
      assert.equal(readyLine['revision'], lastMain, 'recovered to the end of the log');
      assert.equal(readyLine['live'], RESOURCES);
    } finally {
      run.child.kill('SIGKILL');
      await run.finished;
    }
  });
});
