/**
 * `npm run bench -- console [--json] [--quick] [--resources N] [--runs N]`: how fast the web
 * console's pages answer, measured as the API calls each page makes, over real HTTP on
 * loopback, against the daemon's query endpoints and HTTP server on a log of N resources
 * (default 100 000; target of the issue: every page under 300 ms at 100 k).
 *
 * The log, written through the log's own API into a temp directory: every resource
 * appears in one commit (two providers, three accounts, two regions, four types, eight
 * owners and unowned ones), then 48 hourly scan cycles each change 1 % of the fleet (a
 * real change: the record's `version` attribute moves, as the event's diff says) and end
 * 0.1 % of it, so "the last 24 h" of the changes page holds a day of real churn. The
 * projections are recovered from it as the daemon does; the HTTP server is the daemon's.
 *
 * A page's time is the wall clock from its first request to its last answer, the way the
 * browser asks: /v1/status first, then the page's calls in parallel. Each page's first
 * load is printed on its own (it fills what later loads find cached: the changes page's
 * diff window, the waste report of this revision and minute), then `--runs` more loads (default 20)
 * as p50 and p99; the static file (index.html) is the baseline of the HTTP round trip.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ConsoleFiles } from '../src/console/static-files.js';
import { CycleHistory, healthReport } from '../src/daemon/health.js';
import { queryEndpoints } from '../src/daemon/http-query.js';
import { startHttpServer } from '../src/daemon/http-server.js';
import type { ResourceRecord } from '../src/model/resource.js';
import { Store } from '../src/store/store.js';
import { Wal } from '../src/wal/wal.js';
import { numberFlag } from './bench-events.js';
import { Report, percentile } from './report.js';

const HOUR_MS = 3_600_000;
const CYCLES = 48;
const OWNERS = ['platform', 'data', 'growth', 'payments', 'search', 'sre', 'ml', 'infra'];
const TYPES = ['ec2.instance', 'ec2.volume', 'gce.instance', 'gce.disk'] as const;
const TARGET_MS = 300;

function record(n: number, version: number): ResourceRecord {
  const type = TYPES[n % TYPES.length] as (typeof TYPES)[number];
  const provider = type.startsWith('ec2') ? 'aws' : 'gcp';
  const account = provider === 'aws' ? `11111111111${n % 3}` : `project-${n % 3}`;
  const region = provider === 'aws' ? (n % 2 === 0 ? 'us-east-1' : 'eu-west-1') : (n % 2 === 0 ? 'us-central1-a' : 'europe-west1-b');
  const id = `r-${n.toString(16).padStart(8, '0')}`;
  const owner = n % 9 === 0 ? null : (OWNERS[n % OWNERS.length] as string);
  const tags: Record<string, string> = { Name: `res-${n % 1000}`, env: n % 2 === 0 ? 'prod' : 'dev' };
  if (owner !== null) tags['Owner'] = owner;
  const isVolume = type === 'ec2.volume' || type === 'gce.disk';
  const state = isVolume ? (n % 4 === 1 ? 'available' : 'in-use') : version % 2 === 1 ? 'stopped' : 'running';
  const attrs: Record<string, unknown> = isVolume
    ? { sizeGiB: 10 + (n % 500), attachments: state === 'available' ? [] : ['i-x'], users: state === 'available' ? [] : ['x'], createTime: '2026-01-01T00:00:00Z', version }
    : { instanceType: 'm5.large', zone: region, version };
  return { key: `${provider}/${account}/${region}/${type}/${id}`, provider, account, region, type, id, name: tags['Name'] ?? null, state, owner, tags, attrs } as ResourceRecord;
}

/** The fleet appears at t0; 48 hourly cycles change 1 % and end 0.1 %; returns a live key. */
export async function writeLog(dir: string, resources: number): Promise<{ key: string }> {
  const wal = Wal.open({ dir, create: true });
  const t0 = Date.now() - (CYCLES + 1) * HOUR_MS;
  const appeared = [];
  for (let n = 0; n < resources; n++) appeared.push({ type: 'appeared', key: record(n, 0).key, record: record(n, 0) });
  appeared.sort((a, b) => (a.key < b.key ? -1 : 1));
  await wal.append({ main: wal.nextMain, timeMs: t0, events: appeared });
  const gone = new Set<number>();
  const perCycle = Math.max(1, Math.floor(resources / 100));
  for (let c = 1; c <= CYCLES; c++) {
    const events = [];
    for (let j = 0; j < perCycle; j++) {
      const n = (c * 7919 + j * 104_729) % resources;
      if (gone.has(n)) continue;
      if (j % 10 === 9) {
        gone.add(n);
        events.push({ type: 'disappeared', key: record(n, c).key, record: record(n, c - 1) });
      } else {
        events.push({ type: 'changed', key: record(n, c).key, record: record(n, c), diff: [{ path: 'attrs.version', before: c - 1, after: c }] });
      }
    }
    const unique = [...new Map(events.map((e) => [e.key, e])).values()].sort((a, b) => (a.key < b.key ? -1 : 1));
    await wal.append({ main: wal.nextMain, timeMs: t0 + c * HOUR_MS, events: unique });
  }
  await wal.close();
  let live = 1;
  while (gone.has(live)) live++;
  return { key: record(live, 0).key };
}

async function timePage(base: string, callsOf: readonly string[] | ((run: number) => string[]), run: number): Promise<number> {
  const calls = typeof callsOf === 'function' ? callsOf(run) : callsOf;
  const t0 = performance.now();
  const status = await fetch(`${base}/v1/status`);
  if (!status.ok) throw new Error(`/v1/status: ${status.status}`);
  await status.arrayBuffer();
  await Promise.all(calls.map(async (c) => {
    const res = await fetch(base + c);
    if (!res.ok) throw new Error(`${c}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }));
  return performance.now() - t0;
}

export async function runConsoleBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const resources = numberFlag(args, '--resources', quick ? 10_000 : 100_000);
  const runs = numberFlag(args, '--runs', quick ? 5 : 20);
  const report = new Report('console', args.includes('--json'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-bench-console-'));
  try {
    const { key } = await writeLog(dir, resources);
    const t0 = performance.now();
    const recovered = await Store.open(dir, { readOnly: true });
    report.add('recovery of the projections (full replay)', { resources }, performance.now() - t0, 'ms');
    const structures = recovered.structures;
    const cycles = new CycleHistory();
    const wal = Wal.open({ dir });
    const health = (): ReturnType<typeof healthReport> => healthReport({ dataDir: dir, startedMs: Date.now(), wal: () => wal, projections: () => recovered.projections, cycles: () => cycles.list() });
    const queries = queryEndpoints(dir, () => recovered.projections, () => structures, undefined, health);
    const files = new ConsoleFiles();
    const server = await startHttpServer({ host: '127.0.0.1', port: 0, loopback: true }, null, {
      isReady: () => true,
      startup: () => ({}),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      query: (p, q) => queries.handle(p, q),
      console: (p) => files.answer(p),
    }, pino({ level: 'silent' }));
    const base = `http://${server.address}`;
    try {
      const lastMs = Date.now() - HOUR_MS; // the last cycle's commit time (writeLog)
      const dayAgo = new Date(lastMs - 24 * HOUR_MS + HOUR_MS / 2).toISOString();
      const k = encodeURIComponent(key);
      const middle = encodeURIComponent(record(Math.floor(resources / 2), 0).key);
      const pages: Array<[string, string[] | ((run: number) => string[])]> = [
        ['static index.html (baseline)', []],
        ['fleet', ['/v1/summary', '/v1/resources?limit=100']],
        ['fleet, filtered (owner, type)', ['/v1/summary?owner=data&type=ec2.volume', '/v1/resources?owner=data&type=ec2.volume&limit=100']],
        ['fleet, a page in the middle', ['/v1/summary', `/v1/resources?limit=100&after=${middle}`]],
        ['resource', [`/v1/history/${k}`, `/v1/history/${k}?field=tags.Owner`, `/v1/resources/${k}`]],
        ['changes, last 24 h', [`/v1/diff?from=${dayAgo}&to=${CYCLES + 1}&limit=500`]],
        ['waste', ['/v1/waste?stoppedDays=30&by=owner&limit=500']],
        // A report not cached yet (another threshold each run), its code warm: what a
        // new revision or minute costs a daemon that has answered before.
        ['waste, uncached report, ages known', (run) => [`/v1/waste?stoppedDays=${31 + run}&by=owner&limit=500`]],
        ['health', ['/v1/health']],
      ];
      for (const [name, calls] of pages) {
        const samples: number[] = [];
        let n = 0;
        const run = name.startsWith('static')
          ? async (): Promise<number> => {
            const s = performance.now();
            await (await fetch(`${base}/ui/fleet`)).arrayBuffer();
            return performance.now() - s;
          }
          : (): Promise<number> => timePage(base, calls, n++);
        const params = { resources, runs, targetMs: TARGET_MS };
        // The first load computes what later ones find cached (the changes page's diff
        // window, the waste report), in a process that has not run that code yet.
        report.add(`${name} first load`, { resources }, await run(), 'ms');
        for (let i = 0; i < runs; i++) samples.push(await run());
        samples.sort((a, b) => a - b);
        report.add(`${name} p50`, params, percentile(samples, 50), 'ms');
        report.add(`${name} p99`, params, percentile(samples, 99), 'ms');
      }
      report.add('rss', { resources }, process.memoryUsage().rss / 2 ** 20, 'MiB');
    } finally {
      await server.close();
      queries.close();
      await wal.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report.finish();
}
