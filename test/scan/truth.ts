/**
 * Ground truth from the SIMULATED cloud, in Elava's terms: resource keys, and the net change
 * of each key between two ticks (what one scan cycle should detect).
 */
import { isChangeEvent, type ElavaEvent } from '../../src/model/events.js';
import type { SimCloud } from '../../src/sim/cloud.js';
import type { SimResource } from '../../src/sim/world.js';

export type ChangeKind = 'appeared' | 'changed' | 'disappeared';

export function simKey(r: SimResource): string {
  return `${r.service === 'gcp' ? 'gcp' : 'aws'}/${r.account}/${r.region}/${r.kind}/${r.id}`;
}

/** key → the resource's attributes and tags as JSON (any difference is a real change). */
export function snapshot(cloud: SimCloud): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of cloud.truth()) out.set(simKey(r), JSON.stringify([r.attrs, r.tags]));
  return out;
}

export function expectedChanges(before: Map<string, string>, after: Map<string, string>): Map<string, ChangeKind> {
  const out = new Map<string, ChangeKind>();
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) out.set(key, 'appeared');
    else if (old !== value) out.set(key, 'changed');
  }
  for (const key of before.keys()) if (!after.has(key)) out.set(key, 'disappeared');
  return out;
}

export function detectedChanges(events: readonly ElavaEvent[]): Map<string, ChangeKind> {
  const out = new Map<string, ChangeKind>();
  for (const e of events) if (isChangeEvent(e)) out.set(e.key, e.type);
  return out;
}

/** Entries whose key starts with one of `prefixes`, sorted, as `kind key` lines for readable diffs. */
export function linesUnder(changes: Map<string, ChangeKind>, prefixes: readonly string[]): string[] {
  return [...changes]
    .filter(([key]) => prefixes.some((p) => key.startsWith(p)))
    .map(([key, kind]) => `${kind} ${key}`)
    .sort();
}
