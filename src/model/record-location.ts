/**
 * Where one record of the log sits: a segment file name (no directory) and the byte offset
 * of its frame. The log hands these out; the key index stores them so that history is read
 * from disk. It is plain data, so the index depends on this vocabulary, not on the log.
 */
export interface RecordLocation {
  segment: string;
  offsetBytes: number;
}

/** Log order of two places, each a segment name and a byte offset in it: segment, then offset. */
export function compareLogPlaces(segmentA: string, offsetA: number, segmentB: string, offsetB: number): number {
  if (segmentA !== segmentB) return segmentA < segmentB ? -1 : 1;
  return offsetA - offsetB;
}

/** Log order of two locations (compareLogPlaces). */
export function compareLocations(a: RecordLocation, b: RecordLocation): number {
  return compareLogPlaces(a.segment, a.offsetBytes, b.segment, b.offsetBytes);
}
