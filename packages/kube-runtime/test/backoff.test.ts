import { describe, expect, it } from 'vitest';
import { type BackoffOptions, backoffDelay } from '../src/backoff.ts';

const noJitter: BackoffOptions = { baseMs: 100, maxMs: 10_000, jitter: 0 };
const halfJitter: BackoffOptions = { baseMs: 100, maxMs: 10_000, jitter: 0.5 };

describe('backoffDelay', () => {
  it.each([
    ['no failure yet means no delay', 0, noJitter, 0.5, 0],
    ['a negative count is treated as no failure', -3, noJitter, 0.5, 0],
    ['the first failure waits the base delay', 1, noJitter, 0.5, 100],
    ['the second failure doubles it', 2, noJitter, 0.5, 200],
    ['the fifth failure waits 2^4 times the base', 5, noJitter, 0.5, 1600],
    ['the delay never exceeds the cap', 8, noJitter, 0.5, 10_000],
    ['a huge failure count stays at the cap instead of overflowing', 5000, noJitter, 0.5, 10_000],
    ['jitter with random 0 keeps the full delay', 3, halfJitter, 0, 400],
    ['jitter with random close to 1 removes up to the jitter fraction', 3, halfJitter, 0.999_999, 200],
    ['jitter applies after the cap, so the cap is never exceeded', 20, halfJitter, 0.5, 7500],
    ['a jitter above 1 is clamped to 1', 1, { ...noJitter, jitter: 3 }, 0.25, 75],
    ['a zero base disables backoff', 4, { ...noJitter, baseMs: 0 }, 0.5, 0],
  ])('%s', (_name, failures, opts, random, expected) => {
    expect(backoffDelay(failures, opts, () => random)).toBe(expected);
  });

  it('stays within [(1 - jitter) × d, d] for any random value', () => {
    for (let failures = 1; failures < 12; failures++) {
      const d = Math.min(10_000, 100 * 2 ** (failures - 1));
      for (const r of [0, 0.1, 0.5, 0.9, 0.999]) {
        const delay = backoffDelay(failures, halfJitter, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(d * 0.5));
        expect(delay).toBeLessThanOrEqual(d);
      }
    }
  });
});
