/**
 * Progress of a long replay: events/s, percent of the log's bytes, and ETA. On a terminal
 * it rewrites one line on stderr; otherwise it logs (pino) at most once per interval.
 */
import type { Logger } from 'pino';
import { REPLAY_PROGRESS_EVERY_MS } from '../limits.js';
import type { RecoveryProgress } from './recover.js';

export interface ProgressLine {
  phase: RecoveryProgress['phase'];
  events: number;
  eventsPerSecond: number;
  percent: number;
  etaSeconds: number | null;
}

/** What each phase counts (RecoveryProgress.events). */
const UNITS: Record<RecoveryProgress['phase'], string> = { checkpoint: 'parts', history: 'events', tail: 'events', records: 'records' };

export class ProgressReporter {
  private readonly startedMs = performance.now();
  private lastMs = 0;
  private wroteLine = false;

  constructor(
    private readonly label: string,
    private readonly logger: Logger | undefined,
    private readonly stream: NodeJS.WriteStream | undefined = process.stderr,
  ) {}

  readonly onProgress = (p: RecoveryProgress): void => {
    const now = performance.now();
    if (now - this.lastMs < REPLAY_PROGRESS_EVERY_MS) return;
    this.lastMs = now;
    this.report(describe(p, (now - this.startedMs) / 1000));
  };

  /** Ends the terminal line, if one was being rewritten. */
  done(): void {
    if (this.wroteLine) this.stream?.write('\n');
    this.wroteLine = false;
  }

  private report(line: ProgressLine): void {
    if (this.stream?.isTTY === true) {
      const eta = line.etaSeconds === null ? '?' : `${Math.ceil(line.etaSeconds)} s`;
      const unit = UNITS[line.phase];
      this.stream.write(`\r${this.label} ${line.phase}: ${line.events.toLocaleString('en-US')} ${unit}, ${Math.round(line.eventsPerSecond).toLocaleString('en-US')} ${unit}/s, ${line.percent.toFixed(1)} %, ETA ${eta}   `);
      this.wroteLine = true;
      return;
    }
    this.logger?.info({ ...line }, `${this.label} progress`);
  }
}

export function describe(p: RecoveryProgress, elapsedSeconds: number): ProgressLine {
  const fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0;
  const etaSeconds = fraction > 0 ? (elapsedSeconds * (1 - fraction)) / fraction : null;
  return { phase: p.phase, events: p.events, eventsPerSecond: elapsedSeconds > 0 ? p.events / elapsedSeconds : 0, percent: fraction * 100, etaSeconds };
}
