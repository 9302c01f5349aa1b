import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../src/api/appcopy.ts';
import { followingFinished, nextStep } from '../../../src/controller/next-step.ts';
import {
  type AppCopyModifier,
  anAppCopy,
  atGeneration,
  beingDeleted,
  inPhase,
  withDeleteFinalizer,
  withDeletionPolicy,
  withFinalizer,
} from '../../support/builders.ts';

const componentsReady =
  (status: Condition['status'], reason: string): AppCopyModifier =>
  (d) => {
    d.status = {
      ...(d.status ?? {}),
      conditions: [
        ...(d.status?.conditions ?? []),
        {
          type: 'ComponentsReady',
          status,
          reason,
          message: reason,
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
    };
  };

describe('nextStep', () => {
  it.each([
    // Deletion comes first, whatever the status.
    {
      name: 'an AppCopy being deleted with our finalizer is finalized, even mid-copy',
      object: anAppCopy(
        withDeletionPolicy('Delete'),
        withDeleteFinalizer(),
        inPhase('Copying'),
        beingDeleted(),
      ),
      policy: 'Delete',
      step: 'finalize',
    },
    {
      name: 'an AppCopy being deleted with our finalizer is finalized even if its policy now says Orphan',
      object: anAppCopy(withDeleteFinalizer(), inPhase('Succeeded'), beingDeleted()),
      policy: 'Orphan',
      step: 'finalize',
    },
    {
      name: 'an AppCopy being deleted without our finalizer is left alone',
      object: anAppCopy(withFinalizer('example.com/other'), inPhase('Succeeded'), beingDeleted()),
      policy: 'Orphan',
      step: 'ignore',
    },
    {
      name: 'an AppCopy being deleted without our finalizer is left alone even if its policy says Delete',
      object: anAppCopy(withDeletionPolicy('Delete'), beingDeleted()),
      policy: 'Delete',
      step: 'ignore',
    },
    // The finalizer follows the policy before anything else happens.
    {
      name: 'deletionPolicy Delete without our finalizer adds it before copying',
      object: anAppCopy(withDeletionPolicy('Delete')),
      policy: 'Delete',
      step: 'sync-finalizer',
    },
    {
      name: 'deletionPolicy Orphan with our finalizer removes it, even after success',
      object: anAppCopy(withDeleteFinalizer(), inPhase('Succeeded')),
      policy: 'Orphan',
      step: 'sync-finalizer',
    },
    {
      name: 'an unreadable spec (no policy) with our finalizer syncs the finalizer first',
      object: anAppCopy(withDeleteFinalizer()),
      policy: undefined,
      step: 'sync-finalizer',
    },
    {
      name: 'another controller’s finalizer does not count as ours',
      object: anAppCopy(withDeletionPolicy('Delete'), withFinalizer('example.com/other')),
      policy: 'Delete',
      step: 'sync-finalizer',
    },
    // The copy itself.
    { name: 'an AppCopy without status is copied', object: anAppCopy(), policy: 'Orphan', step: 'copy' },
    {
      name: 'an AppCopy with policy Delete and its finalizer and no status is copied',
      object: anAppCopy(withDeletionPolicy('Delete'), withDeleteFinalizer()),
      policy: 'Delete',
      step: 'copy',
    },
    {
      name: 'a Pending AppCopy (waiting for credentials or the console) is copied',
      object: anAppCopy(inPhase('Pending')),
      policy: 'Orphan',
      step: 'copy',
    },
    {
      name: 'a Copying AppCopy is verified, never copied again',
      object: anAppCopy(inPhase('Copying')),
      policy: 'Orphan',
      step: 'verify',
    },
    {
      name: 'a Copying AppCopy is verified even after its generation moved on',
      object: anAppCopy(inPhase('Copying', 1), atGeneration(2)),
      policy: 'Orphan',
      step: 'verify',
    },
    {
      name: 'a Succeeded AppCopy whose copies were not followed yet is followed',
      object: anAppCopy(inPhase('Succeeded')),
      policy: 'Orphan',
      step: 'follow',
    },
    {
      name: 'a Succeeded AppCopy whose copies are still starting is followed',
      object: anAppCopy(inPhase('Succeeded'), componentsReady('False', 'ComponentsStarting')),
      policy: 'Orphan',
      step: 'follow',
    },
    {
      name: 'a Succeeded AppCopy whose copies run is done',
      object: anAppCopy(inPhase('Succeeded'), componentsReady('True', 'ComponentsRunning')),
      policy: 'Orphan',
      step: 'done',
    },
    {
      name: 'a Succeeded AppCopy whose copies failed is done',
      object: anAppCopy(inPhase('Succeeded'), componentsReady('False', 'ComponentsFailed')),
      policy: 'Orphan',
      step: 'done',
    },
    {
      name: 'a Succeeded AppCopy is never copied again after a spec change',
      object: anAppCopy(
        inPhase('Succeeded', 1),
        componentsReady('True', 'ComponentsRunning'),
        atGeneration(2),
      ),
      policy: 'Orphan',
      step: 'done',
    },
    {
      name: 'a Failed AppCopy of this generation is done (it waits for a spec change)',
      object: anAppCopy(atGeneration(3), inPhase('Failed')),
      policy: 'Orphan',
      step: 'done',
    },
    {
      name: 'a Failed AppCopy whose spec changed since is copied again',
      object: anAppCopy(inPhase('Failed', 1), atGeneration(2)),
      policy: 'Orphan',
      step: 'copy',
    },
  ] as const)('$name', ({ object, policy, step }) => {
    expect(nextStep(object, policy)).toBe(step);
  });
});

describe('followingFinished', () => {
  it.each([
    { name: 'not followed yet is not finished', object: anAppCopy(inPhase('Succeeded')), finished: false },
    {
      name: 'copies still starting are not finished',
      object: anAppCopy(componentsReady('False', 'ComponentsStarting')),
      finished: false,
    },
    {
      name: 'running copies are finished',
      object: anAppCopy(componentsReady('True', 'ComponentsRunning')),
      finished: true,
    },
    {
      name: 'a follow that timed out is finished',
      object: anAppCopy(componentsReady('False', 'FollowTimedOut')),
      finished: true,
    },
    {
      name: 'copies that no longer exist are finished',
      object: anAppCopy(componentsReady('False', 'ComponentsMissing')),
      finished: true,
    },
  ])('$name', ({ object, finished }) => {
    expect(followingFinished(object)).toBe(finished);
  });
});

describe('nextStep with following disabled (FOLLOW_TIMEOUT=0s)', () => {
  it('treats a Succeeded AppCopy as done without a ComponentsReady condition', () => {
    expect(nextStep(anAppCopy(inPhase('Succeeded')), 'Orphan', false)).toBe('done');
  });

  it('still verifies an AppCopy left Copying', () => {
    expect(nextStep(anAppCopy(inPhase('Copying')), 'Orphan', false)).toBe('verify');
  });
});
