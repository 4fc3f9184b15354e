/**
 * Waiting for a writable stream to take more: resolved at its next 'drain', or when it
 * closes (a client gone mid-answer must not leave the writer waiting forever). The daemon's
 * long answers (json-stream.ts over HTTP, query-socket.ts over the Unix socket) both wait
 * here when a write returned false. A client that takes nothing for `stallMs` is dropped
 * (the stream destroyed): the answer waiting on it holds its records until it ends, and a
 * client that never reads would hold them for as long as it stays connected.
 */
import type { EventEmitter } from 'node:events';
import { ANSWER_STALL_MS_MAX } from '../limits.js';

/** Resolves true once the stream drained or closed; false when it stalled and was destroyed. */
export function drainedOrClosed(stream: EventEmitter & { destroy(): void }, stallMs: number = ANSWER_STALL_MS_MAX): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (taken: boolean): void => {
      clearTimeout(timer);
      stream.off('drain', onDrain);
      stream.off('close', onDrain);
      resolve(taken);
    };
    const onDrain = (): void => done(true);
    const timer = setTimeout(() => {
      done(false);
      stream.destroy();
    }, stallMs);
    stream.on('drain', onDrain);
    stream.on('close', onDrain);
  });
}
