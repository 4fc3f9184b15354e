/**
 * Reverse links between SIMULATED resources: target key → resources whose attributes point
 * at it. Holders are never removed eagerly; `take` hands them all over once, and the caller
 * skips those that are no longer live. So the index grows only with links ever made.
 */

import type { SimResource } from './sim-resource.js';

export class LinkIndex {
  private readonly holders = new Map<string, SimResource[]>();

  add(targetKey: string, holder: SimResource): void {
    const list = this.holders.get(targetKey);
    if (list) list.push(holder);
    else this.holders.set(targetKey, [holder]);
  }

  /** Every holder recorded for the target, removing them from the index. */
  take(targetKey: string): SimResource[] {
    const list = this.holders.get(targetKey) ?? [];
    this.holders.delete(targetKey);
    return list;
  }
}
