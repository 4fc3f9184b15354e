/**
 * One copy of each short, repeated string value in the records a projection holds. A
 * record decoded from the log (or parsed from a cloud's answer) carries its own copy of
 * every string: "running", the account id, the region, "prod" are each ~24-32 bytes per
 * record. Pooling them took the projections' heap per live resource from ~1 240 to ~880
 * bytes in `npm run bench -- index --quick` (decoded records), and the collector has that
 * much less to copy on a restore.
 *
 * Replacing a string by an equal one changes nothing a reader can see; the pool only
 * decides which copy is kept, and keeps flat copies (src/model/flat-string.ts), so that a
 * record's strings do not pin the decoded message they came from. Bounded: strings up to
 * RECORD_STRING_POOL_LENGTH_MAX characters, and the pool is emptied when it holds
 * RECORD_STRING_POOL_ENTRIES_MAX (unique values such as ids pass through; repeated ones
 * come back at once).
 */
import { RECORD_STRING_POOL_ENTRIES_MAX, RECORD_STRING_POOL_LENGTH_MAX } from '../limits.js';
import { flatString } from '../model/flat-string.js';

/** How deep pooling walks into nested values (a record, its tags or attrs, their values). */
const DEPTH_MAX = 4;

export class StringPool {
  private readonly strings = new Map<string, string>();

  /** The pool's copy of `s`; a long string, or one new to the pool, as a flat copy (see flatString). */
  intern(s: string): string {
    if (s.length > RECORD_STRING_POOL_LENGTH_MAX) return flatString(s);
    const pooled = this.strings.get(s);
    if (pooled !== undefined) return pooled;
    if (this.strings.size >= RECORD_STRING_POOL_ENTRIES_MAX) this.strings.clear();
    const flat = flatString(s);
    this.strings.set(flat, flat);
    return flat;
  }

  /**
   * Makes every short string value in `value` (nested objects and arrays too) the pool's
   * copy; returns `value`. With `like` (the record it replaces), a value equal to the one
   * at the same place in `like` takes that one's copy without a pool lookup: a change
   * leaves most of a record as it was, and comparing two short strings costs less than
   * hashing one. The top-level fields in `except` are left as they are (the current
   * state's `key`, which it sets to the key index's one string itself, and `id`, a part of
   * that key).
   */
  internValues<T extends object>(value: T, like?: T, except?: readonly string[]): T {
    this.walk(value as Record<string, unknown>, like as Record<string, unknown> | undefined, 0, except);
    return value;
  }

  /** Strings held (for tests). */
  get size(): number {
    return this.strings.size;
  }

  private walk(o: Record<string, unknown>, like: Record<string, unknown> | undefined, depth: number, except?: readonly string[]): void {
    for (const k in o) {
      if (except !== undefined && except.includes(k)) continue;
      const v = o[k];
      const old = like === undefined ? undefined : like[k];
      // Always written back: strings compare by value, so no test tells the copies apart.
      if (typeof v === 'string') o[k] = old === v ? old : this.intern(v);
      else if (typeof v === 'object' && v !== null && depth < DEPTH_MAX) {
        this.walk(v as Record<string, unknown>, typeof old === 'object' && old !== null ? (old as Record<string, unknown>) : undefined, depth + 1);
      }
    }
  }
}
