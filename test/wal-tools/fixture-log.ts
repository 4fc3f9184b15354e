/**
 * Deterministic fixture logs for wal-dump tests, written by the real Wal writer into a
 * temporary directory: fixed revisions, times and payloads, so every byte (and so every
 * golden output) is the same on every run.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ElavaEvent } from '../../src/model/events.js';
import type { ResourceRecord, ResourceType } from '../../src/model/resource.js';
import { Wal } from '../../src/wal/wal.js';

/** Repository root (this file runs from dist/test/wal-tools/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI_PATH = path.join(REPO_ROOT, 'dist', 'wal-tools', 'wal-dump.js');
export const GOLDEN_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'wal-dump');

export const SEGMENT_BYTES = 16 * 1024;
export const T0_MS = Date.UTC(2024, 4, 1, 12, 0, 0);
export const STEP_MS = 60_000;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `wal-dump-${prefix}-`));
}

function record(account: string, region: string, type: ResourceType, id: string, owner: string | null, state: string): ResourceRecord {
  const tags: Record<string, string> = { Name: `${type}-${id}` };
  if (owner !== null) tags.Owner = owner;
  return {
    key: `aws/${account}/${region}/${type}/${id}`, provider: 'aws', account, region, type, id,
    name: `${type}-${id}`, state, owner, tags, attrs: { sizeGiB: 100 },
  };
}

/** The events of cycle `n` (1-based): a deterministic mix of every event type. */
export function cycleEvents(n: number): ElavaEvent[] {
  const account = n % 2 === 0 ? '111111111111' : '222222222222';
  const type: ResourceType = n % 3 === 0 ? 'ec2.instance' : 'ec2.volume';
  const scope = `aws/${account}/us-east-1/${type}`;
  const events: ElavaEvent[] = [{ type: 'scope-scanned', scope, status: n % 7 === 0 ? 'failed' : 'complete', listed: n, durationMs: 100 + n, error: n % 7 === 0 ? { code: 'throttled', message: 'Rate exceeded' } : null }];
  const id = `r-${String(n).padStart(4, '0')}`;
  const before = record(account, 'us-east-1', type, id, 'platform', 'running');
  events.push({ type: 'appeared', key: before.key, record: before });
  if (n > 1) {
    const prevId = `r-${String(n - 1).padStart(4, '0')}`;
    const prevType: ResourceType = (n - 1) % 3 === 0 ? 'ec2.instance' : 'ec2.volume';
    const prevAccount = (n - 1) % 2 === 0 ? '111111111111' : '222222222222';
    const after = record(prevAccount, 'us-east-1', prevType, prevId, null, 'stopped');
    events.push({ type: 'changed', key: after.key, record: after, diff: [{ path: 'state', before: 'running', after: 'stopped' }, { path: 'tags.Owner', before: 'platform', after: null }] });
  }
  if (n > 3 && n % 4 === 0) events.push({ type: 'disappeared', key: `aws/111111111111/us-east-1/ec2.volume/r-${String(n - 3).padStart(4, '0')}` });
  if (n % 10 === 0) events.push({ type: 'checkpoint', file: `checkpoints/${n}.ckpt`, coversMain: n - 1 });
  if (n % 15 === 0) events.push({ type: 'compaction-scheduled', atMain: n - 5 }, { type: 'compaction-finished', atMain: n - 5 });
  return events;
}

/** Appends cycles `from..to` (main = n, time = T0 + n steps) to an open writer. */
export async function appendCycles(wal: Wal, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) await wal.append({ main: n, timeMs: T0_MS + n * STEP_MS, events: cycleEvents(n) });
}

/** A closed log of `cycles` commits in `dir`; returns its segment files in order. */
export async function writeFixtureLog(dir: string, cycles: number, segmentSizeBytes = SEGMENT_BYTES): Promise<string[]> {
  const wal = Wal.open({ dir, create: true, segmentSizeBytes });
  await appendCycles(wal, 1, cycles);
  await wal.close();
  return segmentFiles(dir);
}

export function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.wal')).sort().map((n) => path.join(dir, n));
}

/** A pristine copy of a fixture log (damage is done to copies). */
export function copyLog(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) if (name.endsWith('.wal')) fs.copyFileSync(path.join(from, name), path.join(to, name));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], timeoutMs = 20_000): CliResult {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function spawnCli(args: readonly string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
