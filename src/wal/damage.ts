/**
 * Damage found in the log, described for a person: where it is, the last whole revision
 * before it, and what a cut there would lose (the whole commits after it in its segment
 * and every commit of the segments after that one). The reader builds it when torn.ts
 * calls a stop corruption; the refusal, `elava repair` and queries print it.
 */
import { SEGMENT_HEADER_BYTES } from '../limits.js';
import type { CommitStop } from './commit-walk.js';
import { emptyLoss, surveySegment, type LostHistory, type SurveyedFile } from './damage-survey.js';
import { WalError, type WalErrorCode } from './errors.js';
import type { WalFileSystem } from './file-system.js';
import { openSegment, type OpenSegment } from './segment.js';
import type { SegmentName } from './segment-name.js';
import type { StopVerdict } from './torn.js';

export interface LogDamage {
  code: WalErrorCode;
  segment: string;
  offsetBytes: number;
  /** Why this is damage and not a torn tail, in words. */
  why: string;
  /** The last whole revision before the damage (what a cut keeps). */
  lastMain: number;
  /** What a cut at the damage would lose; null when it was not surveyed. */
  lost: LostHistory | null;
}

export function describeDamage(
  wfs: WalFileSystem, dir: string, segments: readonly SegmentName[], index: number,
  seg: OpenSegment, stop: CommitStop, verdict: StopVerdict & { kind: 'corrupt' }, lastMain: number,
): LogDamage {
  const code: WalErrorCode = stop.reason === 'framing' ? stop.code : 'WAL_BAD_RECORD';
  const lost = emptyLoss();
  if (stop.partialMain !== null) lost.mainMin = lost.mainMax = stop.partialMain;
  surveySegment(wfs, surveyed(seg), verdict.offsetBytes, lost);
  surveySegmentsFrom(wfs, dir, segments, index + 1, lost);
  return { code, segment: seg.name, offsetBytes: verdict.offsetBytes, why: verdict.why, lastMain, lost };
}

/** Adds every commit of segments[from..] (which a cut would remove) to `lost`. */
export function surveySegmentsFrom(wfs: WalFileSystem, dir: string, segments: readonly SegmentName[], from: number, lost: LostHistory): LostHistory {
  for (let i = from; i < segments.length; i++) surveyWholeSegment(wfs, dir, segments[i]!, lost);
  return lost;
}

/** Adds every commit of a segment a cut would remove; a segment that does not open adds none. */
function surveyWholeSegment(wfs: WalFileSystem, dir: string, name: SegmentName, lost: LostHistory): void {
  let seg: OpenSegment;
  try {
    seg = openSegment(wfs, dir, name);
  } catch {
    lost.complete = false;
    return;
  }
  try {
    const start = { offsetBytes: SEGMENT_HEADER_BYTES, crc: seg.header.prevCrc };
    surveySegment(wfs, surveyed(seg), SEGMENT_HEADER_BYTES, lost, { start });
  } finally {
    wfs.closeSync(seg.fd);
  }
}

function surveyed(seg: OpenSegment): SurveyedFile {
  return { fd: seg.fd, sizeBytes: seg.sizeBytes, formatVersion: seg.header.formatVersion };
}

/** One line: what, where, the last whole revision, and what follows it. */
export function damageSummary(d: LogDamage): string {
  return `${d.why}; last whole revision before it: ${d.lastMain}; ${lostText(d.lost)}`;
}

export function lostText(lost: LostHistory | null): string {
  if (lost === null) return 'what follows was not surveyed';
  const more = lost.complete ? '' : ' (at least: the survey stopped at its bound)';
  if (lost.commits === 0 && lost.mainMax === null) return `no whole commit follows${more}`;
  const range = lost.mainMin === null ? '' : ` (revisions ${lost.mainMin}..${lost.mainMax})`;
  const noun = lost.commits === 1 ? 'commit' : 'commits';
  return `${lost.commits} whole ${noun} with ${lost.events} events follow${range}${more}`;
}

/** Damage that stops a reader: a WalError that also carries the description. */
export class WalDamageError extends WalError {
  constructor(readonly damage: LogDamage) {
    super(damage.code, damageSummary(damage), { segment: damage.segment, offsetBytes: damage.offsetBytes });
  }
}

export function damageError(d: LogDamage): WalDamageError {
  return new WalDamageError(d);
}
