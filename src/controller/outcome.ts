// How a reconcile ends. Every step returns one Outcome; `toQueueResult` is the one place that
// turns it into what the work queue does next. No exceptions for control flow: a thrown error is
// a bug or an I/O failure, and the queue retries it with backoff, logged as an error.

import type { ReconcileOutcome } from '@appcopy/kube-runtime';
import { ConflictError } from '@appcopy/kube-runtime';

export type Outcome =
  /** Nothing to do until the object changes (or the periodic resync). */
  | { kind: 'done' }
  /** Final until the spec changes; the status already says why. */
  | { kind: 'stalled'; why: string }
  /** Come back after `ms` (a poll, a settle period, a busy target); 0: at once, rate-limited. */
  | { kind: 'requeueAfter'; ms: number }
  /**
   * Waiting on the outside world (the console, credentials), recorded in status: come back with
   * per-key backoff. `quiet`: an expected race (the object changed since it was read), not news.
   */
  | { kind: 'retry'; why: string; quiet: boolean };

export const done: Outcome = { kind: 'done' };
export const stalled = (why: string): Outcome => ({ kind: 'stalled', why });
export const requeueAfter = (ms: number): Outcome => ({ kind: 'requeueAfter', ms: Math.max(0, ms) });
export const retry = (why: string): Outcome => ({ kind: 'retry', why, quiet: false });
/** The object changed since it was read (a 409): read it again, without alarm. */
export const conflict: Outcome = { kind: 'retry', why: 'the object changed since it was read', quiet: true };

/** What the work queue does with an outcome (see ReconcileOutcome). */
export function toQueueResult(outcome: Outcome): ReconcileOutcome {
  switch (outcome.kind) {
    case 'done':
    case 'stalled':
      return undefined;
    case 'requeueAfter':
      return { requeueAfterMs: outcome.ms };
    case 'retry':
      // 0 asks the queue for a rate-limited run with the key's growing backoff.
      return { requeueAfterMs: 0 };
  }
}

/**
 * Runs a step to its Outcome. A write that met a newer version (a 409 from the API server)
 * anywhere in it is the expected race of optimistic concurrency: `conflict`, not an error.
 * Every driver (the controller, the tests) runs steps through this, so they see one vocabulary.
 */
export async function outcomeOf(step: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ConflictError) return conflict;
    throw error;
  }
}
