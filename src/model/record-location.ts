/**
 * Where one record of the log sits: a segment file name (no directory) and the byte offset
 * of its frame. The log hands these out; the key index stores them so that history is read
 * from disk. It is plain data, so the index depends on this vocabulary, not on the log.
 */
export interface RecordLocation {
  segment: string;
  offsetBytes: number;
}
