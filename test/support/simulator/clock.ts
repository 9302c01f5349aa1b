// The simulator's sense of time. Component status transitions and every timestamp the
// simulator writes (ledger, events, create_time) read this clock, so a test holding a manual
// clock decides exactly when a build finishes. Network faults (latency, slow-drip) use real
// timers instead: they exist to exercise the client's socket timeouts, which run on real time.

export interface SimulatorClock {
  /** Milliseconds since the Unix epoch, as this clock sees them. */
  now(): number;
}

export interface ManualClock extends SimulatorClock {
  readonly manual: true;
  /** Moves time forward; a negative step is refused because statuses must never run backwards. */
  advance(ms: number): void;
}

/** 2025-01-01T00:00:00Z: a fixed start so timestamps in tests are reproducible. */
export const DEFAULT_MANUAL_START_MS = Date.UTC(2025, 0, 1);

export function createManualClock(startMs: number = DEFAULT_MANUAL_START_MS): ManualClock {
  let current = startMs;
  return {
    manual: true,
    now: () => current,
    advance(ms: number): void {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`clock.advance needs a finite, non-negative number of ms (got ${ms})`);
      }
      current += ms;
    },
  };
}

export function createRealClock(): SimulatorClock {
  return { now: () => Date.now() };
}

export function isManualClock(clock: SimulatorClock): clock is ManualClock {
  return (
    (clock as Partial<ManualClock>).manual === true && typeof (clock as ManualClock).advance === 'function'
  );
}
