/**
 * A plain in-memory "current state" for tests: what the current-state projection provides
 * to change detection, folded from the events detection returns.
 */
import assert from 'node:assert/strict';
import type { ResourceKey, ResourceRecord } from '../../src/model/resource.js';
import type { CurrentStateView } from '../../src/changes/detect.js';
import type { ElavaEvent } from '../../src/model/events.js';
import { scopePrefix, type Scope } from '../../src/model/scope.js';
import { KeyedSlots } from '../../src/projection/keyed-slots.js';

/** The records in slots (KeyedSlots, as the projection keeps them), `records` to tests. */
export class MemoryState extends KeyedSlots<ResourceRecord> implements CurrentStateView {
  get records(): KeyedSlots<ResourceRecord> {
    return this;
  }

  recordAt(slot: number): ResourceRecord | undefined {
    return this.valueAt(slot);
  }

  liveInScope(scope: Scope): number {
    return [...this.keysInScope(scope)].length;
  }

  *keysInScope(scope: Scope): Iterable<ResourceKey> {
    const prefix = scopePrefix(scope);
    for (const key of this.records.keys()) if (key.startsWith(prefix)) yield key;
  }

  apply(events: readonly ElavaEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'appeared':
          assert.ok(!this.records.has(event.key), `appeared ${event.key} was not live`);
          this.records.set(event.key, event.record);
          break;
        case 'changed':
          assert.ok(this.records.has(event.key), `changed ${event.key} was live`);
          this.records.set(event.key, event.record);
          break;
        case 'disappeared':
          assert.ok(this.records.delete(event.key), `disappeared ${event.key} was live`);
          break;
        default:
          break;
      }
    }
  }
}
