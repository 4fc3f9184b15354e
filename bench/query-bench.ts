/**
 * `npm run bench -- query [--json] [--quick] [--resources N] [--events N] [--changes-per-cycle N]`:
 * the query layer on a log on this machine's disk. The log: every resource appears (commits
 * of 10 000 events), then scan cycles five minutes apart each change `--changes-per-cycle`
 * resources (default resources / 100), up to `--events` events in all. Measured:
 *
 * - cold start of a query command: openQueryState from a checkpoint plus a short tail
 *   (in process), and a whole `elava get` in a fresh Node process (module loading included);
 *   full replay without a checkpoint for comparison;
 * - `history` of one key (random keys, each with ~events/resources revisions read from disk);
 * - `at`: the whole fleet at a revision in the middle of the history (records from disk)
 *   and at the newest revision (from memory); at the same middle revision, the console's
 *   fleet page (a first and a next page of 100, a filter nothing matches) and its counts;
 * - `diff` across the last day of cycles.
 *
 * Targets of the issue (at 1 M resources / 10 M events): history < 5 ms, diff < 1 s, cold
 * start < 2 s. The default here is 100 k resources / 1 M events so the run fits in a few
 * minutes; pass --resources 1000000 --events 10000000 for the target size. The sizes run
 * are printed with the figures.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeQueryState, openQueryState, type QueryState } from '../src/query/query-state.js';
import { diffRevisions, fleetAt, pageResources, resourceHistory, summarizeResources } from '../src/query/queries.js';
import { historyUnchanged, runStepsYielding } from '../src/query/steps.js';
import { wasteReportPaused } from '../src/query/waste-cache.js';
import { sectionRows, wasteReport } from '../src/query/waste.js';
import { Store } from '../src/store/store.js';
import { Wal } from '../src/wal/wal.js';
import { benchEvent, numberFlag } from './bench-events.js';
import { watchEventLoop } from './loop-watch.js';
import { Report, percentile } from './report.js';

const APPEAR_EVENTS_PER_COMMIT = 10_000;
const CYCLE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const T0_MS = Date.parse('2026-01-01T00:00:00Z');
const TAIL_CYCLES = 3;
const HISTORY_SAMPLES = 500;
/** The console's fleet page size (console/fleet.js). */
const PAGE_LIMIT = 100;
/** An owner no bench resource has: a page filtered by it walks the whole fleet. */
const NO_SUCH_OWNER = 'no-such-owner';

export interface LogShape {
  resources: number;
  events: number;
  changesPerCycle: number;
}

/** Appends events [first, first + count) of the shape's sequence; returns the next index. */
export async function appendEvents(wal: Wal, shape: LogShape, first: number, count: number): Promise<number> {
  let i = first;
  const end = Math.min(shape.events, first + count);
  while (i < end) {
    const perCommit = i < shape.resources ? APPEAR_EVENTS_PER_COMMIT : shape.changesPerCycle;
    const limit = Math.min(end, i < shape.resources ? shape.resources : end, i + perCommit);
    const batch: Record<string, unknown>[] = [];
    for (; i < limit; i++) batch.push(benchEvent(i, shape.resources));
    await wal.append({ main: wal.nextMain, timeMs: T0_MS + wal.nextMain * CYCLE_MS, events: batch });
  }
  return i;
}

function timed<T>(run: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = run();
  return { ms: performance.now() - t0, value };
}

export async function coldStart(report: Report, dir: string, params: Record<string, number>): Promise<QueryState> {
  const t0 = performance.now();
  const state = await openQueryState(dir);
  report.add('cold start: openQueryState (checkpoint + tail)', params, performance.now() - t0, 'ms');
  const commands = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'query', 'commands.js');
  const key = benchEvent(0, 1).key as string;
  const script = `const t0 = performance.now(); const { runQueryCommand } = await import(${JSON.stringify(commands)});
const code = await runQueryCommand('get', [${JSON.stringify(key)}, '--data-dir', ${JSON.stringify(dir)}, '--json'], { stdout: () => {}, stderr: (s) => process.stderr.write(s) });
process.stdout.write(String(performance.now() - t0)); process.exitCode = code;`;
  const w0 = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const wallMs = performance.now() - w0;
  if (child.status !== 0) throw new Error(`elava get in a child process failed: ${child.stderr}`);
  report.add('cold start: `elava get` in a new process (wall clock)', params, wallMs, 'ms');
  report.add('cold start: `elava get` in a new process (after node started)', params, Number(child.stdout), 'ms');
  return state;
}

export function historyFigures(report: Report, state: QueryState, shape: LogShape, params: Record<string, number>): void {
  const samples: number[] = [];
  let revisions = 0;
  for (let s = 0; s < HISTORY_SAMPLES; s++) {
    const n = Math.floor((s * 7919) % shape.resources);
    const key = benchEvent(n, shape.resources).key as string;
    const { ms, value } = timed(() => resourceHistory(state, key));
    samples.push(ms);
    revisions += value.length;
  }
  samples.sort((a, b) => a - b);
  const p = { ...params, keys: HISTORY_SAMPLES, revisionsPerKey: Math.round(revisions / HISTORY_SAMPLES) };
  report.add('history of one key p50', p, percentile(samples, 50), 'ms');
  report.add('history of one key p99', p, percentile(samples, 99), 'ms');
}

export function fleetFigures(report: Report, state: QueryState, params: Record<string, number>): void {
  const middle = Math.max(1, Math.floor(state.lastMain / 2));
  const old = timed(() => fleetAt(state, middle));
  report.add('at: whole fleet at a middle revision (from disk)', { ...params, atMain: middle, records: old.value.length }, old.ms, 'ms');
  report.add('at: whole fleet at a middle revision', { ...params, atMain: middle }, old.value.length / (old.ms / 1000), 'records/s');
  const now = timed(() => fleetAt(state, state.lastMain));
  report.add('at: whole fleet at the newest revision (memory)', { ...params, records: now.value.length }, now.ms, 'ms');
}

/**
 * What the console's fleet page asks at an older revision (the `at` rows' middle one): a
 * first and a next page, a page whose filter matches nothing, and the counts. Apart from
 * fleetFigures, so that its million records read from disk are no longer held.
 */
export function pageFigures(report: Report, state: QueryState, params: Record<string, number>): void {
  const middle = Math.max(1, Math.floor(state.lastMain / 2));
  const first = timed(() => pageResources(state, {}, { limit: PAGE_LIMIT }, middle));
  const next = first.value.next;
  const second = next === null ? first : timed(() => pageResources(state, {}, { limit: PAGE_LIMIT, after: next }, middle));
  report.add('page at a middle revision: first page', { ...params, atMain: middle, limit: PAGE_LIMIT }, first.ms, 'ms');
  report.add('page at a middle revision: next page', { ...params, atMain: middle, limit: PAGE_LIMIT }, second.ms, 'ms');
  const none = timed(() => pageResources(state, { owner: NO_SUCH_OWNER }, { limit: PAGE_LIMIT }, middle));
  report.add('page at a middle revision: a filter nothing matches (walks the fleet)', { ...params, atMain: middle, limit: PAGE_LIMIT, found: none.value.resources.length }, none.ms, 'ms');
  const summary = timed(() => summarizeResources(state, {}, middle));
  report.add('summary at a middle revision (counts by type and owner)', { ...params, atMain: middle, total: summary.value.total }, summary.ms, 'ms');
}

/**
 * The waste report (the waste page, and every `/metrics` scrape's waste gauges): computed
 * in one piece, and in steps as the daemon computes it, with the longest time that held the
 * event loop (a 10 ms timer's longest gap: what `/healthz` would have waited).
 */
export async function wasteFigures(report: Report, state: QueryState, params: Record<string, number>): Promise<void> {
  const options = { stoppedDays: 30, idleDays: 30, nowMs: state.times.timeOf(state.lastMain) ?? Date.now() };
  const whole = timed(() => wasteReport(state, options));
  const watch = watchEventLoop();
  const started = performance.now();
  const paused = await wasteReportPaused(state, options, (steps) => runStepsYielding(steps, historyUnchanged(state)));
  const pausedMs = performance.now() - started;
  const held = watch.stop();
  assert.deepEqual(paused, whole.value, 'the same report either way');
  const rows = sectionRows(paused).reduce((n, [, section]) => n + section.length, 0); // the unowned too
  report.add('waste report in one piece (held the event loop throughout)', { ...params, rows }, whole.ms, 'ms');
  report.add('waste report in steps (as the daemon computes it)', { ...params, rows }, pausedMs, 'ms');
  report.add('waste report in steps: longest event-loop hold (10 ms timer)', params, held.longestGapMs, 'ms');
}

export function diffFigures(report: Report, state: QueryState, params: Record<string, number>): void {
  const lastMs = state.times.timeOf(state.lastMain) ?? 0;
  const from = state.times.mainAtOrBefore(lastMs - DAY_MS) ?? 0;
  const { ms, value } = timed(() => diffRevisions(state, Math.max(from, state.compactedMain), state.lastMain));
  const changed = value.appeared.length + value.changed.length + value.disappeared.length;
  report.add('diff across the last day of cycles', { ...params, cycles: state.lastMain - from, resourcesChanged: changed }, ms, 'ms');
}

/** Times a full replay (no checkpoint yet: the writer's Store.open), then checkpoints. */
async function checkpointAfterReplay(report: Report, dir: string, params: Record<string, number>): Promise<void> {
  const t0 = performance.now();
  const store = await Store.open(dir);
  report.add('cold start without a checkpoint: full replay', params, performance.now() - t0, 'ms');
  await store.checkpoint('demand');
  await store.close();
}

export async function runQueryBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const resources = numberFlag(args, '--resources', quick ? 10_000 : 100_000);
  const events = numberFlag(args, '--events', quick ? 100_000 : 1_000_000);
  const changesPerCycle = numberFlag(args, '--changes-per-cycle', Math.max(1, Math.floor(resources / 100)));
  if (events < resources || changesPerCycle > resources) throw new Error('--events must be ≥ --resources, and --changes-per-cycle ≤ --resources');
  const shape: LogShape = { resources, events, changesPerCycle };
  const report = new Report('query', args.includes('--json'));
  const params = { resources, events };
  if (!args.includes('--json')) {
    console.log(`# sizes run: ${events.toLocaleString('en-US')} events over ${resources.toLocaleString('en-US')} resources, ${changesPerCycle.toLocaleString('en-US')} changes per 5-minute cycle (target of the issue: 10,000,000 over 1,000,000)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-bench-query-'));
  try {
    const wal = Wal.open({ dir, create: true });
    const write = timed(() => appendEvents(wal, shape, 0, events - TAIL_CYCLES * changesPerCycle));
    const next = await write.value;
    report.add('log written', { ...params, commits: wal.lastMain }, wal.stats().bytesAppended / 2 ** 20, 'MiB');
    await wal.close();
    await checkpointAfterReplay(report, dir, params);
    const tailWal = Wal.open({ dir });
    await appendEvents(tailWal, shape, next, events - next); // a tail after the checkpoint, as a running daemon leaves it
    await tailWal.close();
    const state = await coldStart(report, dir, params);
    try {
      historyFigures(report, state, shape, params);
      fleetFigures(report, state, params);
      pageFigures(report, state, params);
      diffFigures(report, state, params);
      report.add('rss with the query state open', params, process.memoryUsage().rss / 2 ** 20, 'MiB');
    } finally {
      closeQueryState(state);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report.finish();
}
