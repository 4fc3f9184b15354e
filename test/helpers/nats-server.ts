/**
 * A real `nats-server` with JetStream for the fan-in tests: on 127.0.0.1, a port the
 * server picks itself (`-p -1`, read back from its log), a temporary store directory.
 * `restart()` stops it and starts it again on the same port and store (a server restart
 * mid-stream). A missing binary fails with one line saying what to install.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface NatsServer {
  readonly port: number;
  readonly url: string;
  readonly storeDir: string;
  /** The running server's process id (the bench reads its CPU time from /proc). */
  readonly pid: number | undefined;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

/** The nats-server binary, or an Error with one line saying what to install. */
export function natsServerBinary(): string {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/usr/local/bin'])) {
    const candidate = path.join(dir, 'nats-server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('nats-server not found: install it (Debian: apt-get install nats-server; or https://nats.io/download) to run the fan-in tests');
}

export async function startNatsServer(workDir: string): Promise<NatsServer> {
  const bin = natsServerBinary();
  const storeDir = path.join(workDir, 'nats-store');
  fs.mkdirSync(storeDir, { recursive: true });
  let child: ChildProcess;
  let port = -1;
  const launch = async (): Promise<void> => {
    const started = await launchServer(bin, storeDir, port);
    child = started.child;
    port = started.port;
  };
  await launch();
  const stopChild = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };
  return {
    get port() {
      return port;
    },
    get url() {
      return `127.0.0.1:${port}`;
    },
    get pid() {
      return child.pid;
    },
    storeDir,
    async restart() {
      await stopChild();
      await launch();
    },
    stop: stopChild,
  };
}

async function launchServer(bin: string, storeDir: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, '--http_port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const found = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString('utf8');
      const m = /Listening for client connections on [\d.]+:(\d+)/.exec(log);
      if (m !== null && /Server is ready/.test(log)) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code}) at start:\n${log}`));
    });
  });
  child.stderr!.resume();
  return { child, port: found };
}

/** Whether a nats-server binary exists (for a one-line failure in the tests). */
export function natsServerVersion(): string {
  return execFileSync(natsServerBinary(), ['--version'], { encoding: 'utf8' }).trim();
}
