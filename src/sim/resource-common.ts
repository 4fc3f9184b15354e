/**
 * What every simulated resource maker shares: the simulated clock, owners and tags, GCE
 * URLs and numeric ids, and the context a new resource is made in. Kept apart so that the
 * leftover makers and the core makers depend on it, not on each other.
 */
import type { Prng } from './prng.js';

/** Simulated wall clock: tick 0 is this instant, each tick is five simulated minutes. */
export const SIM_EPOCH_MS = Date.UTC(2024, 0, 1, 0, 0, 0);
export const SIM_TICK_MS = 5 * 60 * 1000;

export const OWNERS = ['platform', 'payments', 'data', 'search', 'growth', 'sre'];

export const GCE_BASE = 'https://www.googleapis.com/compute/v1';

export interface NewResourceContext {
  prng: Prng;
  account: string;
  region: string;
  id: string;
  tick: number;
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000Z');
}

export function randomTags(prng: Prng, name: string | null): Record<string, string> {
  const tags: Record<string, string> = {};
  if (name !== null) tags['Name'] = name;
  const roll = prng.next();
  if (roll < 0.35) tags['Owner'] = prng.pick(OWNERS);
  else if (roll < 0.5) tags['owner'] = prng.pick(OWNERS);
  else if (roll < 0.7) tags['team'] = prng.pick(OWNERS);
  if (prng.chance(0.5)) tags['env'] = prng.pick(['prod', 'staging', 'dev']);
  return tags;
}

export function numericId(prng: Prng): string {
  let out = String(prng.range(1, 9));
  while (out.length < 19) out += String(prng.int(10));
  return out;
}
