// The overall retry budget of a work queue, like client-go's default controller rate limiter
// (10 per second, bursts of 100): however many keys fail, retries are admitted at most at `qps`
// on average. Each request reserves a token now and is told how long to wait for it.

export interface TokenBucketOptions {
  /** Tokens added per second. */
  qps: number;
  /** Bucket size: how many retries may happen back to back. */
  burst: number;
}

export interface TokenBucketState {
  /** Tokens available at `updatedAt`; negative when reservations are queued for future tokens. */
  tokens: number;
  updatedAt: number;
}

export function fullBucket(opts: TokenBucketOptions, now: number): TokenBucketState {
  return { tokens: opts.burst, updatedAt: now };
}

/**
 * Takes one token at `now`. The returned delay is 0 when a token was available, otherwise the
 * time until the refill covers this reservation (reservations queue up in order).
 */
export function reserveToken(
  state: TokenBucketState,
  now: number,
  opts: TokenBucketOptions,
): { state: TokenBucketState; delayMs: number } {
  if (!(opts.qps > 0)) return { state, delayMs: 0 };
  const elapsed = Math.max(0, now - state.updatedAt);
  const refilled = Math.min(opts.burst, state.tokens + (elapsed * opts.qps) / 1000);
  const tokens = refilled - 1;
  const delayMs = tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / opts.qps);
  return { state: { tokens, updatedAt: Math.max(now, state.updatedAt) }, delayMs };
}
