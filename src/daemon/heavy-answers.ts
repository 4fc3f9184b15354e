/**
 * At most `max` long reads of the past (steps.ts) computed at once by the HTTP endpoints;
 * the others wait their turn, first come first served. Pausing between steps lets the event
 * loop serve `/v1/status` between them, but one turn of the loop still runs a step of every
 * answer in flight: sixteen at once (the scale bench's clients at 100 k resources) kept
 * `/v1/status` p99 at ~160 ms, and each holds its fleet of records meanwhile.
 */
import assert from 'node:assert/strict';

export class HeavyAnswers {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {
    assert.ok(Number.isSafeInteger(max) && max >= 1, 'at least one answer at a time');
  }

  /** Runs `compute` once fewer than `max` others run; its slot is freed however it ends. */
  async run<T>(compute: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await compute();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next(); // the slot passes on: `running` stays
      else this.running--;
    }
  }
}
