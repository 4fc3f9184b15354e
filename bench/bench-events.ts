/**
 * Change events for the recovery and index benchmarks: ~300-byte EC2 instance events
 * (bench/sample-event.ts) made into well-formed Elava events over a fleet of `resources`
 * keys: the first sight of a key is `appeared`, later ones `changed`.
 */
import type { LogEvent } from '../src/wal/types.js';
import { sampleChangeEvent } from './sample-event.js';

export function benchEvent(i: number, resources: number): Record<string, unknown> {
  const n = i % resources;
  const e = sampleChangeEvent(n) as { key: string; record: Record<string, unknown> };
  const id = e.key.slice(e.key.lastIndexOf('/') + 1);
  const record = { ...e.record, key: e.key, provider: 'aws', account: '123456789012', region: 'us-east-1', type: 'ec2.instance', id, state: (i / resources) % 2 < 1 ? 'running' : 'stopped' };
  if (i < resources) return { type: 'appeared', key: e.key, record };
  return { type: 'changed', key: e.key, record, diff: [{ path: 'state', before: 'running', after: record.state }] };
}

/** A LogEvent as replay would hand it, for in-memory index benchmarks (no disk). */
export function benchLogEvent(i: number, resources: number, eventsPerCommit: number): LogEvent {
  return {
    kind: 'event',
    main: Math.floor(i / eventsPerCommit) + 1,
    sub: i % eventsPerCommit,
    timeMs: 0,
    payload: benchEvent(i, resources),
    location: { segment: `${Math.floor(i / 200_000).toString(16).padStart(16, '0')}-0000000000000001.wal`, offsetBytes: 64 + (i % 200_000) * 320 },
  };
}

export function numberFlag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${name} needs a positive integer`);
  return v;
}
