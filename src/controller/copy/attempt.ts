// The attempt record (status.attempt) and the protocol's safety rule about it. Pure.
import type { CopyAttempt } from '../../api/appcopy.ts';

/**
 * When the console can no longer be working on the attempt's call, in epoch ms: at once when it
 * answered (callEnded: a 500 or an unreadable 2xx), else the settle period after the call went
 * out. Before then an "absent" or "partial" verdict may only mean "not yet" (a timed-out call can
 * still be running inside the console), so nothing may be concluded from it: neither a resend
 * (copy) nor "there is nothing to delete" (finalize).
 */
export function settlesAt(attempt: Pick<CopyAttempt, 'callEnded' | 'startedAt'>, settleMs: number): number {
  return attempt.callEnded ? 0 : Date.parse(attempt.startedAt) + settleMs;
}

export function callSettled(
  attempt: Pick<CopyAttempt, 'callEnded' | 'startedAt'>,
  now: Date,
  settleMs: number,
): boolean {
  return now.getTime() >= settlesAt(attempt, settleMs);
}

/**
 * The record of a new call for `generation`: numbered after the previous one of the same
 * generation, and carrying its count of calls the console rolled back.
 */
export function nextAttempt(
  previous: CopyAttempt | undefined,
  fields: {
    id: string;
    generation: number;
    now: Date;
    preexistingServiceIds: string[];
    expectedCopies: string[];
  },
): CopyAttempt {
  const sameGeneration = previous !== undefined && previous.generation === fields.generation;
  return {
    id: fields.id,
    number: sameGeneration ? previous.number + 1 : 1,
    ...(sameGeneration && previous.rolledBackCalls ? { rolledBackCalls: previous.rolledBackCalls } : {}),
    generation: fields.generation,
    startedAt: fields.now.toISOString(),
    preexistingServiceIds: fields.preexistingServiceIds,
    expectedCopies: fields.expectedCopies,
  };
}
