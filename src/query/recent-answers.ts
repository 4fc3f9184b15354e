/**
 * The last few answers a daemon computed, by key, least recently used out; all of them
 * dropped when `mark` changes (what may be read changed: the compaction point, the
 * retention mark). For answers about revisions below the newest, which never change
 * otherwise (the log below the newest revision is immutable).
 */
import assert from 'node:assert/strict';

export class RecentAnswers<V> {
  private readonly entries = new Map<string, V>();
  private mark: string | null = null;

  constructor(private readonly max: number) {
    assert.ok(Number.isSafeInteger(max) && max >= 1, 'keeps at least one answer');
  }

  /**
   * The answer kept for `key` under `mark`, else `await compute()`: kept unless it throws or
   * the mark moved while it was computed.
   */
  async get(mark: string, key: string, compute: () => Promise<V>): Promise<V> {
    return this.peek(mark, key) ?? this.keep(mark, key, await compute());
  }

  /** The answer kept for `key`, if `mark` is still the one it was kept under. */
  private peek(mark: string, key: string): V | undefined {
    if (mark !== this.mark) {
      this.entries.clear();
      this.mark = mark;
    }
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.entries.delete(key); // most recently used last
    this.entries.set(key, hit);
    return hit;
  }

  /** Keeps `answer`, computed under `mark`, unless the mark moved on meanwhile. */
  private keep(mark: string, key: string, answer: V): V {
    if (mark !== this.mark) return answer;
    this.entries.set(key, answer);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string); // least recently used
    assert.ok(this.entries.size <= this.max);
    return answer;
  }
}
