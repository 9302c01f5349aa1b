// The simulator's sense of time. Component status transitions and every timestamp the
// simulator writes (ledger, events, create_time) read this clock, so a test holding the fake
// clock (../fake-clock.ts) decides exactly when a build finishes. Network faults (latency,
// slow-drip) use real timers instead: they exist to exercise the client's socket timeouts,
// which run on real time.
import type { FakeClock } from '../fake-clock.ts';

export interface SimulatorClock {
  /** Milliseconds since the Unix epoch, as this clock sees them. */
  now(): number;
}

export function createRealClock(): SimulatorClock {
  return { now: () => Date.now() };
}

/** Whether a test (or POST /__sim/clock/advance) moves this clock: the fake clock. */
export function isManualClock(clock: SimulatorClock): clock is FakeClock {
  return (clock as Partial<FakeClock>).manual === true && typeof (clock as FakeClock).advance === 'function';
}
