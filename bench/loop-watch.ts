/** How long a piece of work held the event loop at a time, for the benchmarks. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * How long the work between start and stop held the event loop at a time (what a
 * /healthz probe waits at most): a 10 ms timer's longest gap between ticks, and the loop
 * delay's p99.
 */
export function watchEventLoop(): { stop(): { longestGapMs: number; p99Ms: number } } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let longestGapMs = 0;
  let lastTick = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - lastTick);
    lastTick = now;
  }, 10);
  delay.enable();
  return {
    stop: () => {
      clearInterval(ticker);
      delay.disable();
      // The gap still open when the work ends counts too.
      longestGapMs = Math.max(longestGapMs, performance.now() - lastTick);
      return { longestGapMs, p99Ms: delay.percentile(99) / 1e6 };
    },
  };
}
