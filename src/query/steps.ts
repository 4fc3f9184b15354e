/**
 * Answers that can pause. A long read of the past (the whole fleet at an older revision, its
 * counts, a page whose filter matches little) is written as a generator that yields where a
 * pause is safe and returns the answer: `runSteps` runs it through (the CLI, a read-only
 * process), `runStepsYielding` gives the daemon's event loop a turn at every pause, so
 * `/healthz`, `/v1/status` and the cycle are served between the steps of sixteen such
 * answers (at 100 k resources, sixteen clients asking for the fleet at an older revision held
 * `/v1/status` for 14.7 s when each answer ran in one piece).
 *
 * What a step may rely on across a pause: history at a revision below the newest does not
 * change, except by compaction or retention's downsampling; the daemon's projections do
 * (a cycle may commit). So each step walks the key index afresh from where the last stopped
 * and takes whatever it needs from the current state within that step, and the driver checks
 * between steps that neither mark moved (`historyUnchanged`).
 *
 * A long read of the newest revision (the waste report) cannot rely on that: its steps run
 * `atNewest`, which fails them once a commit landed during a pause, and its caller begins
 * again (waste-cache.ts).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { QueryError } from './errors.js';
import type { QueryState } from './query-state.js';

/** A computation that yields (nothing) where it may pause, and returns its answer. */
export type Steps<T> = Generator<void, T, void>;

/** Runs steps: with pauses (the daemon) or through (a read-only process). */
export type Drive = <T>(steps: Steps<T>) => Promise<T>;

/** Runs `steps` through without pausing. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs `steps`, giving the event loop a turn at every pause and calling `between` after it (it may throw). */
export async function runStepsYielding<T>(steps: Steps<T>, between: () => void): Promise<T> {
  try {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await yieldToLoop();
      between();
    }
  } finally {
    steps.return(undefined as T);
  }
}

/**
 * runStepsYielding, its steps after the first run in a turn that `takeTurn` gives (the
 * daemon's limit on long reads computed at once): an answer done in one step (the newest
 * revision, from memory) waits for no turn.
 */
export async function runStepsInTurn<T>(steps: Steps<T>, between: () => void, takeTurn: <R>(compute: () => Promise<R>) => Promise<R>): Promise<T> {
  const first = steps.next();
  if (first.done) return first.value;
  try {
    return await takeTurn(async () => {
      await yieldToLoop();
      between();
      return runStepsYielding(steps, between);
    });
  } finally {
    steps.return(undefined as T);
  }
}

/**
 * What may change the history below the newest revision: the compaction point and
 * retention's downsampling mark, as one string. Reads of the past are checked against it
 * (historyUnchanged) and the daemon's caches of them are emptied when it moves.
 */
export function historyMark(state: QueryState): string {
  return `${state.compactedMain}:${state.downsampledBeforeMain}`;
}

/**
 * A check for runStepsYielding: throws QueryError compacted (HTTP 410) once compaction or
 * downsampling moved since it was made, since the history being read may then be gone or
 * thinned; the client asks again.
 */
export function historyUnchanged(state: QueryState): () => void {
  const mark = historyMark(state);
  return () => {
    if (historyMark(state) === mark) return;
    throw new QueryError('compacted', 'the history being read was compacted or thinned by retention while this answer was read; ask again');
  };
}

/**
 * Thrown by steps that read the newest revision (atNewest) when a commit landed during a
 * pause: their answer would mix two revisions. The caller begins again (waste-cache.ts).
 */
export class NewestMoved extends Error {
  constructor(readonly fromMain: number, readonly toMain: number) {
    super(`a commit (revision ${fromMain} → ${toMain}) landed while an answer at the newest revision was read`);
    this.name = 'NewestMoved';
  }
}

/**
 * `steps` that read the newest revision (the current state, the key index's newest entries),
 * checked after every pause: they throw NewestMoved once a commit moved it. Within a step
 * nothing commits (a commit is applied in one piece, store.ts), so an answer that ends was
 * read at one revision throughout.
 */
export function* atNewest<T>(state: QueryState, steps: Steps<T>): Steps<T> {
  const main = state.lastMain;
  try {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      yield;
      if (state.lastMain !== main) throw new NewestMoved(main, state.lastMain);
    }
  } finally {
    steps.return(undefined as T);
  }
}

/** Runs `each` over `items`, pausing every `perStep` of them. */
export function* eachInSteps<T>(items: readonly T[], perStep: number, each: (item: T, index: number) => void): Steps<void> {
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % perStep === 0) yield;
    each(items[i] as T, i);
  }
}
