export interface BackoffOptions {
  /** Delay after the first failure. */
  baseMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
  /**
   * Fraction in [0, 1] of the delay that is randomised away: the result lies in
   * [(1 - jitter) × d, d] where d is the capped exponential delay. Spreads out retries of many
   * keys (or many replicas) that failed together, without ever exceeding `maxMs`.
   */
  jitter: number;
}

/**
 * The delay before retry number `failures` (1 = after the first failure): baseMs × 2^(failures-1),
 * capped at maxMs, then jittered downwards. `failures` <= 0 means "no failure yet" and gives 0.
 * `random` returns a number in [0, 1), like Math.random, and is injected so tests are exact.
 */
export function backoffDelay(failures: number, opts: BackoffOptions, random: () => number): number {
  if (!(failures >= 1) || opts.baseMs <= 0 || opts.maxMs <= 0) return 0;
  const exponential = opts.baseMs * 2 ** (Math.floor(failures) - 1);
  const capped = Math.min(opts.maxMs, exponential);
  const jitter = Math.min(1, Math.max(0, opts.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(capped * (1 - jitter * r));
}
