/**
 * Seeded pseudo-random numbers for the simulated cloud. mulberry32: 32-bit state, fast,
 * good enough for picking fleets and churn, and — the point — identical on every machine
 * for the same seed. Never used for anything security-related.
 */

import assert from 'node:assert/strict';

export class Prng {
  private state: number;

  constructor(seed: number) {
    assert.ok(Number.isInteger(seed), 'prng seed must be an integer');
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  int(bound: number): number {
    if (!(Number.isInteger(bound) && bound > 0)) assert.fail(`prng bound must be a positive integer, got ${bound}`);
    return Math.floor(this.next() * bound);
  }

  /** Integer in [min, max], both inclusive. */
  range(min: number, max: number): number {
    assert.ok(max >= min, 'prng range max < min');
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    assert.ok(items.length > 0, 'prng pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** `digits` lowercase hex digits. */
  hex(digits: number): string {
    let out = '';
    while (out.length < digits) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0');
    return out.slice(0, digits);
  }
}

/** Derives an independent seed from a parent seed and a label (FNV-1a over the label). */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
