/**
 * `npm run bench -- scale [--json] [--quick] [--resources N] [--events N]`: every row of
 * the one-million-resources issue (12), at 1 M resources / 10 M events and at a 100 k /
 * 1 M sweep point (`--quick`: 100 k only; `--resources`/`--events`: that one point), with
 * the comparison baselines measured in the same run:
 *
 * - restart to ready from a checkpoint + a 100 k-event tail, and the longest time it held
 *   the event loop (read-only Store.open: the writer's open does the same replay, and
 *   would change the cached log); then writing that state's checkpoint (to a directory of
 *   its own), and the longest time that held the event loop;
 * - `elava get` in a new process (read-only open; the daemon-socket figure is the query
 *   bench's, once a daemon answers there);
 * - RSS and heap per live resource, heap and RSS per historical revision (all projections,
 *   after a forced GC, and RSS after the daemon's heap settling; index bench's method);
 * - full replay into all projections with no checkpoint, events/s, beside the bare reader
 *   (CRC + decode, no projection) over the same log; the heap it leaves (committed / live
 *   and RSS) after a plain GC and after the daemon's heap settling, and that settling's time;
 * - change detection over the fleet at 1 % churn, every run on a fresh scan (fresh key strings), beside
 *   a JSON.stringify compare (scan bench's method);
 * - `diff` across the last day, `at` a middle revision (whole fleet; and as one client of
 *   the HTTP API gets it, answer written and read), `history`; a page
 *   of 100 and the summary at that middle revision (the console's fleet page there);
 * - the waste report (the waste page, every `/metrics` scrape) in one piece and in steps
 *   as the daemon computes it, with the longest time the steps held the event loop;
 * - durable append at batch 10 000, beside a raw writer of the same byte count: bytes taken
 *   from the log's own segment files (framed records; past the first segment the pieces do
 *   not line up with commits exactly), written again commit-sized with write + fdatasync;
 * - at the 100 k point: `/v1/status` p50/p99/longest while 16 clients (a process of their
 *   own: bench/fleet-clients.ts) ask for whole-fleet answers, newest (from memory), then at
 *   the middle revision (read from the log, in steps the server pauses between).
 *
 * The history is built once per size and kept between runs in the temp directory, keyed by
 * the log and checkpoint format versions, the checkpoint part size (the restart rows read
 * its checkpoint) and the projection set (`elava-scale-v<format>-c<snap>-k<part items>
 * -p<set>-r<resources>-e<events>`: its checkpoint must hold every projection); a run that
 * stopped half-way leaves no `complete` mark and is rebuilt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { queryEndpoints } from '../src/daemon/http-query.js';
import { builtInProjections } from '../src/projection/builtins.js';
import { eventFrameKey, eventFrameTag } from '../src/projection/event-frame-key.js';
import { startHttpServer } from '../src/daemon/http-server.js';
import { SNAP_FORMAT_VERSION } from '../src/checkpoint/snap-file.js';
import { CHECKPOINT_PART_ITEMS } from '../src/limits.js';
import { closeQueryState } from '../src/query/query-state.js';
import { Store } from '../src/store/store.js';
import { writeStateCheckpoint } from '../src/store/take-checkpoint.js';
import { nodeFileSystem } from '../src/wal/file-system.js';
import { FORMAT_VERSION } from '../src/wal/frame.js';
import { readLog } from '../src/wal/reader.js';
import { listSegments } from '../src/wal/segment.js';
import { Wal } from '../src/wal/wal.js';
import { benchEvent, numberFlag } from './bench-events.js';
import { memory, memoryPerResource, settled } from './index-bench.js';
import { appendEvents, coldStart, diffFigures, fleetFigures, historyFigures, pageFigures, wasteFigures, type LogShape } from './query-bench.js';
import { watchEventLoop } from './loop-watch.js';
import { Report, percentile } from './report.js';
import { benchFleet } from './scan-bench.js';

const FLEET_CLIENTS_JS = path.join(path.dirname(new URL(import.meta.url).pathname), 'fleet-clients.js');
const TAIL_EVENTS = 100_000;
const APPEND_BATCH = 10_000;
const APPEND_COMMITS = 50;
const STATUS_CLIENTS = 16;
/** How long `/v1/status` is sampled, one request after another, while the clients run. */
const STATUS_RUN_MS = 20_000;

/**
 * Events framed as the Store frames them (each change's key and tag beside its payload):
 * the history replays as a daemon's log does, and appends write what a daemon writes.
 * Histories cached before (keyless frames) are not reused: `FRAMED_TAG` in the name.
 */
const STORE_FRAMING = { eventKey: eventFrameKey, eventTag: eventFrameTag };
const FRAMED_TAG = 'k';

/** The cached history of `shape`: the log up to a checkpoint, then a TAIL_EVENTS tail. */
async function history(report: Report, shape: LogShape, params: Record<string, number>): Promise<string> {
  const dir = path.join(os.tmpdir(), `elava-scale-v${FORMAT_VERSION}${FRAMED_TAG}-c${SNAP_FORMAT_VERSION}-k${CHECKPOINT_PART_ITEMS}-p${projectionSetTag()}-r${shape.resources}-e${shape.events}`);
  const mark = path.join(dir, '..', `${path.basename(dir)}.complete`);
  if (fs.existsSync(mark)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const wal = Wal.open({ dir, create: true, ...STORE_FRAMING });
  const next = await appendEvents(wal, shape, 0, shape.events - TAIL_EVENTS);
  await wal.close();
  const store = await Store.open(dir);
  await store.checkpoint('demand');
  await store.close();
  const tail = Wal.open({ dir, ...STORE_FRAMING });
  await appendEvents(tail, shape, next, shape.events - next);
  await tail.close();
  fs.writeFileSync(mark, `${new Date().toISOString()}\n`);
  report.add('history built (not cached yet)', params, (performance.now() - t0) / 1000, 's');
  return dir;
}

/**
 * The projection set's names and versions, hashed short: the cached checkpoint holds every
 * projection's state, and one it lacks would be rebuilt by replaying the whole history on
 * every open (the upgrade path), which is not what the restart figures measure.
 */
function projectionSetTag(): string {
  const set = builtInProjections().map((p) => `${p.name}@${p.version}`).join(',');
  return createHash('sha256').update(set).digest('hex').slice(0, 8);
}

function logBytes(dir: string): number {
  return listSegments(nodeFileSystem, dir).reduce((sum, s) => sum + fs.statSync(path.join(dir, s.name)).size, 0);
}

/**
 * Reads every segment once, untimed: the bare reader goes first and would otherwise pay
 * alone for whatever of the 3.8 GB log the page cache had let go (a run measured it at
 * 307 k events/s against 530 k in another, while the replay after it read from the cache).
 */
function warmLog(dir: string): void {
  const buffer = Buffer.allocUnsafe(8 * 2 ** 20);
  for (const s of listSegments(nodeFileSystem, dir)) {
    const fd = fs.openSync(path.join(dir, s.name), 'r');
    try {
      while (fs.readSync(fd, buffer, 0, buffer.length, null) > 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}

async function replayFigures(report: Report, dir: string, params: Record<string, number>): Promise<void> {
  const bytes = logBytes(dir);
  warmLog(dir);
  let events = 0;
  const r0 = performance.now();
  for (const e of readLog(dir)) if (e.kind === 'event') events++;
  const bareMs = performance.now() - r0;
  report.add('bare reader (CRC + decode, no projection)', params, events / (bareMs / 1000), 'events/s');
  const f0 = performance.now();
  const full = await Store.open(dir, { readOnly: true, rebuild: true });
  const fullMs = performance.now() - f0;
  const replayed = full.recovery.eventsReplayed;
  // What the replayed state holds (the daemon settles its heap after such a recovery).
  const plain = memory();
  const after = await settled();
  await full.close();
  const MiB = 2 ** 20;
  report.add('full replay: heap committed / live, plain GC', params, plain.committed / plain.heap, 'ratio');
  report.add('full replay: RSS, plain GC', params, plain.rss / MiB, 'MiB');
  report.add('full replay: heap settling (compacting GC)', params, after.ms, 'ms');
  report.add('full replay: heap committed / live, settled', params, after.committed / after.heap, 'ratio');
  report.add('full replay: RSS, settled', params, after.rss / MiB, 'MiB');
  report.add('full replay into all projections, no checkpoint', { ...params, logMiB: Math.round(bytes / 2 ** 20) }, replayed / (fullMs / 1000), 'events/s');
  report.add('full replay / bare reader', params, replayed / fullMs / (events / bareMs), 'ratio');
  const watch = watchEventLoop();
  const c0 = performance.now();
  const restart = await Store.open(dir, { readOnly: true });
  const restartMs = performance.now() - c0;
  const held = watch.stop();
  const tail = restart.recovery.eventsReplayed;
  report.add('restart to ready: checkpoint + tail', { ...params, tail }, restartMs, 'ms');
  report.add('restart: longest event-loop gap (10 ms timer)', { ...params, tail }, held.longestGapMs, 'ms');
  report.add('restart: event-loop delay p99', { ...params, tail }, held.p99Ms, 'ms');
  try {
    await checkpointFigures(report, restart, params);
  } finally {
    await restart.close();
  }
}

/**
 * Writing the restored state's checkpoint (the file alone, in a directory of its own: the
 * cached history stays as it is), and how long it held the event loop at a time.
 */
async function checkpointFigures(report: Report, state: Store, params: Record<string, number>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-scale-checkpoint-'));
  try {
    const source = { dir, wfs: nodeFileSystem, projections: state.projections, lastMain: state.lastMain, structures: state.structures };
    const watch = watchEventLoop();
    const t0 = performance.now();
    const { bodyBytes } = await writeStateCheckpoint(source, null);
    const ms = performance.now() - t0;
    const held = watch.stop();
    const p = { ...params, fileMiB: Math.round(bodyBytes / 2 ** 20) };
    report.add('checkpoint write (every projection, fsync)', p, ms, 'ms');
    report.add('checkpoint write: longest event-loop gap (10 ms timer)', p, held.longestGapMs, 'ms');
    report.add('checkpoint write: event-loop delay p99', p, held.p99Ms, 'ms');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Durable append at batch 10 000, and the same bytes written raw, commit by commit. */
async function appendFigures(report: Report, shape: LogShape, params: Record<string, number>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-scale-append-'));
  try {
    const batches = Array.from({ length: APPEND_COMMITS }, (_, c) =>
      Array.from({ length: APPEND_BATCH }, (_, i) => benchEvent(shape.resources + c * APPEND_BATCH + i, shape.resources)));
    const wal = Wal.open({ dir, create: true, ...STORE_FRAMING });
    const ends: number[] = [];
    const t0 = performance.now();
    for (const events of batches) {
      await wal.append({ main: wal.nextMain, timeMs: Date.now(), events });
      ends.push(wal.stats().bytesAppended);
    }
    const walMs = performance.now() - t0;
    await wal.close();
    const events = APPEND_BATCH * APPEND_COMMITS;
    report.add('durable append, batch 10 000', params, events / (walMs / 1000), 'events/s');
    // The raw writer: as many bytes as each commit added to the log, taken from the log's
    // segment files in order and written again piece by piece, each fdatasync'd. (The files
    // also hold segment headers and preallocated zeros, so after the first segment a piece
    // is not exactly that commit's frames: the I/O is the same, the bytes nearly so.)
    const written = Buffer.concat(listSegments(nodeFileSystem, dir).map((s) => fs.readFileSync(path.join(dir, s.name))));
    const raw = path.join(dir, 'raw');
    const fd = fs.openSync(raw, 'w');
    let from = 0;
    const r0 = performance.now();
    for (const end of ends) {
      const to = Math.min(end, written.length);
      fs.writeSync(fd, written, from, to - from);
      fs.fdatasyncSync(fd);
      from = to;
    }
    const rawMs = performance.now() - r0;
    fs.closeSync(fd);
    report.add('raw writer, same byte count per commit', params, events / (rawMs / 1000), 'events/s');
    report.add('durable append / raw writer', params, rawMs / walMs, 'ratio');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `/v1/status` latency while 16 clients read whole-fleet answers from the same server: the
 * newest fleet (`/v1/resources`, from memory) or, with `past`, the fleet at the middle
 * revision (`/v1/at/REV`, read from the log).
 */
async function statusUnderLoad(report: Report, dir: string, params: Record<string, number>, past: boolean): Promise<void> {
  await withQueryServer(dir, (base, lastMain) => clientsAndStatus(report, base, params, past ? `/v1/at/${Math.floor(lastMain / 2)}` : null));
}

/**
 * The daemon's HTTP query server over a read-only open of `dir` (port 0), for `run`,
 * given its base URL and the newest revision; closed after.
 */
async function withQueryServer(dir: string, run: (base: string, lastMain: number) => Promise<void>): Promise<void> {
  const store = await Store.open(dir, { readOnly: true });
  const queries = queryEndpoints(dir, () => store.projections, () => store.structures);
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, loopback: true }, null, {
    isReady: () => true,
    startup: () => ({}),
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    query: (p, q) => queries.handle(p, q),
    console: () => null,
  }, pino({ level: 'silent' }));
  try {
    await run(`http://${server.address}`, store.lastMain);
  } finally {
    await server.close();
    queries.close();
    await store.close();
  }
}

/**
 * One client's `/v1/at` of the middle revision, whole fleet, over HTTP: what a user of the
 * API or the console waits for (the `at` rows above time the query alone, records in hand).
 * The client is a process of its own, timing from its request to the answer's last byte.
 */
async function httpAtFigure(report: Report, dir: string, params: Record<string, number>): Promise<void> {
  await withQueryServer(dir, async (base, lastMain) => {
    const middle = Math.max(1, Math.floor(lastMain / 2));
    const client = [
      `const t0 = performance.now(); const res = await fetch(${JSON.stringify(`${base}/v1/at/${middle}`)});`,
      'const bytes = (await res.arrayBuffer()).byteLength;',
      'console.log(JSON.stringify({ status: res.status, bytes, ms: performance.now() - t0 }));',
    ].join(' ');
    const child = spawn(process.execPath, ['--input-type=module', '-e', client], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`the /v1/at client exited with ${code}`);
    const { status, bytes, ms } = JSON.parse(out) as { status: number; bytes: number; ms: number };
    if (status !== 200) throw new Error(`/v1/at/${middle} answered ${status}`);
    report.add('at: whole fleet at a middle revision, over HTTP (one client)', { ...params, atMain: middle, answerMiB: Math.round(bytes / 2 ** 20) }, ms, 'ms');
  });
}

/** 16 clients asking for `pastFleet` (null: the newest fleet) while `/v1/status` is sampled. */
async function clientsAndStatus(report: Report, base: string, params: Record<string, number>, pastFleet: string | null): Promise<void> {
  const past = pastFleet !== null;
  const wholeFleet = pastFleet ?? '/v1/resources';
  const what = past ? 'fleet-at-a-past-revision clients' : 'whole-fleet clients';
  const ask = async (url: string): Promise<boolean> => {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false; // a reset or timed-out connection: counted, the run goes on
    }
  };
  // The whole-fleet clients run in a process of their own, as a daemon's clients do.
  const clients = spawn(process.execPath, [FLEET_CLIENTS_JS, `${base}${wholeFleet}`, String(STATUS_CLIENTS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await lineFrom(clients, (line) => line === 'started');
    const samples: number[] = [];
    let statusFailures = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < STATUS_RUN_MS) {
      const s = performance.now();
      if (!(await ask(`${base}/v1/status`))) statusFailures++;
      samples.push(performance.now() - s);
    }
    const result = lineFrom(clients, (line) => line.startsWith('{'));
    clients.stdin!.end('stop\n');
    const { answers, failures, seconds } = JSON.parse(await result) as { answers: number; failures: number; seconds: number };
    samples.sort((a, b) => a - b);
    const p = { ...params, clients: STATUS_CLIENTS, samples: samples.length };
    report.add(`/v1/status p50 under ${what}`, p, percentile(samples, 50), 'ms');
    report.add(`/v1/status p99 under ${what}`, p, percentile(samples, 99), 'ms');
    report.add(`/v1/status longest under ${what}`, p, samples[samples.length - 1] ?? 0, 'ms');
    report.add(`/v1/status failed under ${what}`, p, statusFailures, 'requests');
    report.add(`${past ? 'past-fleet' : 'whole-fleet'} answers served meanwhile`, p, answers / seconds, 'answers/s');
    report.add(`${past ? 'past-fleet' : 'whole-fleet'} requests failed meanwhile`, p, failures, 'requests');
  } finally {
    clients.kill();
  }
}

/** The first line of `child`'s stdout that `wanted` accepts; rejects if it exits first. */
function lineFrom(child: ChildProcess, wanted: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const found = lines.find(wanted);
      if (found === undefined) return;
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve(found);
    };
    const onExit = (): void => reject(new Error('the fleet clients process ended early'));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

async function sizePoint(report: Report, resources: number, events: number): Promise<void> {
  const shape: LogShape = { resources, events, changesPerCycle: Math.max(1, Math.floor(resources / 100)) };
  const params = { resources, events };
  await memoryPerResource(report, resources, events - resources);
  await benchFleet(report, resources);
  const dir = await history(report, shape, params);
  await replayFigures(report, dir, params);
  const state = await coldStart(report, dir, params);
  try {
    historyFigures(report, state, shape, params);
    fleetFigures(report, state, params);
    pageFigures(report, state, params);
    await wasteFigures(report, state, params);
    diffFigures(report, state, params);
  } finally {
    closeQueryState(state);
  }
  await httpAtFigure(report, dir, params);
  await appendFigures(report, shape, params);
  if (resources <= 100_000) {
    await statusUnderLoad(report, dir, params, false);
    await statusUnderLoad(report, dir, params, true);
  }
}

export async function runScaleBench(args: string[]): Promise<void> {
  const report = new Report('scale', args.includes('--json'));
  const given = args.some((a) => a === '--resources' || a === '--events');
  const resources = numberFlag(args, '--resources', 1_000_000);
  const points: Array<[number, number]> = given
    ? [[resources, numberFlag(args, '--events', resources * 10)]]
    : args.includes('--quick') ? [[100_000, 1_000_000]] : [[100_000, 1_000_000], [1_000_000, 10_000_000]];
  for (const [r, e] of points) {
    if (e < r + TAIL_EVENTS) throw new Error(`--events must be at least --resources + ${TAIL_EVENTS}`);
    if (!args.includes('--json')) console.log(`# size point: ${r.toLocaleString('en-US')} resources, ${e.toLocaleString('en-US')} events`);
    await sizePoint(report, r, e);
  }
  report.finish();
}
