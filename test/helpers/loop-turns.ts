/** Counts the event loop's turns (a setImmediate that re-queues itself) until stopped. */
export interface LoopTurns {
  /** Turns counted so far. */
  readonly count: number;
  stop(): void;
}

export function countLoopTurns(): LoopTurns {
  const state = { count: 0, stopped: false };
  const tick = (): void => {
    if (state.stopped) return;
    state.count++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get count() {
      return state.count;
    },
    stop: () => {
      state.stopped = true;
    },
  };
}
