/**
 * Making a client library's call settle when its signal fires, whether or not the library
 * does. google-gax is the case in point: cancelling a REST call while its response body is
 * being read marks the call complete, aborts the fetch, then drops the fetch's AbortError,
 * so the call's promise never settles (an idle event loop, no open socket, and a scan cycle
 * that never ends). Racing the call against the signal bounds it regardless.
 */
import { abortError } from './scan-error.js';

/**
 * Settles like `work`, or rejects with `abortError(signal)` as soon as `signal` fires,
 * calling `cancel` so the work stops too. A later rejection of `work` is observed here
 * (never unhandled) and ignored.
 */
export function raceAbort<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  cancel: () => void,
): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(abortError(signal));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
