// The AppCopy reconciler: load -> decide -> act -> report, for one key at a time. It reads the
// object fresh (never the informer cache), decides the step (next-step.ts, pure) and hands it
// to the copy protocol (copy/), following (follow.ts) or deletion (finalize.ts). Every path
// ends in an Outcome (outcome.ts); statuses are written through report.ts.

import type { Slots } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import {
  type AppCopy,
  type AppCopySpec,
  appCopySpecSchema,
  describeSpecError,
  objectKey,
  parseKey,
  targetKey,
} from '../api/appcopy.ts';
import { Reason } from '../api/conditions.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import type { RainbondClient } from '../rainbond/client.ts';
import { type CopyOutcome, type CopySettings, createCopyProtocol } from './copy/protocol.ts';
import type { TargetGuard } from './copy/target-guard.ts';
import type { CredentialsResolver } from './credentials.ts';
import { nextStep } from './next-step.ts';
import { done, type Outcome, requeueAfter, retry, stalled } from './outcome.ts';
import { createReporter, type Reporter } from './report.ts';
import { failedStatus, pendingStatus, verifyingStatus } from './status.ts';

export interface ReconcilerDeps {
  store: AppCopyStore;
  rainbond: RainbondClient;
  credentials: CredentialsResolver;
  events: EventRecorder;
  targets: TargetGuard;
  /** Bounds the copy calls in flight (CONCURRENCY); see copy/protocol.ts. */
  copySlots: Slots;
  settings: CopySettings;
  now: () => Date;
  newAttemptId: () => string;
  logger: Logger;
  onCopyOutcome?: (outcome: CopyOutcome) => void;
  /** Failpoints of the protocol, for the crash tests (see copy/protocol.ts). */
  failpoint?: (name: 'after-intent' | 'after-copy') => void;
  /** Where statuses are written; default: one over `store` and `events`. */
  reporter?: Reporter;
  /** Optional later stages (following, deletion); absent ones are no-ops. */
  stages?: {
    follow?: (object: AppCopy, spec: AppCopySpec, log: Logger) => Promise<Outcome>;
    finalize?: (object: AppCopy, spec: AppCopySpec | undefined, log: Logger) => Promise<Outcome>;
    syncFinalizer?: (object: AppCopy, spec: AppCopySpec) => Promise<void>;
  };
}

export function createReconciler(deps: ReconcilerDeps) {
  const { store, settings } = deps;
  const following = deps.stages?.follow !== undefined;
  const reporter = deps.reporter ?? createReporter({ store, events: deps.events });
  const protocol = createCopyProtocol({ ...deps, reporter, following });

  function ctx(object: AppCopy) {
    return { generation: object.metadata.generation, now: deps.now() };
  }

  /** `signal`: the work queue's, aborted once shutdown's drain deadline has passed. */
  return async function reconcile(key: string, signal?: AbortSignal): Promise<Outcome> {
    const { namespace, name } = parseKey(key);
    const log = deps.logger.child({ appcopy: key });
    // 1. Load, fresh.
    const object = await store.get(namespace, name);
    if (!object) return done;

    // 2. Decide.
    const parsed = appCopySpecSchema.safeParse(object.spec);
    const spec = parsed.success ? parsed.data : undefined;
    const step = nextStep(object, spec?.deletionPolicy, following);
    log.debug({ step, phase: object.status?.phase }, 'reconcile');

    // 3. Act, unless the process is past its shutdown deadline: then start nothing new.
    if (signal?.aborted) return done;
    switch (step) {
      case 'ignore':
        return done;
      case 'finalize':
        return deps.stages?.finalize ? deps.stages.finalize(object, spec, log) : done;
      default:
        break;
    }
    if (!spec) {
      // Only reachable when the CRD in the cluster is older than this operator or was edited.
      const message = parsed.success ? 'invalid spec' : describeSpecError(parsed.error);
      if (object.status?.phase !== 'Copying') {
        await reporter.report(object, {
          status: failedStatus(object.status ?? {}, Reason.InvalidSpec, message, ctx(object)),
        });
      }
      return stalled(message);
    }
    switch (step) {
      case 'sync-finalizer':
        await deps.stages?.syncFinalizer?.(object, spec);
        return requeueAfter(0);
      case 'done':
        await refreshObservedGeneration(object);
        return done;
      case 'follow':
        return deps.stages?.follow ? deps.stages.follow(object, spec, log) : done;
      case 'verify':
      case 'copy':
        return guarded(object, spec, step, log);
    }
  };

  /** Keeps observedGeneration current when only mutable fields (deletionPolicy, credentials) changed. */
  async function refreshObservedGeneration(object: AppCopy): Promise<void> {
    const status = object.status;
    if (!status || status.observedGeneration === object.metadata.generation) return;
    const generation = object.metadata.generation;
    await reporter.report(object, {
      status: {
        ...status,
        observedGeneration: generation,
        conditions: status.conditions?.map((c) => ({ ...c, observedGeneration: generation })),
      },
    });
  }

  /** Copy or verify holding the target app's lock (protocol step 5), with a token. */
  async function guarded(
    object: AppCopy,
    spec: AppCopySpec,
    step: 'copy' | 'verify',
    log: Logger,
  ): Promise<Outcome> {
    const result = await deps.targets.withTarget(targetKey(spec), objectKey(object.metadata), async () => {
      const token = await deps.credentials.resolve(object.metadata.namespace, spec.credentialsSecretRef);
      if (!token.ok) {
        const status =
          step === 'copy'
            ? pendingStatus(object.status ?? {}, token.reason, token.message, ctx(object))
            : verifyingStatus(
                object.status ?? {},
                token.reason,
                `cannot verify the copy: ${token.message}`,
                ctx(object),
              );
        await reporter.report(object, {
          status,
          event: { type: 'Warning', reason: token.reason, message: token.message, about: 'Ready' },
        });
        return retry(token.message);
      }
      return step === 'verify'
        ? protocol.verify(object, spec, token.token, log)
        : protocol.copy(object, spec, token.token, log);
    });
    if (!result.busy) return result.value;
    const status = object.status ?? {};
    if (status.phase !== 'Copying') {
      await reporter.report(object, {
        status: pendingStatus(
          status,
          Reason.WaitingForTarget,
          `waiting for another AppCopy copying into target app ${spec.target.appId}`,
          ctx(object),
        ),
      });
    }
    return requeueAfter(settings.targetBusyRecheckMs);
  }
}
