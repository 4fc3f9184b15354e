/**
 * Fan-in test helpers: source daemons on the SIMULATED cloud (one account and one project
 * each, so no two sources report a scope), what their logs hold, what the stream and the
 * aggregate hold, and a poll-until helper (a bound on waiting, never a timing assert).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type JsMsg } from 'nats';
import type { ElavaEvent, SourceCommit } from '../../src/model/events.js';
import { closeQueryState, openQueryState } from '../../src/query/query-state.js';
import { recordsHash, sourcesReport, type SourceRow } from '../../src/query/sources.js';
import { LogReader } from '../../src/wal/reader.js';
import { openTestDaemon, type DaemonUnderTest } from '../daemon/daemon-harness.js';

export const STREAM = 'ELAVA';

export async function openSource(dir: string, n: number, flags: Record<string, string> = {}): Promise<DaemonUnderTest> {
  return openTestDaemon(dir, {
    seed: 100 + n,
    aws: { accounts: [`${n}`.padStart(12, '1')], regions: ['us-east-1'] },
    gcp: { projects: [`sim-project-${n}`], zones: ['us-central1-a'] },
    fleet: { ec2Instances: 12, ec2Volumes: 10, rdsInstances: 3, gceInstances: 8, gceDisks: 6 },
    churn: { appearPerTick: 2, changePerTick: 3, disappearPerTick: 1, recreatePerTick: 1 },
  }, { 'log-level': 'warn', ...flags });
}

/** Advances the simulated cloud and runs one cycle. */
export async function cycle(t: DaemonUnderTest, first: boolean): Promise<void> {
  if (!first) t.sim.cloud.advance();
  const report = await t.daemon.runCycle();
  assert.equal(report.aborted, false);
}

export interface SourceLog {
  /** Every event's id, `<main>.<sub>`. */
  ids: string[];
  /** Mains of commits holding events, ascending. */
  commitMains: number[];
  lastMain: number;
}

export function sourceLog(dir: string): SourceLog {
  const ids: string[] = [];
  const mains = new Set<number>();
  const reader = new LogReader(dir);
  for (const e of reader.entries()) {
    if (e.kind !== 'event') continue;
    ids.push(`${e.main}.${e.sub}`);
    mains.add(e.main);
  }
  return { ids, commitMains: [...mains].sort((a, b) => a - b), lastMain: reader.tail.lastMain };
}

/** The hash `elava sources --self` shows: the directory's live records. */
export async function sourceHash(dir: string): Promise<string> {
  const state = await openQueryState(dir);
  try {
    return recordsHash(state.current.values());
  } finally {
    closeQueryState(state);
  }
}

export async function aggregateRows(dir: string): Promise<SourceRow[]> {
  const state = await openQueryState(dir);
  try {
    return sourcesReport(state);
  } finally {
    closeQueryState(state);
  }
}

/** Every source-commit marker in the aggregate's log, in log order. */
export function aggregateMarkers(dir: string): SourceCommit[] {
  const out: SourceCommit[] = [];
  for (const e of new LogReader(dir).entries()) {
    if (e.kind === 'event' && (e.payload as ElavaEvent).type === 'source-commit') out.push(e.payload as SourceCommit);
  }
  return out;
}

/** Every Nats-Msg-Id the stream holds (read with an ordered consumer), in stream order. */
export async function streamMsgIds(url: string): Promise<string[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    const total = (await jsm.streams.info(STREAM)).state.messages;
    const consumer = await nc.jetstream().consumers.get(STREAM);
    const ids: string[] = [];
    while (ids.length < total) {
      const batch = await consumer.fetch({ max_messages: Math.min(1000, total - ids.length), expires: 2000 });
      for await (const m of batch) ids.push((m as JsMsg).headers?.get('Nats-Msg-Id') ?? '');
    }
    return ids;
  } finally {
    await nc.close();
  }
}

/** Polls `check` every 50 ms until it returns true; fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Asserts the exactly-once picture for one source: stream ids, aggregate markers, hash. */
export function assertOnce(source: string, log: SourceLog, streamIds: readonly string[], markers: readonly SourceCommit[]): void {
  const mine = streamIds.filter((id) => id.startsWith(`${source}:`));
  assert.deepEqual([...mine].sort(), log.ids.map((id) => `${source}:${id}`).sort(), `stream holds each event of ${source} once`);
  const applied = markers.filter((m) => m.source === source).map((m) => m.sourceMain);
  assert.deepEqual(applied, log.commitMains, `aggregate applied each commit of ${source} once, in order`);
}

/** Whether the durable consumer `agg` has acknowledged every message of the stream. */
export async function allAcknowledged(url: string, durable = 'agg'): Promise<boolean> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    const last = (await jsm.streams.info(STREAM)).state.last_seq;
    const info = await jsm.consumers.info(STREAM, durable).catch(() => null);
    return info !== null && info.ack_floor.stream_seq === last && info.num_ack_pending === 0;
  } catch {
    return false;
  } finally {
    await nc.close();
  }
}
