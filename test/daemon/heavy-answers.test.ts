/**
 * HeavyAnswers (src/daemon/heavy-answers.ts): at most `max` long reads at once, the others
 * in the order they came, and a slot freed however an answer ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeavyAnswers } from '../../src/daemon/heavy-answers.js';
import { SocketAnswers } from '../../src/daemon/socket-answers.js';
import { queryEndpoints } from '../../src/daemon/http-query.js';
import { HEAVY_ANSWERS_AT_ONCE } from '../../src/limits.js';
import { writeWasteFixture } from '../query/waste-fixture.js';
import { runQueryCommand, type QueryIo } from '../../src/query/commands.js';
import { QUERY_SOCKET_PROTOCOL, type QueryRequest } from '../../src/query/socket-protocol.js';
import { Store } from '../../src/store/store.js';
import { elavaVersion } from '../../src/version.js';
import { resourceKey } from '../../src/model/resource.js';
import { tempDir } from '../helpers/tmp.js';
import { ACCOUNT, HOUR_MS, T0, record } from '../query/query-fixture.js';

function request(argv: string[], cwd: string): QueryRequest {
  return { v: QUERY_SOCKET_PROTOCOL, version: elavaVersion(), command: 'list', argv, cwd };
}

function capture(): QueryIo & { out(): string } {
  let out = '';
  return { stdout: (s) => (out += s), stderr: (s) => (out += s), out: () => out };
}

describe('heavy answers', () => {
  it('runs at most max at once, the rest first come first served, a failure freeing its slot', async () => {
    const heavy = new HeavyAnswers(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const finish = new Map<number, (fail: boolean) => void>();
    const answers = [0, 1, 2, 3, 4].map((n) => heavy.run(() => new Promise<number>((resolve, reject) => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      finish.set(n, (fail) => {
        running--;
        if (fail) reject(new Error(`answer ${n} failed`));
        else resolve(n);
      });
    })));
    const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await settle();
    assert.deepEqual(started, [0, 1]);
    finish.get(1)?.(true); // a failure frees its slot too
    await assert.rejects(answers[1] as Promise<number>, /answer 1 failed/);
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    finish.get(0)?.(false);
    assert.equal(await answers[0], 0);
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3]);
    for (const n of [2, 3]) finish.get(n)?.(false);
    await settle();
    finish.get(4)?.(false);
    assert.deepEqual(await Promise.all([answers[2], answers[3], answers[4]]), [2, 3, 4]);
    assert.equal(most, 2);
    assert.equal(await heavy.run(async () => 'free again'), 'free again');
    assert.throws(() => new HeavyAnswers(0));
  });

  it('the query socket\'s reads of the past wait for a turn among the HTTP answers\' ones', async () => {
    // 1 200 resources, each changed once since revision 1: the fleet there is read from the
    // log in several steps (PAST_RECORDS_READ_BATCH_MAX a step)
    const dir = tempDir('elava-turns-');
    const store = await Store.open(dir, { create: true });
    const records = Array.from({ length: 1200 }, (_, i) => record('ec2.instance', resourceKey('aws', ACCOUNT, 'us-east-1', 'ec2.instance', `i-${String(i).padStart(5, '0')}`), 'running', {}));
    await store.commit(records.map((r) => ({ type: 'appeared', key: r.key, record: r })), T0);
    await store.commit(records.map((r) => ({ type: 'changed', key: r.key, record: { ...r, state: 'stopped' }, diff: [{ path: 'state', before: 'running', after: 'stopped' }] })), T0 + HOUR_MS);
    const heavy = new HeavyAnswers(1);
    const answers = new SocketAnswers(dir, () => store.projections, () => store.structures, (compute) => heavy.run(compute));
    try {
      let release!: () => void;
      const held = heavy.run(() => new Promise<void>((resolve) => (release = resolve))); // an HTTP answer computing
      const io = capture();
      let done = false;
      const asked = answers.answer(request(['--at', '1', '--json', '--data-dir', dir], dir), io).then((code) => {
        done = true;
        return code;
      });
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(done, false, 'waits while the only turn is taken');
      // the newest revision is answered from memory at once, without a turn
      const now = capture();
      assert.equal(await answers.answer(request(['--json', '--data-dir', dir], dir), now), 0);
      release();
      await held;
      assert.equal(await asked, 0);
      const readOnly = capture();
      await runQueryCommand('list', ['--at', '1', '--json', '--data-dir', dir], readOnly);
      assert.equal(readOnly.out().trimEnd().split('\n').length, 1200, 'every resource, a line each');
      assert.equal(io.out(), readOnly.out());
    } finally {
      answers.close();
      await store.close();
    }
  });

  it('the waste report, for /metrics and for /v1/waste, waits for no turn among the long reads', async () => {
    const dir = await writeWasteFixture();
    const store = await Store.open(dir);
    const queries = queryEndpoints(dir, () => store.projections, () => store.structures);
    const held: Array<() => void> = [];
    const turns = Array.from({ length: HEAVY_ANSWERS_AT_ONCE }, () => queries.takeTurn(() => new Promise<void>((resolve) => held.push(resolve))));
    try {
      for (let i = 0; i < 5 && held.length < HEAVY_ANSWERS_AT_ONCE; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(held.length, HEAVY_ANSWERS_AT_ONCE, 'every turn is taken');
      const totals = await queries.wasteTotals(); // resolves with every turn still held
      assert.ok(totals !== null && totals.byRule.some((t) => t.items > 0), 'the totals of the fixture\'s waste');
      // other thresholds: not the scrape's cached report, computed now, turns still held
      const page = await queries.handle('/v1/waste', new URLSearchParams({ stoppedDays: '7' }));
      assert.equal(page?.status, 200);
      // while a long read of the past does wait for its turn
      let answered = false;
      const past = queries.handle('/v1/at/2', new URLSearchParams()).then((a) => {
        answered = true;
        return a;
      });
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(answered, false, '/v1/at at an older revision waits for a turn');
      for (const release of held) release();
      await Promise.all(turns);
      assert.equal((await past)?.status, 200);
    } finally {
      queries.close();
      await store.close();
    }
  });
});
