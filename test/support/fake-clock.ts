import type { Clock, TimerHandle } from '../../src/runtime/clock.ts';

/** A Clock whose time moves only when the test says so. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, firing due timers in order (each at its own due time) and letting
   * the promise callbacks they trigger run before the next timer fires.
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

/** Starts at 2025-01-01T00:00:00Z unless told otherwise. */
export function createFakeClock(startMs: number = Date.UTC(2025, 0, 1)): FakeClock {
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
