/**
 * Waiting for a writable stream to take more: resolved at its next 'drain', or when it
 * closes (a client gone mid-answer must not leave the writer waiting forever). The daemon's
 * long answers (json-stream.ts over HTTP, query-socket.ts over the Unix socket) both wait
 * here when a write returned false.
 */
import type { EventEmitter } from 'node:events';

export function drainedOrClosed(stream: EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
