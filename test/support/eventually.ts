// The one way tests wait for something asynchronous in real time (a watch event, a process that
// becomes ready, an AppCopy that reaches a phase): poll a check until it holds. Time driven by a
// test is the fake clock's business (fake-clock.ts), never this.
import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /**
   * What is awaited, for the time-out's message ("timed out after 30000 ms waiting for <what>").
   * A function is called at the time-out, so the message can show the last state seen.
   */
  what: string | (() => string);
  timeoutMs: number;
  /** Pause between two checks (default 100 ms). */
  intervalMs?: number;
  /** Resolves with the error to throw at once when waiting is pointless (a process exited). */
  abandon?: Promise<Error>;
  /** The error to throw at the time-out instead of an EventuallyTimeoutError naming `what`. */
  onTimeout?: () => Error;
}

/** The check never held within the time allowed. */
export class EventuallyTimeoutError extends Error {
  readonly code = 'EVENTUALLY_TIMEOUT';
  constructor(what: string, timeoutMs: number, lastError: unknown) {
    const cause = lastError === undefined ? '' : `; the last check threw: ${describe(lastError)}`;
    super(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    this.name = 'EventuallyTimeoutError';
  }
}

type NotYet = undefined | false;
const abandoned = Symbol('abandoned');

/**
 * Calls `check` until it returns something other than `undefined` or `false`, and resolves with
 * that value. A check that throws has not held yet (its last error is named at the time-out).
 * The check runs at least once, even with a time-out of 0.
 */
export async function eventually<T>(
  check: () => T | NotYet | Promise<T | NotYet>,
  options: EventuallyOptions,
): Promise<Exclude<T, NotYet>> {
  const deadline = Date.now() + options.timeoutMs;
  let reason: Error | undefined;
  let lastError: unknown;
  const abandon = (options.abandon ?? new Promise<never>(() => {})).then((error) => {
    reason = error;
    return abandoned;
  });
  const attempt = async (): Promise<T | NotYet> => {
    try {
      return await check();
    } catch (error) {
      lastError = error;
      return undefined;
    }
  };
  for (;;) {
    const value = await Promise.race([attempt(), abandon]);
    if (value === abandoned) throw reason;
    if (value !== undefined && value !== false) return value as Exclude<T, NotYet>;
    if (Date.now() >= deadline) {
      if (options.onTimeout) throw options.onTimeout();
      const what = typeof options.what === 'function' ? options.what() : options.what;
      throw new EventuallyTimeoutError(what, options.timeoutMs, lastError);
    }
    if ((await Promise.race([sleep(options.intervalMs ?? 100), abandon])) === abandoned) throw reason;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
