// Time as a dependency. Everything in the runtime that waits, measures or schedules takes a
// Clock, so tests drive time explicitly and production uses `systemClock`.

declare const timerHandleBrand: unique symbol;

/** An opaque handle returned by `Clock.setTimeout`; only meaningful to the clock that made it. */
export interface TimerHandle {
  readonly [timerHandleBrand]: true;
}

export interface Clock {
  /** Wall-clock milliseconds since the epoch (written into Kubernetes timestamps). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Clearing a handle that already fired or was cleared is a no-op. */
  clearTimeout(handle: TimerHandle): void;
}

/** Node fires timers longer than 2^31-1 ms at once (with a warning); longer waits are clamped to this. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The real clock: `Date.now` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(MAX_TIMER_MS, Math.max(0, ms))) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
};

/**
 * Resolves after `ms` on `clock`: `true` if the time elapsed, `false` as soon as `signal` aborts.
 * Never rejects, and leaves no timer or listener behind in either case.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An AbortSignal that aborts after `ms` on `clock` (or when `parent` aborts). Call `clear()` once
 * the guarded operation is over so the timer does not outlive it.
 */
export function timeoutSignal(
  clock: Clock,
  ms: number,
  parent?: AbortSignal,
): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(new TimeoutError(ms)), ms);
  const signal = parent ? AbortSignal.any([parent, controller.signal]) : controller.signal;
  return { signal, clear: () => clock.clearTimeout(timer) };
}

/** The abort reason of a `timeoutSignal` that ran out. */
export class TimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}
