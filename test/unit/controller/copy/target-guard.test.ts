import { describe, expect, it } from 'vitest';
import { createTargetGuard } from '../../../../src/controller/copy/target-guard.ts';

/** A guard whose cache view and wake-ups the test controls and records. */
function aGuard(copyingInCache: Record<string, string[]> = {}) {
  const woken: string[][] = [];
  const guard = createTargetGuard({
    copyingInto: (target, exceptKey) => (copyingInCache[target] ?? []).filter((k) => k !== exceptKey),
    wake: (keys) => woken.push(keys),
  });
  return { guard, woken };
}

/** A piece of work that runs until the test releases it. */
function held<T>(value: T) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release,
    work: async () => {
      await done;
      return value;
    },
  };
}

describe('createTargetGuard', () => {
  it('a free target runs the work and hands back its value', async () => {
    const { guard, woken } = aGuard();
    expect(await guard.withTarget('rainbond/34', 'team-a/one', async () => 'copied')).toEqual({
      busy: false,
      value: 'copied',
    });
    expect(woken).toEqual([]);
  });

  it('a second AppCopy on a busy target is told busy without running, and is woken when the first releases', async () => {
    const { guard, woken } = aGuard();
    const first = held('first');
    const running = guard.withTarget('rainbond/34', 'team-a/one', first.work);
    let ran = false;
    const second = await guard.withTarget('rainbond/34', 'team-a/two', async () => {
      ran = true;
    });
    expect(second).toEqual({ busy: true });
    expect(ran).toBe(false);
    expect(woken).toEqual([]);
    first.release();
    expect(await running).toEqual({ busy: false, value: 'first' });
    expect(woken).toEqual([['team-a/two']]);
  });

  it('every AppCopy that waited is woken once, together, and later releases wake nobody again', async () => {
    const { guard, woken } = aGuard();
    const first = held(1);
    const running = guard.withTarget('rainbond/34', 'team-a/one', first.work);
    await guard.withTarget('rainbond/34', 'team-a/two', async () => 2);
    await guard.withTarget('rainbond/34', 'team-a/three', async () => 3);
    await guard.withTarget('rainbond/34', 'team-a/two', async () => 2);
    first.release();
    await running;
    expect(woken).toEqual([['team-a/two', 'team-a/three']]);
    await guard.withTarget('rainbond/34', 'team-a/two', async () => 2);
    expect(woken).toHaveLength(1);
  });

  it('another target is not blocked by a busy one', async () => {
    const { guard } = aGuard();
    const first = held(1);
    const running = guard.withTarget('rainbond/34', 'team-a/one', first.work);
    expect(await guard.withTarget('rainbond/35', 'team-a/two', async () => 2)).toEqual({
      busy: false,
      value: 2,
    });
    first.release();
    await running;
  });

  it('another AppCopy that the cache shows Copying into the target blocks it, even with no lock held here', async () => {
    const { guard } = aGuard({ 'rainbond/34': ['team-b/earlier'] });
    let ran = false;
    expect(
      await guard.withTarget('rainbond/34', 'team-a/one', async () => {
        ran = true;
      }),
    ).toEqual({ busy: true });
    expect(ran).toBe(false);
  });

  it('an AppCopy that the cache shows Copying into its own target is not blocked by itself', async () => {
    const { guard } = aGuard({ 'rainbond/34': ['team-a/one'] });
    expect(await guard.withTarget('rainbond/34', 'team-a/one', async () => 'verified')).toEqual({
      busy: false,
      value: 'verified',
    });
  });

  it('the same AppCopy may enter its target again while it holds it, and still holds it afterwards', async () => {
    const { guard, woken } = aGuard();
    const outer = held('outer');
    const running = guard.withTarget('rainbond/34', 'team-a/one', outer.work);
    expect(await guard.withTarget('rainbond/34', 'team-a/one', async () => 'inner')).toEqual({
      busy: false,
      value: 'inner',
    });
    expect(await guard.withTarget('rainbond/34', 'team-a/two', async () => 'two')).toEqual({ busy: true });
    outer.release();
    await running;
    expect(woken).toEqual([['team-a/two']]);
    expect(await guard.withTarget('rainbond/34', 'team-a/two', async () => 'two')).toEqual({
      busy: false,
      value: 'two',
    });
  });

  it('work that throws releases the target, wakes the waiters and passes the error on', async () => {
    const { guard, woken } = aGuard();
    let fail!: (error: Error) => void;
    const running = guard.withTarget(
      'rainbond/34',
      'team-a/one',
      () =>
        new Promise<never>((_resolve, reject) => {
          fail = reject;
        }),
    );
    expect(await guard.withTarget('rainbond/34', 'team-a/two', async () => 2)).toEqual({ busy: true });
    fail(new Error('console unreachable'));
    await expect(running).rejects.toThrow('console unreachable');
    expect(woken).toEqual([['team-a/two']]);
    expect(await guard.withTarget('rainbond/34', 'team-a/two', async () => 2)).toEqual({
      busy: false,
      value: 2,
    });
  });
});
