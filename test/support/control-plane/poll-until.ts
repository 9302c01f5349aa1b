import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Resolves with the error to throw when waiting is pointless, e.g. the process exited. */
  abandon?: Promise<Error>;
  /** Called on time-out; its error is thrown. */
  onTimeout: () => Error;
}

const abandoned = Symbol('abandoned');

/**
 * Calls `attempt` until it returns a value other than undefined. Errors thrown by `attempt`
 * count as "not yet"; the deadline or `abandon` end the wait with an error.
 */
export async function pollUntil<T>(attempt: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let reason: Error | undefined;
  const abandon = options.abandon ?? new Promise<never>(() => {});
  abandon.then((error) => {
    reason = error;
  });
  const abandonSignal = abandon.then(() => abandoned);
  while (true) {
    const outcome = await Promise.race([attempt().catch(() => undefined), abandonSignal]);
    if (outcome === abandoned) throw reason!;
    if (outcome !== undefined) return outcome as T;
    if (Date.now() >= deadline) throw options.onTimeout();
    if ((await Promise.race([sleep(options.intervalMs ?? 100), abandonSignal])) === abandoned) throw reason!;
  }
}
