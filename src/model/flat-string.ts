/**
 * A string that holds its own characters. msgpackr (with msgpackr-extract, its native
 * string extraction) decodes a message's strings as one string and hands out slices of it:
 * V8 keeps a slice of 13 characters or more as a view that pins the whole parent. A key or
 * a record value kept for the life of a resource then pins its event's every string — at
 * 100 k resources that was ~250 bytes per live resource for the key index's keys alone
 * (`npm run bench -- index`). Kept strings go through here once; transient ones never need to.
 *
 * Decoding without the extractor gives flat strings but reads the log a third slower, so
 * the copy is made only for what is kept.
 */

/** V8 copies substrings shorter than this (SlicedString::kMinLength); they pin nothing. */
const SLICE_LENGTH_MIN = 13;

export function flatString(s: string): string {
  if (s.length < SLICE_LENGTH_MIN) return s;
  const copy = Buffer.from(s, 'utf8').toString('utf8');
  // A lone surrogate does not survive UTF-8: keep such a string as it is.
  return copy === s ? copy : s;
}
