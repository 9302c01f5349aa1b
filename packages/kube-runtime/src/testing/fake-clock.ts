// A fake Clock for tests of code built on this runtime: time moves only when the test says so,
// and due timers fire in order. It also carries `manual: true`, so a test bed that reads time
// from the same object (an HTTP simulator, say) can recognise it and be moved with it.
import type { Clock, TimerHandle } from '../clock.ts';

/** A clock whose time moves only when the test says so. */
export interface FakeClock extends Clock {
  /** Marks a clock that a test moves. */
  readonly manual: true;
  /**
   * Moves time forward by `ms`, firing due timers in order (each at its own due time) and letting
   * the promise callbacks they trigger run before the next timer fires. A negative or infinite
   * step is refused (RangeError): statuses and timers never run backwards.
   */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run without moving time. */
  flush(): Promise<void>;
  /** Timers scheduled and neither fired nor cleared: a stopped component must leave none. */
  pendingTimers(): number;
}

interface FakeTimer {
  id: number;
  dueAt: number;
  fn: () => void;
}

/** 2025-01-01T00:00:00Z: a fixed start so that timestamps in tests are reproducible. */
export const FAKE_CLOCK_START_MS = Date.UTC(2025, 0, 1);

export function createFakeClock(startMs: number = FAKE_CLOCK_START_MS): FakeClock {
  let now = startMs;
  let nextId = 1;
  const timers = new Map<number, FakeTimer>();

  const flush = async (): Promise<void> => {
    // Two macrotask turns: every microtask chain settles, including ones started by the first turn.
    for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };

  const nextDue = (limit: number): FakeTimer | undefined => {
    let best: FakeTimer | undefined;
    for (const timer of timers.values()) {
      if (timer.dueAt > limit) continue;
      if (!best || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.id < best.id))
        best = timer;
    }
    return best;
  };

  return {
    manual: true,
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { id, dueAt: now + Math.max(0, ms), fn });
      return id as unknown as TimerHandle;
    },
    clearTimeout(handle) {
      timers.delete(handle as unknown as number);
    },
    async advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`clock.advance needs a finite, non-negative number of ms (got ${ms})`);
      }
      const target = now + ms;
      await flush();
      for (let timer = nextDue(target); timer; timer = nextDue(target)) {
        timers.delete(timer.id);
        now = Math.max(now, timer.dueAt);
        timer.fn();
        await flush();
      }
      now = target;
      await flush();
    },
    flush,
    pendingTimers: () => timers.size,
  };
}
