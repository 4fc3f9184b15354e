/**
 * `compact --keep 30d`: the newest revision committed at or before the cutoff time, found
 * by streaming the commit records of the kept log (payloads not decoded). Null when every
 * kept commit is newer than the cutoff.
 */
import { LogReader } from '../wal/reader.js';

export function revisionBefore(dir: string, cutoffMs: number): number | null {
  let found: number | null = null;
  for (const entry of new LogReader(dir, { decode: false }).entries()) {
    if (entry.kind !== 'commit') continue;
    if (entry.timeMs > cutoffMs) break; // commit times follow the log (one writer, wall clock)
    found = entry.main;
  }
  return found;
}
