/**
 * `npm run bench -- socket [--json] [--quick] [--resources N] [--runs N]`: the wall clock of
 * `elava get KEY --json` in a new process (what a user or a script sees), three ways:
 *
 * - with a daemon running on the data directory: answered through its query socket from
 *   its live state (src/daemon/query-socket.ts);
 * - the same with --no-daemon: the data directory opened read-only (checkpoint + log tail);
 * - `elava --version`: the floor of any `elava` process (Node start and module loading).
 *
 * The data directory: N resources appearing in commits of 10 000 events, then a checkpoint,
 * so both ways read the same state. The daemon is `elava daemon --simulate` on it with a
 * one-hour interval (the SIMULATED cloud's account 111111111111 is not the fleet's
 * 123456789012, so its one cycle leaves the fleet alone). Runs alternate between the ways;
 * the answers are checked equal and the daemon's /metrics must count every socket answer.
 * Default 100 000 resources (--quick 10 000); --resources 1000000 for the size.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../src/store/store.js';
import { Wal } from '../src/wal/wal.js';
import { benchEvent, numberFlag } from './bench-events.js';
import { median, Report } from './report.js';

const ELAVA_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'elava.js');
const EVENTS_PER_COMMIT = 10_000;
const T0_MS = Date.parse('2026-01-01T00:00:00Z');
const DAEMON_START_MS_MAX = 15 * 60_000;

interface Ran {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `elava ARGS` to its end; the wall clock from spawn to exit. */
function elava(args: readonly string[]): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env['ELAVA_NO_DAEMON'];
  const t0 = performance.now();
  const child = spawn(process.execPath, [ELAVA_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ ms: performance.now() - t0, code, stdout, stderr })));
}

async function writeFleet(dir: string, resources: number): Promise<void> {
  const wal = Wal.open({ dir, create: true });
  for (let i = 0; i < resources; i += EVENTS_PER_COMMIT) {
    const events: Record<string, unknown>[] = [];
    for (let j = i; j < Math.min(resources, i + EVENTS_PER_COMMIT); j++) events.push(benchEvent(j, resources));
    await wal.append({ main: wal.nextMain, timeMs: T0_MS + wal.nextMain * 60_000, events });
  }
  await wal.close();
  const store = await Store.open(dir);
  await store.checkpoint('demand');
  await store.close();
}

interface Daemon {
  http: string;
  stop(): Promise<void>;
}

/** Starts the daemon; resolves once its socket listens and its first cycle is committed. */
async function startDaemon(dir: string): Promise<Daemon> {
  const child = spawn(process.execPath, [ELAVA_JS, 'daemon', '--simulate', '--data-dir', dir, '--http-listen', '127.0.0.1:0', '--interval', '1h', '--jitter', '0s'], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let http: string | null = null;
  let listening = false;
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const up = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the daemon did not come up')), DAEMON_START_MS_MAX);
    child.on('close', (code) => reject(new Error(`the daemon exited (${code}): ${stderr}`)));
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const l = JSON.parse(line) as Record<string, unknown>;
        if (typeof l['http'] === 'string') http = l['http'];
        if (typeof l['socket'] === 'string') listening = true;
        if (typeof l['cycle'] === 'number' && typeof l['revision'] === 'number' && listening && http !== null) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
  });
  await up;
  return {
    http: http as unknown as string,
    async stop() {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('close', () => resolve())));
    },
  };
}

async function socketAnswers(http: string): Promise<number> {
  const text = await (await fetch(`http://${http}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('elava_query_socket_answers_total{')).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
}

export async function runSocketBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const resources = numberFlag(args, '--resources', quick ? 10_000 : 100_000);
  const runs = numberFlag(args, '--runs', 5);
  const json = args.includes('--json');
  const report = new Report('socket', json);
  if (!json) console.log(`# ${resources.toLocaleString('en-US')} resources, ${runs} runs each; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elava-bench-socket-'));
  const params = { resources, runs };
  try {
    await writeFleet(dir, resources);
    const key = benchEvent(Math.floor(resources / 2), resources).key as string;
    const started = performance.now();
    const daemon = await startDaemon(dir);
    report.add('daemon: start to socket listening and first cycle committed', { resources }, performance.now() - started, 'ms');
    const ways = { daemon: [] as number[], readOnly: [] as number[], version: [] as number[] };
    try {
      for (let r = 0; r < runs; r++) {
        const viaSocket = await elava(['get', key, '--json', '--data-dir', dir]);
        const readOnly = await elava(['get', key, '--json', '--data-dir', dir, '--no-daemon']);
        const version = await elava(['--version']);
        if (viaSocket.code !== 0 || readOnly.code !== 0 || version.code !== 0) throw new Error(`a run failed: ${viaSocket.stderr} ${readOnly.stderr} ${version.stderr}`);
        if (viaSocket.stdout !== readOnly.stdout) throw new Error('the daemon\'s answer differs from the read-only one');
        ways.daemon.push(viaSocket.ms);
        ways.readOnly.push(readOnly.ms);
        ways.version.push(version.ms);
      }
      const answered = await socketAnswers(daemon.http);
      if (answered !== runs) throw new Error(`the daemon answered ${answered} of ${runs} through its socket`);
    } finally {
      await daemon.stop();
    }
    for (const [name, label] of [['daemon', '`elava get` in a new process, daemon running (socket)'], ['readOnly', '`elava get` in a new process, --no-daemon (read-only open)'], ['version', '`elava --version` in a new process (floor)']] as const) {
      report.add(`${label}, median`, params, median(ways[name]), 'ms');
      report.add(`${label}, min`, params, Math.min(...ways[name]), 'ms');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  report.finish();
}
