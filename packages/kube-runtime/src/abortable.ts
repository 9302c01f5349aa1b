/** What `abortable` resolves to when the signal won the race. */
export const ABORTED: unique symbol = Symbol('aborted');

/**
 * Waits for `promise` or for `signal` to abort, whichever comes first. Lets a caller stop waiting
 * on an operation that ignores its signal; a later rejection of `promise` is swallowed rather than
 * left unhandled, because nobody is waiting for it any more.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.resolve(ABORTED);
  }
  return new Promise<T | typeof ABORTED>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => {});
      resolve(ABORTED);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
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
