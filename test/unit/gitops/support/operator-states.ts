// The AppCopy objects the operator itself produces in each state, built by the REAL status
// functions (src/controller/status.ts), the real follower and the real finalizer, driven with
// in-memory stand-ins for the API server and the console. The GitOps tests judge these objects
// the way Argo CD (health.lua), kstatus and Flux's healthCheckExprs would, so the health
// integrations are tested against what the operator writes, not against hand-written guesses.
import pino from 'pino';
import type { AppCopy, AppCopyStatus, CopyAttempt } from '../../../../src/api/appcopy.ts';
import { Reason, type ReasonName } from '../../../../src/api/conditions.ts';
import type { CredentialsResolver } from '../../../../src/controller/credentials.ts';
import { createFinalizer } from '../../../../src/controller/finalize.ts';
import { createFollower, type FollowSettings } from '../../../../src/controller/follow.ts';
import {
  failedStatus,
  intentStatus,
  pendingStatus,
  succeededStatus,
  verifyingStatus,
} from '../../../../src/controller/status.ts';
import type { Component } from '../../../../src/rainbond/types.ts';
import { createFakeAppCopyStore } from '../../../fakes/appcopy-store.ts';
import { aSession, consoleAccessVia } from '../../../fakes/console-access.ts';
import { credentialsWith, noCredentials } from '../../../fakes/credentials.ts';
import { createRecordingEventRecorder } from '../../../fakes/event-recorder.ts';
import { answer, createScriptedConsole } from '../../../fakes/rainbond-client.ts';
import {
  aComponent,
  anAppCopy,
  atGeneration,
  beingDeleted,
  withDeleteFinalizer,
  withDeletionPolicy,
  withStatus,
} from '../../../support/builders.ts';

export type ArgoHealth = 'Healthy' | 'Progressing' | 'Degraded';
export type KstatusExpectation = 'InProgress' | 'Current' | 'Failed' | 'Terminating';
/** 'Waiting': the expressions cannot be evaluated yet (no status), so Flux keeps waiting. */
export type FluxExpectation = 'InProgress' | 'Current' | 'Failed' | 'Waiting';

export interface OperatorState {
  name: string;
  object: AppCopy;
  argo: ArgoHealth;
  kstatus: KstatusExpectation;
  /**
   * Under the healthCheckExprs of deploy/flux. Flux health-checks an object being deleted when
   * the deletion is not its own (kubectl delete, a namespace being deleted, another owner):
   * the object is still in the Kustomization's inventory.
   */
  flux: FluxExpectation;
}

const t0 = new Date('2025-01-01T00:00:00Z');
const at = (now: Date, generation = 1) => ({ generation, now });
const silent = pino({ level: 'silent' });

const attempt: CopyAttempt = {
  id: 'attempt-1',
  number: 1,
  generation: 1,
  startedAt: t0.toISOString(),
  preexistingServiceIds: [],
  expectedCopies: ['web-copy', 'api-copy'],
};

function withOperatorStatus(status: AppCopyStatus, ...more: Parameters<typeof anAppCopy>): AppCopy {
  return anAppCopy(...more, withStatus(status));
}

function pending(reason: ReasonName, message: string): AppCopy {
  return withOperatorStatus(pendingStatus({}, reason, message, at(t0)));
}

function failed(reason: ReasonName, message: string, components: Component[] = []): AppCopy {
  return withOperatorStatus(
    failedStatus(intentStatus({}, attempt, at(t0)), reason, message, at(t0), components),
  );
}

/** Two copies, as the copy call returned them: the console answers `status: ""` (not built yet). */
function copies(): Component[] {
  return [
    aComponent({ serviceCname: 'web-copy', status: '' }),
    aComponent({ serviceCname: 'api-copy', status: '' }),
  ];
}

function succeeded(
  components: Component[],
  how: typeof Reason.Copied | typeof Reason.Adopted = Reason.Copied,
) {
  return succeededStatus(intentStatus({}, attempt, at(t0)), components, how, at(t0));
}

/**
 * One pass of the real follower over a copy that succeeded at t0: `recorded` are the statuses
 * the previous poll wrote (undefined: none yet, as the copy's answer left them), `live` what the
 * console answers now (undefined: the copy is gone). Statuses are the region's
 * (src/controller/component-health.ts).
 */
export async function followOnce(
  recorded: (string | undefined)[],
  live: (string | undefined)[],
  options: { settings?: Partial<FollowSettings>; now?: Date } = {},
): Promise<AppCopy> {
  const components = recorded.map((status, i) =>
    aComponent({ serviceCname: `copy-${i}`, status: status ?? '' }),
  );
  const object = withOperatorStatus(succeeded(components));
  const store = createFakeAppCopyStore(object);
  const console = createScriptedConsole({
    listComponents: [
      answer(components.flatMap((c, i) => (live[i] === undefined ? [] : [{ ...c, status: live[i] }]))),
    ],
  });
  const follow = createFollower({
    store,
    events: createRecordingEventRecorder(),
    settings: {
      followTimeoutMs: 30 * 60_000,
      followIntervalMs: 5_000,
      followMaxIntervalMs: 60_000,
      ...options.settings,
    },
    now: () => options.now ?? new Date(t0.getTime() + 60_000),
  });
  await follow(object, object.spec as never, aSession(console, 'token'), silent);
  const written = store.writes.at(-1)?.stored;
  if (!written) throw new Error('the follower wrote no status');
  return written;
}

/**
 * One pass of the real finalizer over an AppCopy with deletionPolicy Delete being deleted:
 * by default a copied one whose copies run, or one whose copy failed with some copies made.
 */
async function finalizeOnce(
  credentials: CredentialsResolver,
  before: 'copied' | 'failed' = 'copied',
): Promise<AppCopy> {
  const made = copies().map((c) => ({ ...c, status: 'running' }));
  const components = before === 'copied' ? made : made.slice(0, 1);
  const status =
    before === 'copied'
      ? succeeded(components)
      : failedStatus(
          intentStatus({}, attempt, at(t0)),
          Reason.PartialCopy,
          'the copy was only partly done: 1 of 2 components exist (web-copy); missing: api-copy. Remove or keep them in Rainbond, then change the spec to retry',
          at(t0),
          components,
        );
  const object = withOperatorStatus(
    status,
    withDeletionPolicy('Delete'),
    withDeleteFinalizer(),
    beingDeleted('2025-01-02T00:00:00Z'),
  );
  const store = createFakeAppCopyStore(object);
  const finalizer = createFinalizer({
    store,
    events: createRecordingEventRecorder(),
    pollMs: 2_000,
    now: () => new Date('2025-01-02T00:00:01Z'),
  });
  const console = createScriptedConsole({
    listComponents: [answer(components)],
    deleteComponent: [answer(undefined)],
  });
  const access = await consoleAccessVia(console, credentials, { settleMs: 60_000 }).forExistingCopy(
    object,
    object.spec as never,
  );
  await finalizer.finalize(object, object.spec as never, access, silent);
  const written = store.writes.at(-1)?.stored;
  if (!written?.status) throw new Error('the finalizer wrote no status');
  return written;
}

/** Every state, with what each GitOps tool must conclude from it. */
export async function operatorStates(): Promise<OperatorState[]> {
  // Messages as the operator words them (test/unit/gitops/fixtures.test.ts checks each against src/).
  const failures: [ReasonName, string][] = [
    [Reason.InvalidSpec, 'spec.target.appId: Too small: expected number to be >=1'],
    [
      Reason.PreflightFailed,
      'cannot copy: not components of the source app: 5f1c0e7d9a2b4c6d8e0f1a2b3c4d5e6f',
    ],
    [
      Reason.SourceNotFound,
      'the console rejected the copy pre-flight (HTTP 404); fix spec.source (changing the spec retries)',
    ],
    [
      Reason.TargetNotFound,
      'the console rejected listing the components (HTTP 404); fix spec.target (changing the spec retries)',
    ],
    [
      Reason.CopyRejected,
      'the console rejected the copy (HTTP 400); nothing was copied (changing the spec retries)',
    ],
  ];
  const waiting: [ReasonName, string][] = [
    [
      Reason.CredentialsNotFound,
      'cannot use Secret team-a/rainbond-token named by spec.credentialsSecretRef: it does not exist',
    ],
    [
      Reason.DefaultTokenRefused,
      'this operator requires every AppCopy to name its own credentials: set spec.credentialsSecretRef to a Secret in this namespace with key "token"',
    ],
    [
      Reason.Unauthorized,
      "the console did not accept the token for the copy pre-flight (HTTP 401): No such user; check the token (the AppCopy's credentials Secret, else its console's Secret or the operator's default token) and that its user is a member of the target team",
    ],
    [
      Reason.ConsoleUnavailable,
      'could not connect to the console at rainbond-console.rainbond.svc:7070 for the copy pre-flight: connection refused (ECONNREFUSED); nothing was sent; retrying with backoff',
    ],
    [Reason.WaitingForTarget, 'waiting for another AppCopy copying into target app 34'],
  ];
  const running = copies().map((c) => ({ ...c, status: 'running' }));

  return [
    {
      name: 'a new AppCopy the operator has not acted on',
      object: anAppCopy(),
      argo: 'Progressing',
      kstatus: 'Current',
      flux: 'Waiting',
    },
    ...waiting.map(([reason, message]) => ({
      name: `Pending, waiting (${reason})`,
      object: pending(reason, message),
      argo: 'Progressing' as const,
      kstatus: 'InProgress' as const,
      flux: 'InProgress' as const,
    })),
    {
      name: 'Copying: the intent is written and the call sent',
      object: withOperatorStatus(intentStatus({}, attempt, at(t0))),
      argo: 'Progressing',
      kstatus: 'InProgress',
      flux: 'InProgress',
    },
    {
      name: 'Copying: verifying an unknown outcome',
      object: withOperatorStatus(
        verifyingStatus(
          intentStatus({}, attempt, at(t0)),
          Reason.VerifyingCopy,
          "the copy's outcome is unknown (no answer from the console at rainbond-console.rainbond.svc:7070 to the copy within 600000 ms after sending it; it may have taken effect); verifying from the target app before anything else",
          at(t0),
        ),
      ),
      argo: 'Progressing',
      kstatus: 'InProgress',
      flux: 'InProgress',
    },
    ...failures.map(([reason, message]) => ({
      name: `Failed (${reason})`,
      object: failed(reason, message),
      argo: 'Degraded' as const,
      kstatus: 'Failed' as const,
      flux: 'Failed' as const,
    })),
    {
      name: 'Failed (PartialCopy), with the copies that exist',
      object: failed(
        Reason.PartialCopy,
        'the copy was only partly done: 1 of 2 components exist (web-copy); missing: api-copy. Remove or keep them in Rainbond, then change the spec to retry',
        copies().slice(0, 1),
      ),
      argo: 'Degraded',
      kstatus: 'Failed',
      flux: 'Failed',
    },
    {
      name: 'Failed, then the spec changed (a retry) and the operator has not seen it yet',
      object: withOperatorStatus(
        failedStatus(
          {},
          Reason.CopyRejected,
          'the console rejected the copy (HTTP 400); nothing was copied (changing the spec retries)',
          at(t0),
        ),
        atGeneration(2),
      ),
      argo: 'Progressing',
      kstatus: 'InProgress',
      flux: 'InProgress',
    },
    {
      name: 'Succeeded (Copied), following disabled: no ComponentsReady',
      object: withOperatorStatus(succeeded(copies())),
      argo: 'Healthy',
      kstatus: 'Current',
      flux: 'Current',
    },
    {
      name: 'Succeeded (Adopted after an interrupted call), following disabled',
      object: withOperatorStatus(succeeded(copies(), Reason.Adopted)),
      argo: 'Healthy',
      kstatus: 'Current',
      flux: 'Current',
    },
    {
      name: 'Succeeded, copies still building (ComponentsStarting)',
      object: await followOnce([undefined, undefined], ['undeploy', 'running']),
      argo: 'Progressing',
      kstatus: 'InProgress',
      flux: 'InProgress',
    },
    {
      name: 'Succeeded, a copy abnormal once (not final yet)',
      object: await followOnce([undefined, 'running'], ['abnormal', 'running']),
      argo: 'Progressing',
      kstatus: 'InProgress',
      flux: 'InProgress',
    },
    {
      name: 'Succeeded, all copies running (ComponentsRunning)',
      object: await followOnce(['undeploy', undefined], ['running', 'running']),
      argo: 'Healthy',
      kstatus: 'Current',
      flux: 'Current',
    },
    {
      name: 'Succeeded, a copy failed twice in a row (ComponentsFailed)',
      // `abnormal` twice: failed instances, which the follower judges from the status alone.
      object: await followOnce(['abnormal', 'running'], ['abnormal', 'running']),
      argo: 'Degraded',
      kstatus: 'Failed',
      flux: 'Failed',
    },
    {
      name: 'Succeeded, a copy was removed in Rainbond (ComponentsMissing)',
      object: await followOnce(['running', 'running'], ['running', undefined]),
      argo: 'Degraded',
      kstatus: 'Failed',
      flux: 'Failed',
    },
    {
      name: 'Succeeded, the copies did not run before the follow timeout (FollowTimedOut)',
      object: await followOnce(['undeploy', 'running'], ['undeploy', 'running'], {
        now: new Date(t0.getTime() + 31 * 60_000),
      }),
      argo: 'Degraded',
      kstatus: 'Failed',
      flux: 'Failed',
    },
    {
      name: 'Succeeded and running, then deletionPolicy changed and not yet observed',
      object: withOperatorStatus(succeeded(running), atGeneration(2)),
      argo: 'Progressing',
      kstatus: 'InProgress',
      flux: 'InProgress',
    },
    {
      name: 'Being deleted: the finalizer is deleting the copies (Deleting=True)',
      object: await finalizeOnce(credentialsWith('token')),
      argo: 'Progressing',
      kstatus: 'Terminating',
      flux: 'InProgress',
    },
    {
      name: 'Being deleted: deletion blocked without credentials (Deleting=False)',
      object: await finalizeOnce(noCredentials()),
      argo: 'Progressing',
      kstatus: 'Terminating',
      flux: 'InProgress',
    },
    {
      name: 'Being deleted after a partial copy (Stalled=True stays, Deleting=True)',
      object: await finalizeOnce(credentialsWith('token'), 'failed'),
      argo: 'Progressing',
      kstatus: 'Terminating',
      flux: 'InProgress',
    },
  ];
}
