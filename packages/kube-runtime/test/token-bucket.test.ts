import { describe, expect, it } from 'vitest';
import { fullBucket, reserveToken, type TokenBucketState } from '../src/token-bucket.ts';

const opts = { qps: 10, burst: 3 };

describe('reserveToken', () => {
  it.each<[string, TokenBucketState, number, number, number]>([
    ['a full bucket admits at once', { tokens: 3, updatedAt: 0 }, 0, 0, 2],
    ['the last token is admitted at once', { tokens: 1, updatedAt: 0 }, 0, 0, 0],
    [
      'an empty bucket makes the caller wait for the next token (1/qps)',
      { tokens: 0, updatedAt: 0 },
      0,
      100,
      -1,
    ],
    ['queued reservations wait in line', { tokens: -2, updatedAt: 0 }, 0, 300, -3],
    ['elapsed time refills the bucket', { tokens: 0, updatedAt: 0 }, 250, 0, 1.5],
    ['refill never exceeds the burst', { tokens: 0, updatedAt: 0 }, 60_000, 0, 2],
  ])('%s', (_name, state, now, delayMs, tokensAfter) => {
    const result = reserveToken(state, now, opts);
    expect(result.delayMs).toBe(delayMs);
    expect(result.state.tokens).toBeCloseTo(tokensAfter);
  });

  it('admits `burst` reservations at once, then one per 1/qps', () => {
    let state = fullBucket(opts, 0);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const result = reserveToken(state, 0, opts);
      state = result.state;
      delays.push(result.delayMs);
    }
    expect(delays).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('a zero rate disables the limit', () => {
    expect(reserveToken({ tokens: -100, updatedAt: 0 }, 0, { qps: 0, burst: 1 }).delayMs).toBe(0);
  });
});
