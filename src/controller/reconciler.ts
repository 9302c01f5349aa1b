// The AppCopy reconciler: load -> decide -> act -> report, for one key at a time. It reads the
// object fresh (never the informer cache), decides the step (next-step.ts, pure) and hands it
// to the copy protocol (copy/), following (follow.ts) or deletion (finalize.ts). Every path
// ends in an Outcome (outcome.ts); statuses are written through report.ts.

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
import type { ConsoleAccess, ConsoleAccessor, ConsoleSession } from './console-access.ts';
import { type CopyOutcome, createCopyProtocol } from './copy/protocol.ts';
import type { TargetGuard } from './copy/target-guard.ts';
import { nextStep } from './next-step.ts';
import { done, type Outcome, requeueAfter, retry, stalled } from './outcome.ts';
import { createReporter, type Reporter } from './report.ts';
import { failedStatus, pendingStatus, refusedStatus, verifyingStatus } from './status.ts';

export interface ReconcilerSettings {
  /** How long to wait before re-checking a target app that another AppCopy is copying into. */
  targetBusyRecheckMs: number;
  /** How soon to look again at an AppCopy whose console has not been checked yet. */
  consoleUncheckedRecheckMs: number;
}

export interface ReconcilerDeps {
  store: AppCopyStore;
  /** Which console each AppCopy talks to, under which rules, with which token. */
  consoles: ConsoleAccessor;
  events: EventRecorder;
  targets: TargetGuard;
  settings: ReconcilerSettings;
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
    /** `session`: undefined when the copies' console cannot be asked now (`why`). */
    follow?: (
      object: AppCopy,
      spec: AppCopySpec,
      session: ConsoleSession | undefined,
      log: Logger,
    ) => Promise<Outcome>;
    finalize?: (
      object: AppCopy,
      spec: AppCopySpec | undefined,
      access: ConsoleAccess | undefined,
      log: Logger,
    ) => Promise<Outcome>;
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
      case 'finalize': {
        if (!deps.stages?.finalize) return done;
        const access = spec ? await deps.consoles.forExistingCopy(object, spec) : undefined;
        return deps.stages.finalize(object, spec, access, log);
      }
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
      case 'follow': {
        if (!deps.stages?.follow) return done;
        const access = await deps.consoles.forExistingCopy(object, spec);
        if (!access.ok)
          log.info({ reason: access.reason, why: access.message }, 'cannot follow the copies now');
        return deps.stages.follow(object, spec, access.ok ? access.session : undefined, log);
      }
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

  /**
   * Copy or verify through the AppCopy's console, holding the target app's lock (protocol step
   * 5). The console, its rules and the token are settled first: a refused or unready console
   * makes no console call.
   */
  async function guarded(
    object: AppCopy,
    spec: AppCopySpec,
    step: 'copy' | 'verify',
    log: Logger,
  ): Promise<Outcome> {
    const access =
      step === 'copy'
        ? await deps.consoles.forNewCopy(object, spec)
        : await deps.consoles.forExistingCopy(object, spec);
    if (!access.ok) return noConsole(object, step, access, log);
    const { session } = access;
    const target = targetKey(session.console.url, spec.target);
    const result = await deps.targets.withTarget(target, objectKey(object.metadata), () =>
      step === 'verify'
        ? protocol.verify(object, spec, session, log)
        : protocol.copy(object, spec, session, log),
    );
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

  /** The AppCopy's console cannot be used now: say why (unless it is only unchecked yet). */
  async function noConsole(
    object: AppCopy,
    step: 'copy' | 'verify',
    access: Extract<ConsoleAccess, { ok: false }>,
    log: Logger,
  ): Promise<Outcome> {
    if (access.quiet) {
      log.debug({ why: access.message }, 'waiting for the console to be checked');
      return requeueAfter(settings.consoleUncheckedRecheckMs);
    }
    const status = object.status ?? {};
    if (access.refused) {
      await reporter.report(object, {
        status: refusedStatus(status, access.message, ctx(object)),
        event: { type: 'Warning', reason: access.reason, message: access.message, about: 'Ready' },
      });
      // Final until the console's rules, the spec or the namespace change: each of those
      // queues this AppCopy again (operator.ts wires the console and namespace watches).
      return stalled(access.message);
    }
    const next =
      step === 'copy'
        ? pendingStatus(status, access.reason, access.message, ctx(object))
        : verifyingStatus(status, access.reason, `cannot verify the copy: ${access.message}`, ctx(object));
    await reporter.report(object, {
      status: next,
      event: { type: 'Warning', reason: access.reason, message: access.message, about: 'Ready' },
    });
    return retry(access.message);
  }
}
