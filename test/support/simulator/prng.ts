// A small seedable PRNG (mulberry32) so probabilistic faults replay identically from a seed.
// Not for anything security-related.

export type Prng = () => number;

/** Returns numbers in [0, 1); the same seed always yields the same sequence. */
export function createPrng(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
