/**
 * Where a starting daemon is, for /readyz and the start-up log: the phase, how much of the
 * log recovery has read (percent of its bytes) and an ETA from the rate so far.
 */
import type { RecoveryProgress } from '../store/recover.js';

export type StartupPhase = 'opening' | 'checkpoint' | 'history' | 'tail' | 'records' | 'ready';

export interface StartupStatus {
  phase: StartupPhase;
  events: number;
  revision: number;
  percent: number;
  /** Seconds left at the rate so far; null until there is a rate. */
  etaSeconds: number | null;
  elapsedMs: number;
}

export class StartupProgress {
  private readonly startedMs = performance.now();
  private status: StartupStatus = { phase: 'opening', events: 0, revision: 0, percent: 0, etaSeconds: null, elapsedMs: 0 };

  /** Feeds recovery's progress (an arrow, so it can be handed over as a callback). */
  readonly onRecovery = (p: RecoveryProgress): void => {
    const elapsedMs = performance.now() - this.startedMs;
    const fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 1;
    const etaSeconds = fraction > 0 && fraction < 1 ? Math.round(((elapsedMs / fraction) * (1 - fraction)) / 100) / 10 : fraction >= 1 ? 0 : null;
    this.status = { phase: p.phase, events: p.events, revision: p.main, percent: Math.floor(fraction * 1000) / 10, etaSeconds, elapsedMs };
  };

  set phase(phase: StartupPhase) {
    this.status = { ...this.status, phase, elapsedMs: performance.now() - this.startedMs };
  }

  get current(): StartupStatus {
    return { ...this.status, elapsedMs: Math.round(performance.now() - this.startedMs) };
  }
}
