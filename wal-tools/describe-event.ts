/**
 * One-line descriptions of event payloads. Payloads come off the disk, so nothing about
 * their shape is trusted: the known event types (src/model/events.ts) are described by
 * their fields when those fields have the expected types, anything else generically.
 * Every string shown is bounded and has control characters escaped.
 */
import type { ElavaEvent } from '../src/model/events.js';

export interface EventDescription {
  /** The event type (`appeared`, `checkpoint`, ...), `event` when the payload has none. */
  kind: string;
  /** The resource key, or the scope of a scope-scanned event; null when there is none. */
  key: string | null;
  summary: string;
}

/** Longest value shown in a summary, and most diff entries listed. */
const VALUE_CHARS_MAX = 48;
const SUMMARY_CHARS_MAX = 240;
const DIFF_ENTRIES_SHOWN_MAX = 6;

type Known = ElavaEvent['type'];
const KNOWN_TYPES: ReadonlySet<string> = new Set<Known>([
  'appeared', 'changed', 'disappeared', 'scope-scanned', 'checkpoint', 'compaction-scheduled', 'compaction-finished',
  'log-repaired', 'history-downsampled', 'source-commit',
]);

type Fields = Readonly<Record<string, unknown>>;

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function describeEvent(payload: unknown): EventDescription {
  if (!isFields(payload) || typeof payload.type !== 'string') {
    return { kind: 'event', key: null, summary: clip(`payload ${shortJson(payload)}`, SUMMARY_CHARS_MAX) };
  }
  const type = payload.type;
  const key = typeof payload.key === 'string' ? printable(payload.key) : null;
  if (!KNOWN_TYPES.has(type)) {
    return { kind: printable(clip(type, 40)), key, summary: clip(`unknown event type; payload ${shortJson(payload)}`, SUMMARY_CHARS_MAX) };
  }
  return { kind: type, key: type === 'scope-scanned' ? str(payload.scope) : key, summary: clip(summarize(type as Known, payload), SUMMARY_CHARS_MAX) };
}

function summarize(type: Known, p: Fields): string {
  switch (type) {
    case 'appeared':
      return describeRecord(p.record);
    case 'changed':
      return describeDiff(p.diff);
    case 'disappeared':
      // Older events carry only the key; newer ones the last record.
      return isFields(p.record) ? `was ${str(p.record.state) ?? '(no state)'}` : '';
    case 'scope-scanned':
      return describeScope(p);
    case 'checkpoint':
      return `checkpoint ${str(p.file) ?? '?'} covers revision ${num(p.coversMain)}`;
    case 'compaction-scheduled':
      return `compaction scheduled at revision ${num(p.atMain)}`;
    case 'compaction-finished':
      return `compaction finished at revision ${num(p.atMain)}`;
    case 'source-commit':
      return describeSourceCommit(p);
    case 'history-downsampled':
      return `history of revisions ${num(p.fromMain)}..${num(p.beforeMain)} kept at day granularity (${Array.isArray(p.dayStartMains) ? p.dayStartMains.length : '?'} day starts)`;
    case 'log-repaired':
      return `log cut after revision ${num(p.keptMain)} at ${str(p.segment) ?? '?'} byte ${num(p.offsetBytes)}: ${num(p.lostCommits)} commits lost (revisions ${num(p.lostMainMin)}..${num(p.lostMainMax)})`;
  }
}

function describeSourceCommit(p: Fields): string {
  const conflicts = Array.isArray(p.conflicts) ? p.conflicts.length : 0;
  const shown = `source ${str(p.source) ?? '?'} revision ${num(p.sourceMain)}: ${num(p.sourceEvents)} events`;
  return conflicts === 0 ? shown : `${shown}, ${conflicts} scopes in conflict (not applied)`;
}

function describeRecord(record: unknown): string {
  if (!isFields(record)) return 'no record';
  const parts: string[] = [];
  const name = str(record.name);
  if (name !== null) parts.push(`name=${value(name)}`);
  const state = str(record.state);
  if (state !== null) parts.push(`state=${value(state)}`);
  parts.push(`owner=${str(record.owner) === null ? '(none)' : value(record.owner)}`);
  if (isFields(record.tags)) parts.push(`tags=${Object.keys(record.tags).length}`);
  return parts.join(' ');
}

/** `tags.Owner: platform → (none), state: running → stopped` */
function describeDiff(diff: unknown): string {
  if (!Array.isArray(diff)) return 'no diff';
  const shown: string[] = [];
  for (let i = 0; i < diff.length && i < DIFF_ENTRIES_SHOWN_MAX; i++) {
    const change: unknown = diff[i];
    if (!isFields(change)) {
      shown.push('?');
      continue;
    }
    shown.push(`${str(change.path) ?? '?'}: ${value(change.before)} → ${value(change.after)}`);
  }
  if (diff.length > DIFF_ENTRIES_SHOWN_MAX) shown.push(`+${diff.length - DIFF_ENTRIES_SHOWN_MAX} more`);
  return shown.join(', ');
}

function describeScope(p: Fields): string {
  const status = str(p.status) ?? '?';
  const listed = `listed=${num(p.listed)} in ${num(p.durationMs)} ms`;
  if (Array.isArray(p.withheld)) return `${status} ${listed} withheld=${p.withheld.length}`;
  if (!isFields(p.error)) return `${status} ${listed}`;
  return `${status} ${listed} error=${str(p.error.code) ?? '?'}: ${value(p.error.message)}`;
}

/** An attribute value as shown: null and missing as `(none)`, strings bare, the rest as JSON. */
export function value(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'string') return printable(clip(v, VALUE_CHARS_MAX));
  return clip(shortJson(v), VALUE_CHARS_MAX);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? printable(clip(v, 200)) : null;
}

function num(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : '?';
}

function shortJson(v: unknown): string {
  try {
    return printable(clip(JSON.stringify(v, jsonReplacer) ?? String(v), SUMMARY_CHARS_MAX));
  } catch {
    return '(unprintable)';
  }
}

/** JSON.stringify replacer for what msgpack can decode to but JSON cannot hold. */
export function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Map) return Object.fromEntries(v);
  if (v instanceof Set) return [...v];
  if (v instanceof Uint8Array) return { bytesHex: Buffer.from(v.buffer, v.byteOffset, Math.min(v.length, 256)).toString('hex'), lengthBytes: v.length };
  return v;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Control characters (including terminal escapes) shown as \xNN. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
