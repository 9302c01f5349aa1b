import { describe, expect, it } from 'vitest';
import { createSlots, SlotsClosedError } from '../src/slots.ts';

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('createSlots', () => {
  it('grants up to its size at once and makes the next callers wait', async () => {
    const slots = createSlots('copies', 2);
    const granted: number[] = [];
    const releases = [0, 1, 2, 3].map((i) =>
      slots.acquire().then((release) => {
        granted.push(i);
        return release;
      }),
    );
    await settled();
    expect(granted).toEqual([0, 1]);
    expect(slots.inUse()).toBe(2);
    expect(slots.waiting()).toBe(2);

    (await releases[1]!)();
    await settled();
    expect(granted).toEqual([0, 1, 2]);
    expect(slots.inUse()).toBe(2);
    expect(slots.waiting()).toBe(1);
  });

  it('hands freed slots out first come, first served, and frees them when nobody waits', async () => {
    const slots = createSlots('copies', 1);
    const first = await slots.acquire();
    const order: string[] = [];
    const inOrder = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const second = slots.acquire().then(inOrder('second'));
    const third = slots.acquire().then(inOrder('third'));
    first();
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(slots.inUse()).toBe(0);
  });

  it('ignores a second release of the same slot (it never frees someone else’s)', async () => {
    const slots = createSlots('copies', 1);
    const release = await slots.acquire();
    const next = slots.acquire();
    release();
    release();
    await next;
    expect(slots.inUse()).toBe(1);
    let third = false;
    void slots.acquire().then(() => {
      third = true;
    });
    await settled();
    expect(third).toBe(false);
  });

  it('close() refuses the waiting callers and later ones; held slots stay valid', async () => {
    const slots = createSlots('copies', 1);
    const held = await slots.acquire();
    const waiting = slots.acquire();
    slots.close();
    await expect(waiting).rejects.toBeInstanceOf(SlotsClosedError);
    await expect(slots.acquire()).rejects.toThrow('copies: no new work is started (shutting down)');
    expect(slots.inUse()).toBe(1);
    held();
    expect(slots.inUse()).toBe(0);
  });

  it.each([0, -1, 1.5])('refuses a size of %s', (size) => {
    expect(() => createSlots('copies', size)).toThrow(RangeError);
  });
});
