import { describe, expect, it } from 'vitest';
import { ABORTED, abortable } from '../src/abortable.ts';

describe('abortable', () => {
  it('passes the value through when the promise settles first', async () => {
    expect(await abortable(Promise.resolve(7), new AbortController().signal)).toBe(7);
    await expect(abortable(Promise.reject(new Error('no')), new AbortController().signal)).rejects.toThrow(
      'no',
    );
  });

  it('stops waiting when the signal aborts, and swallows a later rejection', async () => {
    const controller = new AbortController();
    let reject: (err: Error) => void = () => {};
    const pending = new Promise<number>((_resolve, r) => (reject = r));
    const raced = abortable(pending, controller.signal);
    controller.abort();
    expect(await raced).toBe(ABORTED);
    reject(new Error('late'));
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('answers ABORTED at once for an already aborted signal', async () => {
    expect(await abortable(new Promise(() => {}), AbortSignal.abort())).toBe(ABORTED);
  });
});
