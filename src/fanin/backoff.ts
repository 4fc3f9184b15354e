/**
 * Reconnect backoff of fan-in: the wait doubles from FANIN_BACKOFF_MS_MIN after each failure
 * up to FANIN_BACKOFF_MS_MAX, with ±25 % jitter so many forwarders do not return in step;
 * progress resets it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FANIN_BACKOFF_MS_MAX, FANIN_BACKOFF_MS_MIN } from '../limits.js';

export class Backoff {
  private nextMs = FANIN_BACKOFF_MS_MIN;

  reset(): void {
    this.nextMs = FANIN_BACKOFF_MS_MIN;
  }

  /** Waits the current backoff (or until `signal`), then doubles it. Never throws. */
  async wait(signal: AbortSignal): Promise<number> {
    const waitMs = Math.round(this.nextMs * (0.75 + Math.random() * 0.5));
    this.nextMs = Math.min(FANIN_BACKOFF_MS_MAX, this.nextMs * 2);
    await sleep(waitMs, undefined, { signal }).catch(() => undefined);
    return waitMs;
  }
}

/** Sleeps `ms` or until `signal`; never throws. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
