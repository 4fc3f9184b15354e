/**
 * What lies past damage in a segment: the whole commits that can still be found by
 * resynchronising (scan-raw.ts) and walking on. The torn-write rule asks it whether any
 * whole commit follows the damage; a refusal and `elava repair` report what a cut would
 * lose from it. Read-only, bounded by DAMAGE_SURVEY_RESYNCS_MAX resynchronisations.
 */
import assert from 'node:assert/strict';
import { DAMAGE_SURVEY_RESYNCS_MAX, RECORD_ALIGN_BYTES } from '../limits.js';
import { CommitWalk } from './commit-walk.js';
import { SegmentDecoder } from './decoder.js';
import type { WalFileSystem } from './file-system.js';
import { findNextFrame } from './scan-raw.js';

/** Whole commits found past damage (or in segments a cut would remove). */
export interface LostHistory {
  commits: number;
  events: number;
  /** Lowest and highest revision main seen in a verified frame (null when none). */
  mainMin: number | null;
  mainMax: number | null;
  timeMinMs: number | null;
  timeMaxMs: number | null;
  /** Offset of the first commit found whole (every event verified), in the first segment surveyed. */
  firstCommitBytes: number | null;
  /** Its revision main. */
  firstCommitMain: number | null;
  /** False when the survey stopped at its bound before the end of the file. */
  complete: boolean;
}

export function emptyLoss(): LostHistory {
  return {
    commits: 0, events: 0, mainMin: null, mainMax: null,
    timeMinMs: null, timeMaxMs: null, firstCommitBytes: null, firstCommitMain: null, complete: true,
  };
}

export function noteMain(loss: LostHistory, main: number): void {
  loss.mainMin = loss.mainMin === null ? main : Math.min(loss.mainMin, main);
  loss.mainMax = loss.mainMax === null ? main : Math.max(loss.mainMax, main);
}

export interface SurveyOptions {
  /** Where a verified walk can begin without resynchronising (a healthy segment's start). */
  start?: { offsetBytes: number; crc: number };
  /** Stop at the first commit found whole (the torn rule needs no more). */
  firstOnly?: boolean;
}

/** One segment file as a survey reads it. */
export interface SurveyedFile {
  fd: number;
  sizeBytes: number;
  /** The segment header's format version (how its event frames are laid out). */
  formatVersion: number;
}

/** Adds what [fromBytes, end of file) of one segment holds to `loss`. */
export function surveySegment(
  wfs: WalFileSystem, file: SurveyedFile, fromBytes: number,
  loss: LostHistory, options: SurveyOptions = {},
): LostHistory {
  const { fd, sizeBytes, formatVersion } = file;
  assert.ok(fromBytes >= 0, 'survey starts inside the file');
  if (fromBytes >= sizeBytes) return loss;
  let at = fromBytes - (fromBytes % RECORD_ALIGN_BYTES);
  let start = options.start ?? null;
  for (let round = 0; round < DAMAGE_SURVEY_RESYNCS_MAX; round++) {
    if (start === null) {
      const r = findNextFrame(wfs, fd, sizeBytes, at, formatVersion);
      if (r.budgetExhausted) loss.complete = false;
      if (r.found === null) return loss;
      start = { offsetBytes: r.found.offsetBytes, crc: r.found.crcSeed };
    }
    const decoder = new SegmentDecoder(wfs, fd, sizeBytes, start.crc, start.offsetBytes, formatVersion);
    const walk = new CommitWalk(decoder, 0, options.start === undefined || round > 0);
    for (;;) {
      const span = walk.next();
      if (span.kind === 'stop') {
        if (span.partialMain !== null) noteMain(loss, span.partialMain);
        if (span.reason === 'end' && span.offsetBytes >= sizeBytes) return loss;
        // Resume the search past this stop (and always past the last start: progress).
        at = Math.max(span.offsetBytes, start.offsetBytes) + RECORD_ALIGN_BYTES;
        at -= at % RECORD_ALIGN_BYTES;
        break;
      }
      loss.commits++;
      loss.events += span.eventCount;
      noteMain(loss, span.main);
      loss.timeMinMs = loss.timeMinMs === null ? span.timeMs : Math.min(loss.timeMinMs, span.timeMs);
      loss.timeMaxMs = loss.timeMaxMs === null ? span.timeMs : Math.max(loss.timeMaxMs, span.timeMs);
      if (span.whole && loss.firstCommitBytes === null) {
        loss.firstCommitBytes = span.startBytes;
        loss.firstCommitMain = span.main;
        if (options.firstOnly) return loss;
      }
    }
    start = null;
    if (at >= sizeBytes) return loss;
  }
  loss.complete = false;
  return loss;
}
