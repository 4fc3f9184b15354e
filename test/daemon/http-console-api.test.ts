/**
 * The API the console pages use, and its command-line parity: server-side paging of the
 * resource list (`limit` + `after` cursor, `elava list --limit --after`), counts by type
 * and owner (`/v1/summary`, `elava list --counts`), the diff narrowed by filters with
 * totals (`elava diff A B --type ...`), waste totals (`elava waste --by`), and
 * `/v1/health` (scopes from the log, so a restart keeps them, as `elava health` shows;
 * cycles of this process; fsync histogram; log; checkpoint).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HealthReport } from '../../src/daemon/health.js';
import type { ResourceRecord } from '../../src/model/resource.js';
import { runElava } from '../cli/elava-process.js';
import { tempDir } from '../helpers/tmp.js';
import { openTestDaemon, type DaemonUnderTest } from './daemon-harness.js';

const root = tempDir('elava-console-api-');
const DIR = path.join(root, 'data');
const FAULT = { faults: [{ kind: 'access-denied' as const, service: 'rds' as const, region: 'eu-west-1', ticks: [2] }] };
let t: DaemonUnderTest;

async function get<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(t.base + p);
  return { status: res.status, body: (await res.json()) as T };
}

async function elavaLines(args: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const r = await runElava([...args, '--data-dir', DIR, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

interface Page {
  resources: ResourceRecord[];
  next: string | null;
}

describe('console API: paging, summary, filtered diff, health', () => {
  before(async () => {
    t = await openTestDaemon(DIR, FAULT);
    for (let cycle = 1; cycle <= 3; cycle++) {
      if (cycle > 1) t.sim.cloud.advance();
      await t.daemon.runCycle();
    }
  });

  after(async () => {
    await t?.daemon.close();
  });

  it('pages walked by cursor hold exactly the whole list, in order, filtered or not', async () => {
    for (const [filter, size] of [['', 37], ['&provider=aws', 37], ['&type=gce.disk&unowned', 7]] as const) {
      const whole = await get<{ resources: ResourceRecord[] }>(`/v1/resources?${filter.slice(1)}`);
      const keys: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 1000; pages++) {
        const after: string = cursor === null ? '' : `&after=${encodeURIComponent(cursor)}`;
        const page = await get<Page>(`/v1/resources?limit=${size}${filter}${after}`);
        assert.equal(page.status, 200);
        assert.ok(page.body.resources.length <= size);
        keys.push(...page.body.resources.map((r) => r.key));
        cursor = page.body.next;
        if (cursor === null) break;
      }
      assert.ok(whole.body.resources.length > size, `${filter}: more than one page`);
      assert.deepEqual(keys, whole.body.resources.map((r) => r.key), filter);
    }
  });

  it('elava list --limit/--after prints the same pages as the API', async () => {
    const first = await elavaLines(['list', '--limit', '50', '--type', 'ec2.volume']);
    const api = await get<Page>('/v1/resources?limit=50&type=ec2.volume');
    const last = first.pop() as { next: string | null };
    assert.deepEqual(first.map((r) => r['key']), api.body.resources.map((r) => r.key));
    assert.equal(last.next, api.body.next);
    assert.ok(last.next !== null);
    const second = await elavaLines(['list', '--limit', '50', '--type', 'ec2.volume', '--after', last.next]);
    const api2 = await get<Page>(`/v1/resources?limit=50&type=ec2.volume&after=${encodeURIComponent(last.next)}`);
    second.pop();
    assert.deepEqual(second.map((r) => r['key']), api2.body.resources.map((r) => r.key));
  });

  it('the summary counts what the list holds, by type and by owner, as elava list --counts does', async () => {
    const list = await get<{ resources: ResourceRecord[] }>('/v1/resources?provider=gcp');
    const s = await get<{ total: number; byType: Array<{ type: string; count: number }>; byOwner: Array<{ owner: string | null; count: number }>; otherOwners: number }>('/v1/summary?provider=gcp');
    assert.equal(s.body.total, list.body.resources.length);
    const byType = new Map<string, number>();
    const byOwner = new Map<string | null, number>();
    for (const r of list.body.resources) {
      byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
      byOwner.set(r.owner, (byOwner.get(r.owner) ?? 0) + 1);
    }
    assert.deepEqual(new Map(s.body.byType.map((x) => [x.type, x.count])), byType);
    assert.deepEqual(new Map(s.body.byOwner.map((x) => [x.owner, x.count])), byOwner);
    const [cli] = await elavaLines(['list', '--counts', '--provider', 'gcp']);
    const { revision: _revision, ...summary } = s.body as unknown as Record<string, unknown>;
    assert.deepEqual(cli, summary);
  });

  it('bad paging input is a 400 (and a usage error on the command line), never a guess', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=ten', 'after=x', 'limit=5&limit=6', 'limit=5&colour=red']) {
      const r = await get<{ error: string }>(`/v1/resources?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.body.error, 'bad-filter', q);
    }
    for (const args of [['--limit', '0'], ['--after', 'x'], ['--counts', '--limit', '5']]) {
      const r = await runElava(['list', ...args, '--data-dir', DIR]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('a filtered diff lists what elava diff lists with the same filter, with totals; limit cuts each kind', async () => {
    const last = t.daemon.log.lastMain;
    const cli = await elavaLines(['diff', '1', String(last), '--type', 'ec2.instance']);
    const api = await get<{ appeared: ResourceRecord[]; changed: Array<{ key: string }>; disappeared: Array<{ key: string }>; totals: Record<string, number>; truncated: boolean }>(`/v1/diff?from=1&to=${last}&type=ec2.instance`);
    assert.equal(api.status, 200);
    const keysOf = (kind: string): unknown[] => cli.filter((l) => l['change'] === kind).map((l) => l['key']);
    assert.deepEqual(api.body.appeared.map((r) => r.key), keysOf('appeared'));
    assert.deepEqual(api.body.changed.map((c) => c.key), keysOf('changed'));
    assert.deepEqual(api.body.disappeared.map((d) => d.key), keysOf('disappeared'));
    assert.ok(cli.length > 0 && cli.every((l) => String(l['key']).includes('/ec2.instance/')));
    assert.deepEqual(api.body.totals, { appeared: keysOf('appeared').length, changed: keysOf('changed').length, disappeared: keysOf('disappeared').length });
    assert.equal(api.body.truncated, false);
    const cut = await get<typeof api.body>(`/v1/diff?from=1&to=${last}&type=ec2.instance&limit=1`);
    assert.equal(cut.body.truncated, true);
    assert.deepEqual(cut.body.totals, api.body.totals, 'totals count before the cut');
    assert.ok(cut.body.appeared.length <= 1 && cut.body.changed.length <= 1 && cut.body.disappeared.length <= 1);
  });

  it('waste totals by owner and by account cover every priced item, as elava waste --by does; limit cuts each rule', async () => {
    const now = '2030-01-01T00:00Z';
    type Total = { group: string; items: number; monthlyUsd: number; unpriced: number };
    type Waste = Record<string, Array<{ key: string; owner: string | null }>> & {
      counts: Record<string, number>; totals: { byRule: Total[]; byOwner: Total[]; byAccount: Total[]; all: Total };
    };
    const whole = await get<Waste>(`/v1/waste?now=${now}&stoppedDays=0`);
    const cut = await get<Waste>(`/v1/waste?now=${now}&stoppedDays=0&limit=2`);
    const rules = Object.keys(whole.body.counts);
    assert.ok(rules.length >= 10, 'every rule is counted');
    for (const rule of rules) {
      assert.equal(cut.body.counts[rule], whole.body[rule]!.length, rule);
      assert.deepEqual(cut.body[rule], whole.body[rule]!.slice(0, 2), `${rule}: the 2 oldest`);
    }
    assert.deepEqual(cut.body.totals, whole.body.totals, 'totals are over the whole report');
    const priced = rules.filter((r) => r !== 'unowned').reduce((n, r) => n + whole.body[r]!.length, 0);
    assert.equal(whole.body.totals.all.items, priced, 'every item but the informational unowned ones');
    const sum = (rows: Total[]): number => rows.reduce((n, r) => n + r.items, 0);
    assert.equal(sum(whole.body.totals.byOwner), priced);
    assert.equal(sum(whole.body.totals.byAccount), priced);
    assert.ok(whole.body.totals.byAccount.some((r) => r.group === '111111111111'));
    const cli = (await elavaLines(['waste', '--now', now, '--stopped-days', '0', '--by', 'owner']));
    assert.ok(cli.length > 0, 'the CLI answers the same report');
    assert.equal((await get<{ error: string }>('/v1/waste?limit=0')).status, 400);
  });

  it('health shows each scope\'s last listing (a failed one with its reason), cycles and the log', async () => {
    const { body } = await get<HealthReport>('/v1/health');
    assert.ok(body.scopes.length >= 10, 'every configured scope');
    const failed = body.scopes.filter((s) => s.status === 'failed');
    // access is denied to RDS in one region: every RDS type listed there fails
    assert.ok(failed.length >= 1 && failed.every((s) => s.scope.startsWith('aws/111111111111/eu-west-1/rds.') && s.error?.code === 'access-denied'));
    const instance = failed.find((s) => s.scope === 'aws/111111111111/eu-west-1/rds.instance');
    assert.equal(instance?.lastCompleteMain, 2, 'the scope last listed complete in cycle 2');
    assert.deepEqual(body.scopeTotals, { complete: body.scopes.length - failed.length, failed: failed.length, suspect: 0 });
    assert.deepEqual(body.cycles.map((c) => c.revision), [1, 2, 3]);
    assert.deepEqual(body.cycles.map((c) => c.failedScopes), [0, 0, failed.length]);
    assert.ok(body.fsync !== null && body.fsync.count >= 3 && body.fsync.counts.reduce((a, b) => a + b, 0) === body.fsync.count);
    assert.ok(body.log !== null && body.log.segments >= 1 && body.log.diskBytes > 0);
  });

  it('elava health answers the same scopes from the data directory, while the daemon runs', async () => {
    const api = (await get<HealthReport>('/v1/health')).body;
    const r = await runElava(['health', '--data-dir', DIR, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const cli = JSON.parse(r.stdout) as HealthReport;
    assert.deepEqual(cli.scopes, api.scopes);
    assert.deepEqual(cli.scopeTotals, api.scopeTotals);
    assert.equal(cli.revision, api.revision);
    assert.deepEqual(cli.cycles, [], 'cycles belong to the daemon process');
    assert.equal(cli.log?.segments, api.log?.segments);
    const text = await runElava(['health', '--data-dir', DIR]);
    assert.match(text.stdout, /^aws\/111111111111\/eu-west-1\/rds\.instance +failed .*access-denied/m);
    assert.equal((await runElava(['health', 'extra', '--data-dir', DIR])).code, 2);
  });

  it('after a restart, health still knows every scope\'s last listing and names the checkpoint', async () => {
    const before = (await get<HealthReport>('/v1/health')).body.scopes;
    await t.daemon.close();
    t = await openTestDaemon(DIR, FAULT);
    const { body } = await get<HealthReport>('/v1/health');
    assert.deepEqual(body.scopes, before);
    assert.deepEqual(body.cycles, [], 'no cycle yet in this process');
    assert.ok(body.checkpoint !== null && body.checkpoint.coversMain >= 3, 'the shutdown checkpoint');
  });
});
