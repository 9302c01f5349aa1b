// What a reconcile does next, decided from the freshly read object alone. Pure.
import type { AppCopy } from '../api/appcopy.ts';
import { DELETE_COPIES_FINALIZER } from '../api/appcopy.ts';
import { ConditionType, findCondition } from '../api/conditions.ts';

export type NextStep =
  /** Being deleted and our finalizer is on it: delete the copies (or let go), then remove it. */
  | 'finalize'
  /** Being deleted without our finalizer: nothing of ours to do. */
  | 'ignore'
  /** deletionPolicy and the finalizer disagree: add or remove it before anything else. */
  | 'sync-finalizer'
  /** No copy for this spec yet: pre-flight, write the intent, call. */
  | 'copy'
  /** A copy was sent and its outcome is not recorded: verify from the target app, never resend blindly. */
  | 'verify'
  /** Copied: follow the copies' live status until they run or fail. */
  | 'follow'
  /** Nothing to do: Failed for this generation (needs a spec change), or copied and followed to the end. */
  | 'done';

/** `following`: whether copies are followed until they run (FOLLOW_TIMEOUT > 0). */
export function nextStep(
  object: AppCopy,
  deletionPolicy: 'Orphan' | 'Delete' | undefined,
  following = true,
): NextStep {
  const hasFinalizer = object.metadata.finalizers?.includes(DELETE_COPIES_FINALIZER) ?? false;
  if (object.metadata.deletionTimestamp) return hasFinalizer ? 'finalize' : 'ignore';
  if ((deletionPolicy === 'Delete') !== hasFinalizer) return 'sync-finalizer';

  const status = object.status ?? {};
  switch (status.phase) {
    case 'Copying':
      // The CEL rule freezes source/target/services while Copying, so whatever bumped the
      // generation cannot have changed what is being copied.
      return 'verify';
    case 'Succeeded':
      return !following || followingFinished(object) ? 'done' : 'follow';
    case 'Failed':
      // A spec change after a failure is the documented, deliberate retry.
      return status.observedGeneration === object.metadata.generation ? 'done' : 'copy';
    default:
      return 'copy';
  }
}

/** ComponentsReady True, or False for a final reason, ends following. */
export function followingFinished(object: AppCopy): boolean {
  const condition = findCondition(object.status?.conditions, ConditionType.ComponentsReady);
  return condition !== undefined && condition.reason !== 'ComponentsStarting';
}
