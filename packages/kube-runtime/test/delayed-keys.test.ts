import { describe, expect, it } from 'vitest';
import { DelayedKeys } from '../src/delayed-keys.ts';

describe('DelayedKeys', () => {
  it('releases keys in time order once they are due', () => {
    const keys = new DelayedKeys();
    keys.schedule('c', 30);
    keys.schedule('a', 10);
    keys.schedule('b', 20);
    expect(keys.nextReadyAt()).toBe(10);
    expect(keys.takeReady(5)).toEqual([]);
    expect(keys.takeReady(20)).toEqual(['a', 'b']);
    expect(keys.size).toBe(1);
    expect(keys.takeReady(100)).toEqual(['c']);
    expect(keys.nextReadyAt()).toBeUndefined();
  });

  it('keeps one entry per key, at the earliest time asked for', () => {
    const keys = new DelayedKeys();
    keys.schedule('a', 50);
    keys.schedule('a', 80);
    keys.schedule('a', 20);
    expect(keys.size).toBe(1);
    expect(keys.nextReadyAt()).toBe(20);
    expect(keys.takeReady(100)).toEqual(['a']);
    expect(keys.takeReady(1000)).toEqual([]);
  });

  it('orders many keys correctly', () => {
    const keys = new DelayedKeys();
    const times = Array.from({ length: 200 }, (_, i) => (i * 7919) % 1000);
    for (const [i, t] of times.entries()) keys.schedule(`k${i}`, t);
    const released = keys.takeReady(1000);
    expect(released).toHaveLength(200);
    const order = released.map((k) => times[Number(k.slice(1))]!);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
