// Status computation as a property: any sequence of what can happen to an AppCopy (waiting,
// intent, verifying, success, failure, across generations and times) yields statuses that
// kstatus, `kubectl wait` and a user read the same way: the phase and the Ready/Reconciling/
// Stalled conditions agree, lastTransitionTime moves only when a condition flips, counts match
// the lists, the attempt record survives until the outcome, and the equality that skips
// needless writes ignores key order but never a real change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppCopyStatus, Condition, CopyAttempt } from '../../../src/api/appcopy.ts';
import { Reason, type ReasonName } from '../../../src/api/conditions.ts';
import {
  failedStatus,
  intentStatus,
  pendingStatus,
  sameStatus,
  succeededStatus,
  verifyingStatus,
} from '../../../src/controller/status.ts';
import type { Component } from '../../../src/rainbond/types.ts';

const waitingReason = fc.constantFrom<ReasonName>(
  Reason.WaitingForTarget,
  Reason.CredentialsNotFound,
  Reason.DefaultTokenRefused,
  Reason.Unauthorized,
  Reason.ConsoleUnavailable,
);
const failedReason = fc.constantFrom<ReasonName>(
  Reason.InvalidSpec,
  Reason.PreflightFailed,
  Reason.SourceNotFound,
  Reason.TargetNotFound,
  Reason.CopyRejected,
  Reason.PartialCopy,
);
const message = fc.string({ maxLength: 80 });
const component: fc.Arbitrary<Component> = fc.record({
  serviceId: fc.stringMatching(/^[0-9a-f]{32}$/),
  serviceAlias: fc.stringMatching(/^gr[0-9a-f]{6}$/),
  serviceCname: fc.constantFrom('web-copy', 'api-copy', 'db-copy'),
  k8sComponentName: fc.option(fc.constantFrom('web', 'api'), { nil: null }),
  status: fc.option(fc.constantFrom('undeploy', 'waiting', 'running', 'abnormal', ''), { nil: null }),
  createStatus: fc.option(fc.constant('complete'), { nil: null }),
  serviceSource: fc.option(fc.constant('docker_image'), { nil: null }),
});

type Event =
  | { kind: 'pending'; reason: ReasonName; message: string }
  | { kind: 'intent' }
  | { kind: 'verifying'; message: string }
  | { kind: 'succeeded'; components: Component[]; how: typeof Reason.Copied | typeof Reason.Adopted }
  | { kind: 'failed'; reason: ReasonName; message: string; components: Component[] };

const event: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('pending' as const), reason: waitingReason, message }),
  fc.constant({ kind: 'intent' as const }),
  fc.record({ kind: fc.constant('verifying' as const), message }),
  fc.record({
    kind: fc.constant('succeeded' as const),
    components: fc.array(component, { maxLength: 4 }),
    how: fc.constantFrom(Reason.Copied, Reason.Adopted),
  }),
  fc.record({
    kind: fc.constant('failed' as const),
    reason: failedReason,
    message,
    components: fc.array(component, { maxLength: 3 }),
  }),
);

/** A step: an event, how much later it happens, and whether the spec changed meanwhile. */
const step = fc.record({
  event,
  laterMs: fc.integer({ min: 0, max: 3_600_000 }),
  newGeneration: fc.boolean(),
});

const PHASE_OF: Record<Event['kind'], string> = {
  pending: 'Pending',
  intent: 'Copying',
  verifying: 'Copying',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

function cond(status: AppCopyStatus, type: string): Condition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

/** The same value with every object's keys in reverse order. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    ) as T;
  }
  return value;
}

describe('status computation over random histories', () => {
  it('keeps phase, conditions, times, counts and the attempt record consistent at every step', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        let status: AppCopyStatus = {};
        let generation = 1;
        let now = Date.UTC(2025, 0, 1);
        let attempts = 0;
        for (const { event: e, laterMs, newGeneration } of steps) {
          now += laterMs;
          if (newGeneration) generation += 1;
          const ctx = { generation, now: new Date(now) };
          const before = status;
          let next: AppCopyStatus;
          switch (e.kind) {
            case 'pending':
              next = pendingStatus(before, e.reason, e.message, ctx);
              break;
            case 'intent': {
              attempts += 1;
              const attempt: CopyAttempt = {
                id: `attempt-${attempts}`,
                number: attempts,
                generation,
                startedAt: ctx.now.toISOString(),
                preexistingServiceIds: [],
                expectedCopies: ['web-copy'],
              };
              next = intentStatus(before, attempt, ctx);
              break;
            }
            case 'verifying':
              next = verifyingStatus(before, Reason.VerifyingCopy, e.message, ctx);
              break;
            case 'succeeded':
              next = succeededStatus(before, e.components, e.how, ctx);
              break;
            case 'failed':
              next = failedStatus(before, e.reason, e.message, ctx, e.components);
              break;
          }

          // The phase and the kstatus conditions say the same thing.
          expect(next.phase).toBe(PHASE_OF[e.kind]);
          const ready = cond(next, 'Ready');
          const reconciling = cond(next, 'Reconciling');
          const stalled = cond(next, 'Stalled');
          expect(ready?.status).toBe(next.phase === 'Succeeded' ? 'True' : 'False');
          expect(reconciling?.status).toBe(
            next.phase === 'Pending' || next.phase === 'Copying' ? 'True' : undefined,
          );
          expect(stalled?.status).toBe(next.phase === 'Failed' ? 'True' : undefined);
          if (e.kind === 'pending' || e.kind === 'failed') expect(ready?.reason).toBe(e.reason);
          if (e.kind === 'succeeded') expect(ready?.reason).toBe(e.how);

          // Everything is stamped with the generation it was computed from.
          expect(next.observedGeneration).toBe(generation);
          for (const c of next.conditions ?? []) expect(c.observedGeneration).toBe(generation);

          // lastTransitionTime moves only when a condition's status flips (or it appears).
          for (const c of next.conditions ?? []) {
            const old = cond(before, c.type);
            expect(c.lastTransitionTime).toBe(
              old && old.status === c.status ? old.lastTransitionTime : ctx.now.toISOString(),
            );
          }
          expect(new Set(next.conditions?.map((c) => c.type)).size).toBe(next.conditions?.length);

          // Counts match lists; a finished copy lists what exists, and only that.
          if (e.kind === 'succeeded' || e.kind === 'failed') {
            expect(next.services?.map((s) => s.serviceId)).toEqual(e.components.map((c) => c.serviceId));
            expect(next.copiedCount).toBe(e.components.length);
          }
          // The attempt record survives every step; the outcome stamps when it finished.
          if (before.attempt && e.kind !== 'intent') expect(next.attempt?.id).toBe(before.attempt.id);
          if (next.attempt && (e.kind === 'succeeded' || e.kind === 'failed')) {
            expect(next.attempt.finishedAt).toBe(ctx.now.toISOString());
          }
          // lastError: empty once copied, the message of a failure.
          if (e.kind === 'succeeded') expect(next.lastError).toBe('');
          if (e.kind === 'failed') expect(next.lastError).toBe(e.message);

          // Equality skips only writes that change nothing.
          expect(sameStatus(next, reversedKeys(structuredClone(next)))).toBe(true);
          if (before.phase !== next.phase) expect(sameStatus(before, next)).toBe(false);
          // Computing the same step twice changes nothing (a repeated reconcile writes nothing).
          expect(sameStatus(next, JSON.parse(JSON.stringify(next)) as AppCopyStatus)).toBe(true);
          status = next;
        }
      }),
      { numRuns: 500 },
    );
  });
});
