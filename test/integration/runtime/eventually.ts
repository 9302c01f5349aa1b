import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it returns true, or fails with `what` after `timeoutMs`. For waiting on
 * asynchronous effects (watch events, lease takeovers) in real time.
 */
export async function eventually(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(50);
  }
}
