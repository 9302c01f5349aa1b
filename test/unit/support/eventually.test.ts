// The contract of the tests' one wait: what it returns, when it gives up and what it says then.
import { describe, expect, it } from 'vitest';
import { EventuallyTimeoutError, eventually } from '../../support/eventually.ts';

describe('eventually', () => {
  it('resolves with the first value the check returns that is neither undefined nor false', async () => {
    let calls = 0;
    const value = await eventually(() => (++calls < 3 ? undefined : `after ${calls}`), {
      what: 'a value',
      timeoutMs: 1_000,
      intervalMs: 1,
    });
    expect(value).toBe('after 3');
  });

  it('counts a check that throws as not yet, and names its last error at the time-out', async () => {
    const waiting = eventually(
      () => {
        throw new Error('connection refused');
      },
      { what: () => 'the API server', timeoutMs: 30, intervalMs: 5 },
    );
    await expect(waiting).rejects.toThrow(EventuallyTimeoutError);
    await expect(waiting).rejects.toThrow(
      'timed out after 30 ms waiting for the API server; the last check threw: connection refused',
    );
  });

  it('throws the error of onTimeout instead, when given', async () => {
    await expect(
      eventually(() => false, {
        what: 'never',
        timeoutMs: 10,
        intervalMs: 5,
        onTimeout: () => new Error('etcd did not report healthy'),
      }),
    ).rejects.toThrow('etcd did not report healthy');
  });

  it('stops at once with the error `abandon` resolves with', async () => {
    const started = Date.now();
    await expect(
      eventually(() => false, {
        what: 'a process that exited',
        timeoutMs: 10_000,
        intervalMs: 5,
        abandon: Promise.resolve(new Error('kube-apiserver exited (code 1)')),
      }),
    ).rejects.toThrow('kube-apiserver exited (code 1)');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
