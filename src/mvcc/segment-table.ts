/**
 * Segment names interned as small integers, shared by every key of one index, so a revision
 * entry stores a segment id instead of a pointer to a string. Ids are dense, assigned in
 * first-seen order, and never reused: a compacted segment's name stays (a few bytes per
 * 64 MiB of log) so ids stay stable across snapshot and restore.
 */
import assert from 'node:assert/strict';
import { MVCC_SEGMENT_IDS_MAX } from '../limits.js';

export class SegmentTable {
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  /** One-entry cache: consecutive events almost always sit in the same segment. */
  private lastName = '';
  private lastId = -1;

  get size(): number {
    return this.names.length;
  }

  idOf(name: string): number {
    if (name === this.lastName && this.lastId >= 0) return this.lastId;
    let id = this.ids.get(name);
    if (id === undefined) {
      assert.ok(name.length > 0, 'segment name must not be empty');
      id = this.names.length;
      assert.ok(id < MVCC_SEGMENT_IDS_MAX, `segment table full (${MVCC_SEGMENT_IDS_MAX})`);
      this.names.push(name);
      this.ids.set(name, id);
    }
    this.lastName = name;
    this.lastId = id;
    return id;
  }

  nameOf(id: number): string {
    const name = this.names[id];
    if (name === undefined) assert.fail(`unknown segment id ${id}`);
    return name;
  }

  /** The names in id order: the table's whole state, for snapshots. */
  toArray(): readonly string[] {
    return this.names;
  }

  /** Rebuilds a table from `toArray()` output; duplicate names are bad input (asserted by caller). */
  static fromArray(names: readonly string[]): SegmentTable {
    const table = new SegmentTable();
    for (const name of names) {
      const id = table.idOf(name);
      assert.equal(id, table.size - 1, `duplicate segment name ${name}`);
    }
    return table;
  }
}
