// Condition types and reasons. Reasons are a public vocabulary: the README's troubleshooting
// table explains each one, and a test keeps the two in step.
import type { Condition, ConditionStatus } from './appcopy.ts';

export const ConditionType = {
  /** True only once the copy succeeded (kubectl wait --for=condition=Ready). */
  Ready: 'Ready',
  /** kstatus: work is in progress (copying, verifying, waiting for credentials or the console). */
  Reconciling: 'Reconciling',
  /** kstatus: the operator cannot make progress until the spec changes. */
  Stalled: 'Stalled',
  /** The copied components are running (they build and deploy after the copy). */
  ComponentsReady: 'ComponentsReady',
  /** Progress of deleting the copies when deletionPolicy is Delete. */
  Deleting: 'Deleting',
} as const;

export const Reason = {
  // Ready=True
  Copied: 'Copied',
  Adopted: 'Adopted',
  AdoptedExisting: 'AdoptedExisting',
  // In progress (Reconciling=True)
  Copying: 'Copying',
  VerifyingCopy: 'VerifyingCopy',
  WaitingForTarget: 'WaitingForTarget',
  CredentialsNotFound: 'CredentialsNotFound',
  DefaultTokenRefused: 'DefaultTokenRefused',
  Unauthorized: 'Unauthorized',
  ConsoleUnavailable: 'ConsoleUnavailable',
  ConsoleNotFound: 'ConsoleNotFound',
  ConsoleNotReady: 'ConsoleNotReady',
  ConsoleChanged: 'ConsoleChanged',
  /** The console cannot read back the markers of components named like the copies (before 6.9.3). */
  MarkersUnreadable: 'MarkersUnreadable',
  // Stalled=True, phase Pending: the console's rules refuse the copy (re-evaluated when they change)
  CopyNotAllowed: 'CopyNotAllowed',
  // Stalled=True (phase Failed)
  InvalidSpec: 'InvalidSpec',
  PreflightFailed: 'PreflightFailed',
  SourceNotFound: 'SourceNotFound',
  TargetNotFound: 'TargetNotFound',
  CopyRejected: 'CopyRejected',
  CopyFailed: 'CopyFailed',
  PartialCopy: 'PartialCopy',
  // ComponentsReady
  ComponentsRunning: 'ComponentsRunning',
  ComponentsStarting: 'ComponentsStarting',
  ComponentsFailed: 'ComponentsFailed',
  ComponentsMissing: 'ComponentsMissing',
  FollowTimedOut: 'FollowTimedOut',
  // Deleting
  DeletingCopies: 'DeletingCopies',
  DeletionBlocked: 'DeletionBlocked',
} as const;
export type ReasonName = (typeof Reason)[keyof typeof Reason];

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/**
 * Returns the conditions with `input` set. lastTransitionTime changes only when the status
 * flips (Kubernetes API conventions); reason/message/observedGeneration always follow the input.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  generation: number,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime:
      previous && previous.status === input.status ? previous.lastTransitionTime : now.toISOString(),
    observedGeneration: generation,
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
