/**
 * Runs the compiled `elava` command as a child process (dist/src/cli/elava.js), the way a
 * user or systemd does: for exit codes, stderr lines and signals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../helpers/tmp.js';

export const ELAVA_JS = path.join(repoRoot(), 'dist', 'src', 'cli', 'elava.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment without the caller's ELAVA_* variables, so tests see only their own. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ELAVA_')) env[k] = v;
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first JSON log line for which `match` is true. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  finished: Promise<Finished>;
}

export function startElava(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Running {
  const child = spawn(process.execPath, [ELAVA_JS, ...args], { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  const logLines = (): Array<Record<string, unknown>> =>
    out.split('\n').filter((l) => l.startsWith('{')).map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
  const waitForLog = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stdout:\n${out.slice(-3000)}\nstderr:\n${err}`)), timeoutMs);
      const check = (): void => {
        const hit = logLines().find(match);
        if (hit !== undefined) {
          clearTimeout(timer);
          resolve(hit);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`process ended (${child.exitCode ?? child.signalCode}) before a matching log line; stderr:\n${err}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitForLog, finished };
}

/** Runs to completion (killed after `timeoutMs`). */
export async function runElava(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Finished> {
  const run = startElava(args, options);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  try {
    return await run.finished;
  } finally {
    clearTimeout(timer);
  }
}

/** stderr's non-empty lines. */
export function errLines(f: Finished): string[] {
  return f.stderr.split('\n').filter((l) => l.trim() !== '');
}
