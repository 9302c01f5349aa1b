// The AppCopy reconciler: load -> decide -> act -> report, for one key at a time.
//
// The exactly-once protocol (docs/design.md) in code:
//  1. decide from a fresh GET, never from the informer cache;
//  2. write the intent (phase Copying, attempt record, the target's components before) with the
//     resourceVersion that was read: a stale reader or a second replica gets 409 and stops;
//  3. send the copy once, then write the outcome;
//  4. an unknown outcome is verified from the target app's components, never resent blindly;
//  5. copies into one target app are serialised (TargetGuard);
//  6. everything is validated (zod, pre-flight GET) before the call.
import type { Logger } from 'pino';
import {
  type AppCopy,
  type AppCopySpec,
  type AppCopyStatus,
  appCopySpecSchema,
  type CopyAttempt,
  describeSpecError,
  objectKey,
  parseKey,
  targetKey,
} from '../api/appcopy.ts';
import { Reason, type ReasonName } from '../api/conditions.ts';
import { ConflictError } from '../k8s/api-errors.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import type { RainbondClient } from '../rainbond/client.ts';
import {
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
  RainbondUnavailableError,
} from '../rainbond/errors.ts';
import type { AppRef, Component, CopyRequest } from '../rainbond/types.ts';
import { type Slots, SlotsClosedError } from '../runtime/slots.ts';
import { createOwnCopies, ownerOf } from './copy/own-copies.ts';
import { planCopy } from './copy/plan.ts';
import type { Recognition } from './copy/record.ts';
import type { TargetGuard } from './copy/target-guard.ts';
import { judgeCopy } from './copy/verdict.ts';
import type { CredentialsResolver } from './credentials.ts';
import { nextStep } from './next-step.ts';
import { RetryLaterError } from './retry-later.ts';
import {
  failedStatus,
  intentStatus,
  pendingStatus,
  sameStatus,
  succeededStatus,
  verifyingStatus,
} from './status.ts';

export type ReconcileResult = { requeueAfterMs?: number } | undefined;

/** A copy that was sent (intent stored, call made): how to record its outcome. */
interface SentCopy {
  /** The object as the intent write stored it. */
  stored: AppCopy;
  outcome: (status: AppCopyStatus, object: AppCopy) => AppCopyStatus;
  event: { type: 'Normal' | 'Warning'; reason: string; message: string };
  /** Set when the reconcile must come back later (outcome unknown, credentials, not sent). */
  retry?: string;
  /** The copies, when the console answered the copy with them. */
  created?: Component[];
}

export type CopyOutcome =
  | 'succeeded'
  | 'adopted'
  | 'rejected'
  | 'partial'
  | 'unknown'
  | 'not_sent'
  | 'unauthorized'
  | 'unavailable'
  | 'failed';

export interface CopySettings {
  /**
   * How long after a copy was sent an "absent" or "partial" verdict is trusted, unless the
   * console answered the call. A timed-out call (or one whose sender died) may still be running
   * inside the console; concluding "absent" too early would resend it. At least the copy timeout.
   */
  verifySettleMs: number;
  /** How long to wait before re-checking a target app that another AppCopy is copying into. */
  targetBusyRecheckMs: number;
}

export interface ReconcilerDeps {
  store: AppCopyStore;
  rainbond: RainbondClient;
  credentials: CredentialsResolver;
  events: EventRecorder;
  targets: TargetGuard;
  /**
   * Bounds the copy calls in flight (CONCURRENCY). Held from before the intent write until the
   * console answers; everything else in a reconcile runs outside it.
   */
  copySlots: Slots;
  settings: CopySettings;
  now: () => Date;
  newAttemptId: () => string;
  logger: Logger;
  onCopyOutcome?: (outcome: CopyOutcome) => void;
  /**
   * Failpoints at the steps of the protocol ('after-intent': intent stored, copy not sent;
   * 'after-copy': copy answered, outcome not stored). The crash tests make the process die
   * exactly there (main.ts wires APPCOPY_FAILPOINTS); in production it is absent.
   */
  failpoint?: (name: 'after-intent' | 'after-copy') => void;
  /** Optional later stages (following, deletion); absent ones are no-ops. */
  stages?: {
    follow?: (object: AppCopy, spec: AppCopySpec, log: Logger) => Promise<ReconcileResult>;
    finalize?: (object: AppCopy, spec: AppCopySpec | undefined, log: Logger) => Promise<ReconcileResult>;
    syncFinalizer?: (object: AppCopy, spec: AppCopySpec) => Promise<void>;
  };
}

export function createReconciler(deps: ReconcilerDeps) {
  const { store, rainbond, events, settings } = deps;
  const own = createOwnCopies({ rainbond, store, now: deps.now });
  const following = deps.stages?.follow !== undefined;

  /** One status write with the read resourceVersion, skipped when nothing changed. */
  async function writeStatus(object: AppCopy, status: AppCopyStatus): Promise<AppCopy> {
    if (sameStatus(object.status, status)) return object;
    return store.writeStatus(object, status);
  }

  function ctx(object: AppCopy) {
    return { generation: object.metadata.generation, now: deps.now() };
  }

  async function retryLater(object: AppCopy, status: AppCopyStatus, why: string): Promise<never> {
    await writeStatus(object, status);
    throw new RetryLaterError(why);
  }

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = parseKey(key);
    const log = deps.logger.child({ appcopy: key });
    const object = await store.get(namespace, name);
    if (!object) return undefined;

    const parsed = appCopySpecSchema.safeParse(object.spec);
    const spec = parsed.success ? parsed.data : undefined;
    const step = nextStep(object, spec?.deletionPolicy, following);
    log.debug({ step, phase: object.status?.phase }, 'reconcile');

    switch (step) {
      case 'ignore':
        return undefined;
      case 'finalize':
        return deps.stages?.finalize ? deps.stages.finalize(object, spec, log) : undefined;
      default:
        break;
    }

    if (!spec) {
      // Only reachable when the CRD in the cluster is older than this operator or was edited.
      const message = parsed.success ? 'invalid spec' : describeSpecError(parsed.error);
      if (object.status?.phase !== 'Copying') {
        await writeStatus(
          object,
          failedStatus(object.status ?? {}, Reason.InvalidSpec, message, ctx(object)),
        );
      }
      return undefined;
    }

    switch (step) {
      case 'sync-finalizer':
        await deps.stages?.syncFinalizer?.(object, spec);
        return { requeueAfterMs: 0 };
      case 'done':
        await refreshObservedGeneration(object);
        return undefined;
      case 'follow':
        return deps.stages?.follow ? deps.stages.follow(object, spec, log) : undefined;
      case 'verify':
      case 'copy':
        return guarded(object, spec, step, log);
    }
  };

  /** Keeps observedGeneration current when only mutable fields (deletionPolicy, credentials) changed. */
  async function refreshObservedGeneration(object: AppCopy): Promise<void> {
    const status = object.status;
    if (!status || status.observedGeneration === object.metadata.generation) return;
    await writeStatus(object, {
      ...status,
      observedGeneration: object.metadata.generation,
      conditions: status.conditions?.map((c) => ({ ...c, observedGeneration: object.metadata.generation })),
    });
  }

  async function guarded(object: AppCopy, spec: AppCopySpec, step: 'copy' | 'verify', log: Logger) {
    const key = objectKey(object.metadata);
    const result = await deps.targets.withTarget(targetKey(spec), key, async () => {
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
        await announce(object, status, 'Warning', token.reason, token.message);
        return retryLater(object, status, token.message);
      }
      return step === 'verify'
        ? verify(object, spec, token.token, log)
        : copy(object, spec, token.token, log);
    });
    if (result.busy) {
      const status = object.status ?? {};
      if (status.phase !== 'Copying') {
        await writeStatus(
          object,
          pendingStatus(
            status,
            Reason.WaitingForTarget,
            `waiting for another AppCopy copying into target app ${spec.target.appId}`,
            ctx(object),
          ),
        );
      }
      return { requeueAfterMs: settings.targetBusyRecheckMs };
    }
    return result.value;
  }

  /** Emits an Event only when the Ready reason changes (not on every retry). */
  async function announce(
    object: AppCopy,
    next: AppCopyStatus,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) {
    const before = object.status?.conditions?.find((c) => c.type === 'Ready');
    const after = next.conditions?.find((c) => c.type === 'Ready');
    if (before?.reason === after?.reason && before?.message === after?.message) return;
    await events.record(object, type, reason, message);
  }

  function sourceRef(spec: AppCopySpec): AppRef {
    return { teamId: spec.source.teamId, regionName: spec.source.regionName, appId: spec.source.appId };
  }
  function targetRef(spec: AppCopySpec): AppRef {
    return { teamId: spec.target.teamName, regionName: spec.target.regionName, appId: spec.target.appId };
  }

  /**
   * A console failure on a read (pre-flight, target listing). Definite rejections are final for
   * this generation; the rest waits with backoff. Never called after the copy was sent.
   */
  async function readFailed(
    object: AppCopy,
    spec: AppCopySpec,
    error: unknown,
    what: 'source' | 'target',
  ): Promise<never> {
    const status = object.status ?? {};
    if (what === 'source' && isConsoleValidationFailure(error)) {
      // The console could not serialize the source app's components: its limit, not our spec.
      const message = `the console cannot describe source app ${spec.source.appId} for the copy: ${error.message}. A component of the source app has a field longer than the console's serializer allows (the field is named above); this is the console failing to describe the app, not a wrong spec.source. Shorten that field of the source component in Rainbond, then change the spec (or delete and re-apply the AppCopy) to retry`;
      const next = failedStatus(status, Reason.PreflightFailed, message, ctx(object));
      await announce(object, next, 'Warning', Reason.PreflightFailed, message);
      await writeStatus(object, next);
      throw new StopError();
    }
    if (error instanceof RainbondRejectedError) {
      const reason = what === 'source' ? Reason.SourceNotFound : Reason.TargetNotFound;
      const message = `${error.message}; fix spec.${what} (changing the spec retries)`;
      const next = failedStatus(status, reason, message, ctx(object));
      await announce(object, next, 'Warning', reason, message);
      await writeStatus(object, next);
      throw new StopError();
    }
    const [reason, message] = consoleTrouble(error);
    const next = pendingStatus(status, reason, message, ctx(object));
    await announce(object, next, 'Warning', reason, message);
    return retryLater(object, next, message);
  }

  async function copy(
    object: AppCopy,
    spec: AppCopySpec,
    token: string,
    log: Logger,
  ): Promise<ReconcileResult> {
    try {
      return await copyUnguarded(object, spec, token, log);
    } catch (error) {
      if (error instanceof StopError) return undefined;
      throw error;
    }
  }

  async function copyUnguarded(
    object: AppCopy,
    spec: AppCopySpec,
    token: string,
    log: Logger,
  ): Promise<ReconcileResult> {
    // The pre-flight and the target listing are independent reads, both before the intent:
    // side by side, a copy waits for the slower of the two instead of their sum. Their
    // failures are judged in the same order as if they ran one after the other.
    const [source, target] = await Promise.allSettled([
      rainbond.listCopyableComponents(token, sourceRef(spec)),
      rainbond.listComponents(token, targetRef(spec)),
    ]);
    if (source.status === 'rejected') return readFailed(object, spec, source.reason, 'source');
    const plan = planCopy(spec, source.value);
    if (!plan.ok) {
      const next = failedStatus(object.status ?? {}, Reason.PreflightFailed, plan.message, ctx(object));
      await announce(object, next, 'Warning', Reason.PreflightFailed, plan.message);
      await writeStatus(object, next);
      return undefined;
    }
    if (target.status === 'rejected') return readFailed(object, spec, target.reason, 'target');
    const before = target.value;

    // A copy made for this AppCopy may already be there, its status lost (a restore, a cluster
    // rebuilt from Git): adopt it rather than copy again (copy-record.ts).
    let recognition: Recognition;
    try {
      recognition = await own.recognise(object, spec, token, plan.expectedCopies, before);
    } catch (error) {
      const [reason, detail] = consoleTrouble(error);
      const message = `cannot tell whether the target app already holds this AppCopy's copies, so nothing is copied yet: ${detail}`;
      const next = pendingStatus(object.status ?? {}, reason, message, ctx(object));
      await announce(object, next, 'Warning', reason, message);
      return retryLater(object, next, message);
    }
    if (recognition.kind !== 'none') {
      return adoptExisting(object, spec, token, plan.expectedCopies, before, recognition, log);
    }

    // A copy slot bounds the copy calls in flight (CONCURRENCY): it is taken before the intent,
    // so that an intent is never left waiting for a slot (a crash there would leave a copy that
    // was never sent looking as if it might have been), and freed as soon as the console has
    // answered: the outcome write and the Event need no slot, and the next copy goes out meanwhile.
    let release: () => void;
    try {
      release = await deps.copySlots.acquire();
    } catch (error) {
      if (error instanceof SlotsClosedError) return undefined; // shutting down: nothing written, nothing sent
      throw error;
    }
    // Built once the slot is held: startedAt is when the copy goes out, and the settle period
    // that makes an "absent" verdict trustworthy counts from it.
    const previous = object.status?.attempt;
    const sameGeneration = previous !== undefined && previous.generation === object.metadata.generation;
    const attempt: CopyAttempt = {
      id: deps.newAttemptId(),
      number: sameGeneration ? previous.number + 1 : 1,
      ...(sameGeneration && previous.rolledBackCalls ? { rolledBackCalls: previous.rolledBackCalls } : {}),
      generation: object.metadata.generation,
      startedAt: deps.now().toISOString(),
      preexistingServiceIds: before.map((c) => c.serviceId),
      expectedCopies: plan.expectedCopies,
    };
    let sent: SentCopy | 'conflict';
    try {
      sent = await writeIntentAndSend(object, spec, token, plan.request, attempt, log);
    } finally {
      release();
    }
    if (sent === 'conflict') return { requeueAfterMs: 0 };
    const { stored, outcome, event, retry, created } = sent;
    deps.failpoint?.('after-copy');
    // The markers go before the outcome: once the outcome is stored, a loss of status is
    // survived only through them (a crash before the outcome is verified from the intent).
    const owner = ownerOf(object, spec);
    const marked = created ? await own.mark(owner, attempt.id, token, targetRef(spec), created, log) : true;
    const written = await writeOutcome(stored, attempt.id, outcome, log);
    // Not awaited, like CopyStarted: the Event adds nothing to the outcome already stored, and
    // the worker and the target's lock go to the next copy meanwhile (events.flush() at shutdown).
    if (written) void events.record(written, event.type, event.reason, event.message);
    if (written && created) {
      if (!marked) void events.record(written, 'Warning', 'CopiesNotMarked', NOT_MARKED_MESSAGE);
      await own.mirror(
        written,
        owner,
        attempt.id,
        created.map((c) => c.serviceId),
        log,
      );
    }
    log.info({ attempt: attempt.id, outcome: event.reason }, 'copy outcome recorded');
    if (retry) throw new RetryLaterError(retry);
    return undefined;
  }

  /**
   * The target app holds copies made for this AppCopy (same namespace, name and request) that
   * its status does not show: adopt them (AdoptedExisting), or, when only some are there, stop
   * for a person to decide (PartialCopy). Nothing is sent to the copy endpoint.
   */
  async function adoptExisting(
    object: AppCopy,
    spec: AppCopySpec,
    token: string,
    expectedCopies: string[],
    target: Component[],
    recognition: Exclude<Recognition, { kind: 'none' }>,
    log: Logger,
  ): Promise<ReconcileResult> {
    try {
      return await recordExisting(object, spec, token, expectedCopies, target, recognition, log);
    } catch (error) {
      // Read from a stale copy (or changed meanwhile): the fresh object decides, nothing was sent.
      if (!(error instanceof ConflictError)) throw error;
      log.info('existing copies not recorded: the object changed since it was read; re-reading');
      return { requeueAfterMs: 0 };
    }
  }

  async function recordExisting(
    object: AppCopy,
    spec: AppCopySpec,
    token: string,
    expectedCopies: string[],
    target: Component[],
    recognition: Exclude<Recognition, { kind: 'none' }>,
    log: Logger,
  ): Promise<ReconcileResult> {
    const status = object.status ?? {};
    if (recognition.kind === 'partial') {
      deps.onCopyOutcome?.('partial');
      const message = `the target app holds copies made earlier for this AppCopy, but not all of them: ${names(recognition.components)} exist; missing: ${recognition.missing.join(', ')}. Remove or keep them in Rainbond, then change the spec to retry (or copy again under a new AppCopy name)`;
      const next = failedStatus(status, Reason.PartialCopy, message, ctx(object), recognition.components);
      const written = await writeStatus(object, next);
      await events.record(written, 'Warning', Reason.PartialCopy, message);
      return undefined;
    }
    const owner = ownerOf(object, spec);
    const marked =
      recognition.unmarked.length === 0 ||
      (await own.mark(owner, recognition.attemptId, token, targetRef(spec), recognition.unmarked, log));
    const ours = new Set(recognition.components.map((c) => c.serviceId));
    const attempt: CopyAttempt = {
      id: recognition.attemptId,
      // No copy call was sent for this object: the copies were found.
      number: 0,
      generation: object.metadata.generation,
      startedAt: deps.now().toISOString(),
      callEnded: true,
      preexistingServiceIds: target.filter((c) => !ours.has(c.serviceId)).map((c) => c.serviceId),
      expectedCopies,
    };
    deps.onCopyOutcome?.('adopted');
    log.info({ attempt: attempt.id, components: ours.size }, 'adopted copies made earlier for this AppCopy');
    const next = succeededStatus(
      { ...status, attempt },
      recognition.components,
      Reason.AdoptedExisting,
      ctx(object),
      following,
    );
    const written = await writeStatus(object, next);
    await events.record(
      written,
      'Normal',
      Reason.AdoptedExisting,
      next.conditions?.find((c) => c.type === 'Ready')?.message ?? '',
    );
    if (!marked) await events.record(written, 'Warning', 'CopiesNotMarked', NOT_MARKED_MESSAGE);
    await own.mirror(written, owner, attempt.id, [...ours], log);
    return undefined;
  }

  /**
   * Steps 2 and 3 of the protocol, inside a copy slot: the intent (the lock), then the one call.
   * Returns how to record the outcome, or 'conflict' when the intent was not written (someone
   * else changed the object since it was read): then nothing was sent.
   */
  async function writeIntentAndSend(
    object: AppCopy,
    spec: AppCopySpec,
    token: string,
    request: CopyRequest,
    attempt: CopyAttempt,
    log: Logger,
  ): Promise<SentCopy | 'conflict'> {
    // The intent is the lock: if this write conflicts, someone else may be copying. Do not call.
    const intent = intentStatus(
      { ...(object.status ?? {}), services: [], copiedCount: 0 },
      attempt,
      ctx(object),
    );
    let stored: AppCopy;
    try {
      stored = await store.writeStatus(object, intent);
    } catch (error) {
      if (error instanceof ConflictError) {
        log.info('intent not written: the object changed since it was read; re-reading before any copy');
        return 'conflict';
      }
      throw error;
    }
    log.info(
      { attempt: attempt.id, number: attempt.number, components: attempt.expectedCopies.length },
      'copy sent',
    );
    void events.record(
      stored,
      'Normal',
      'CopyStarted',
      `copying ${attempt.expectedCopies.length} component(s) into target app ${spec.target.appId}`,
    );

    deps.failpoint?.('after-intent');
    try {
      const answered = await rainbond.copyApp(token, sourceRef(spec), request);
      deps.onCopyOutcome?.('succeeded');
      const created =
        answered.length < attempt.expectedCopies.length
          ? await withLeftOutCopies(token, spec, attempt, answered, log)
          : answered;
      if (created === undefined) {
        const message = `the copy answered with ${answered.length} of ${attempt.expectedCopies.length} components (the console leaves third-party components out of its answer) and the target app could not be listed to find the rest; verifying from the target app`;
        return {
          stored,
          outcome: (s, o) =>
            verifyingStatus(
              { ...s, attempt: s.attempt && { ...s.attempt, callEnded: true } },
              Reason.VerifyingCopy,
              message,
              ctx(o),
            ),
          event: { type: 'Warning', reason: Reason.VerifyingCopy, message },
          retry: message,
        };
      }
      return {
        stored,
        created,
        outcome: (s, o) => succeededStatus(s, created, Reason.Copied, ctx(o), following),
        event: {
          type: 'Normal',
          reason: 'Copied',
          message: `copied ${created.length} component(s): ${names(created)}`,
        },
      };
    } catch (error) {
      if (error instanceof RainbondRejectedError) {
        deps.onCopyOutcome?.('rejected');
        const message = `${error.message}; nothing was copied (changing the spec retries)`;
        return {
          stored,
          outcome: (s, o) => failedStatus(s, Reason.CopyRejected, message, ctx(o)),
          event: { type: 'Warning', reason: Reason.CopyRejected, message },
        };
      }
      if (
        error instanceof RainbondUnauthorizedError ||
        error instanceof RainbondNotSentError ||
        error instanceof RainbondUnavailableError
      ) {
        // Refused before any work, never delivered, or answered "not now" from inside the
        // copy's transaction (rolled back): nothing of it exists, a later copy is safe.
        deps.onCopyOutcome?.(
          error instanceof RainbondUnauthorizedError
            ? 'unauthorized'
            : error instanceof RainbondNotSentError
              ? 'not_sent'
              : 'unavailable',
        );
        const [reason, message] = consoleTrouble(error);
        return {
          stored,
          outcome: (s, o) => pendingStatus(s, reason, message, ctx(o)),
          event: { type: 'Warning', reason, message },
          retry: message,
        };
      }
      // Sent, and it may have taken effect: stay Copying and verify (never resend blindly).
      deps.onCopyOutcome?.('unknown');
      const cause =
        error instanceof RainbondOutcomeUnknownError ? error.message : 'unexpected error after sending';
      const message = `the copy's outcome is unknown (${cause}); verifying from the target app before anything else`;
      const callEnded = consoleFinished(error);
      const consoleError =
        callEnded && error instanceof RainbondOutcomeUnknownError ? error.cause : undefined;
      log.warn({ attempt: attempt.id, err: error }, 'copy outcome unknown');
      return {
        stored,
        outcome: (s, o) =>
          verifyingStatus(
            {
              ...s,
              attempt: s.attempt && {
                ...s.attempt,
                callEnded,
                ...(consoleError === undefined ? {} : { consoleError }),
              },
            },
            Reason.VerifyingCopy,
            message,
            ctx(o),
          ),
        event: { type: 'Warning', reason: Reason.VerifyingCopy, message },
        retry: message,
      };
    }
  }

  /**
   * Writes the outcome of `attemptId`. A conflict here means only that the object changed (an
   * annotation, say); the outcome is still ours to record, as long as the stored status still
   * shows this attempt in flight. If the process dies before this lands, verification finds it.
   */
  async function writeOutcome(
    stored: AppCopy,
    attemptId: string,
    outcome: (status: AppCopyStatus, o: AppCopy) => AppCopyStatus,
    log: Logger,
  ): Promise<AppCopy | undefined> {
    let current: AppCopy | undefined = stored;
    for (let tries = 0; tries < 5 && current; tries++) {
      if (current.status?.phase !== 'Copying' || current.status.attempt?.id !== attemptId) break;
      try {
        return await store.writeStatus(current, outcome(current.status, current));
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        current = await store.get(stored.metadata.namespace, stored.metadata.name);
      }
    }
    log.warn(
      { attempt: attemptId },
      'outcome not recorded: the attempt is no longer the one in status; it will be verified',
    );
    return undefined;
  }

  /**
   * The copy's answer lacks some expected copies: the console creates third-party components but
   * leaves them out of its answer (goodrain/rainbond-console:console/services/groupcopy_service.py@ae3f1618,
   * build_services, and console/services/groupapp_recovery/groupapps_migrate.py). They are
   * recognised in the target app like any copy (new id, expected name). Undefined when the
   * target app cannot be listed; the caller then verifies later.
   */
  async function withLeftOutCopies(
    token: string,
    spec: AppCopySpec,
    attempt: CopyAttempt,
    answered: Component[],
    log: Logger,
  ): Promise<Component[] | undefined> {
    let listed: Component[];
    try {
      listed = await rainbond.listComponents(token, targetRef(spec));
    } catch (error) {
      log.info(
        { attempt: attempt.id, err: error },
        'cannot list the target app for the copies the answer left out',
      );
      return undefined;
    }
    const verdict = judgeCopy(attempt, listed);
    const recognised = verdict.kind === 'absent' ? [] : verdict.components;
    const answeredIds = new Set(answered.map((c) => c.serviceId));
    const leftOut = recognised.filter((c) => !answeredIds.has(c.serviceId));
    if (verdict.kind !== 'complete') {
      log.warn(
        { attempt: attempt.id, answered: answered.length, expected: attempt.expectedCopies.length },
        'the copy succeeded but not every expected copy is in the target app',
      );
    }
    return [...answered, ...leftOut];
  }

  /**
   * The console answered the copy with an error and the target app holds nothing of it: its
   * transaction rolled back. Sent again after a backoff, up to MAX_ROLLED_BACK_CALLS answered
   * calls per generation; a failure that recurs that often (a 500 the console raises every
   * time) ends Failed with the console's words instead of resending for ever.
   */
  async function rolledBack(object: AppCopy, attempt: CopyAttempt, log: Logger): Promise<ReconcileResult> {
    const status = object.status ?? {};
    const calls = (attempt.rolledBackCalls ?? 0) + 1;
    const said = attempt.consoleError ?? 'an answer it could not complete';
    const counted: CopyAttempt = { ...attempt, rolledBackCalls: calls };
    if (calls >= MAX_ROLLED_BACK_CALLS) {
      deps.onCopyOutcome?.('failed');
      const message = `the console failed the copy ${calls} times in a row, each time leaving nothing in the target app (verified): ${said}. A failure that recurs will recur: find the cause in the console's log, fix it in Rainbond, then change the spec (or delete and re-apply the AppCopy) to retry`;
      const next = failedStatus({ ...status, attempt: counted }, Reason.CopyFailed, message, ctx(object));
      const written = await writeStatus(object, next);
      await events.record(written, 'Warning', Reason.CopyFailed, message);
      return undefined;
    }
    log.info(
      { attempt: attempt.id, calls },
      'the console failed the copy and nothing of it exists; sending it again after a backoff',
    );
    const message = `the console failed the copy (${said}) and nothing of it exists in the target app (verified); sending it again after a backoff (${calls} of at most ${MAX_ROLLED_BACK_CALLS} failed calls)`;
    const next = pendingStatus(
      { ...status, attempt: counted },
      Reason.ConsoleUnavailable,
      message,
      ctx(object),
    );
    await announce(object, next, 'Warning', Reason.ConsoleUnavailable, message);
    return retryLater(object, next, message);
  }

  async function verify(
    object: AppCopy,
    spec: AppCopySpec,
    token: string,
    log: Logger,
  ): Promise<ReconcileResult> {
    const status = object.status ?? {};
    const attempt = status.attempt;
    if (!attempt) {
      // Copying without a record cannot come from this operator; treat as not started.
      return copy(object, spec, token, log);
    }
    let components: Component[];
    try {
      components = await rainbond.listComponents(token, targetRef(spec));
    } catch (error) {
      const [reason, detail] = consoleTrouble(error);
      const message = `cannot verify the copy yet: ${detail}`;
      const next = verifyingStatus(
        status,
        reason === Reason.Unauthorized ? reason : Reason.VerifyingCopy,
        message,
        ctx(object),
      );
      await announce(object, next, 'Warning', Reason.VerifyingCopy, message);
      return retryLater(object, next, message);
    }
    const verdict = judgeCopy(attempt, components);
    const settledAt = attempt.callEnded ? 0 : Date.parse(attempt.startedAt) + settings.verifySettleMs;
    const settled = deps.now().getTime() >= settledAt;
    log.info({ attempt: attempt.id, verdict: verdict.kind, settled }, 'copy verified');

    if (verdict.kind === 'complete') {
      deps.onCopyOutcome?.('adopted');
      const owner = ownerOf(object, spec);
      const marked = await own.mark(owner, attempt.id, token, targetRef(spec), verdict.components, log);
      const next = succeededStatus(status, verdict.components, Reason.Adopted, ctx(object), following);
      const written = await writeStatus(object, next);
      await events.record(
        written,
        'Normal',
        Reason.Adopted,
        next.conditions?.find((c) => c.type === 'Ready')?.message ?? '',
      );
      if (!marked) await events.record(written, 'Warning', 'CopiesNotMarked', NOT_MARKED_MESSAGE);
      await own.mirror(
        written,
        owner,
        attempt.id,
        verdict.components.map((c) => c.serviceId),
        log,
      );
      return undefined;
    }
    if (!settled) {
      const message =
        verdict.kind === 'absent'
          ? 'no copy found in the target app yet; waiting until the earlier call cannot still be running before sending again'
          : `found ${verdict.components.length} of ${attempt.expectedCopies.length} copies so far; waiting for the earlier call to finish`;
      await writeStatus(object, verifyingStatus(status, Reason.VerifyingCopy, message, ctx(object)));
      return { requeueAfterMs: Math.max(settledAt - deps.now().getTime(), 0) + 100 };
    }
    if (verdict.kind === 'absent' && attempt.callEnded) {
      return rolledBack(object, attempt, log);
    }
    if (verdict.kind === 'absent') {
      log.info({ attempt: attempt.id }, 'the earlier copy had no effect; sending it again');
      return copy(object, spec, token, log);
    }
    deps.onCopyOutcome?.('partial');
    const message = `the copy was only partly done: ${verdict.components.length} of ${attempt.expectedCopies.length} components exist (${names(verdict.components)}); missing: ${verdict.missing.join(', ')}. Remove or keep them in Rainbond, then change the spec to retry`;
    const next = failedStatus(status, Reason.PartialCopy, message, ctx(object), verdict.components);
    const written = await writeStatus(object, next);
    await events.record(written, 'Warning', Reason.PartialCopy, message);
    return undefined;
  }
}

/**
 * Whether the console itself answered a call whose outcome is unknown, so that it is no longer
 * working on it: a 500 (the view raised) or a 2xx we could not read. A 502/503/504 may come from
 * a proxy in front of a console that is still copying, and a timeout or reset says nothing.
 */
export function consoleFinished(error: unknown): boolean {
  if (!(error instanceof RainbondOutcomeUnknownError) || error.httpStatus === undefined) return false;
  return error.httpStatus === 500 || (error.httpStatus >= 200 && error.httpStatus < 300);
}

/**
 * How many answered copy calls of one generation may fail with nothing left of them before the
 * AppCopy ends Failed (CopyFailed). Three: a transient fault rarely strikes three calls spaced by
 * the work queue's backoff, and a deterministic one is not worth more.
 */
export const MAX_ROLLED_BACK_CALLS = 3;

/** The pre-flight's 400 from the console's serializer (code 20400): a source field it cannot emit. */
function isConsoleValidationFailure(error: unknown): error is RainbondRejectedError {
  return error instanceof RainbondRejectedError && error.httpStatus === 400 && error.businessCode === 20400;
}

const NOT_MARKED_MESSAGE =
  'the copies could not all be marked in Rainbond (see the operator log); they are recorded in this status and its annotation, but a loss of both would copy again';

/** Internal: the reconcile recorded a final state and stops without retrying. */
class StopError extends Error {}

function names(components: readonly Component[]): string {
  return components.map((c) => c.serviceCname).join(', ');
}

/** A console failure that is not a definite rejection: what to tell the user, and the reason. */
function consoleTrouble(error: unknown): [ReasonName, string] {
  if (error instanceof RainbondUnauthorizedError) {
    return [
      Reason.Unauthorized,
      error.permission
        ? `${error.message}; give the token's user a team role with that permission in Rainbond`
        : `${error.message}; check the token in the credentials Secret (or the operator's default token) and that its user is a member of the target team`,
    ];
  }
  if (error instanceof RainbondUnavailableError) {
    return [Reason.ConsoleUnavailable, `${error.message}; retrying with backoff`];
  }
  if (error instanceof RainbondNotSentError || error instanceof RainbondOutcomeUnknownError) {
    return [Reason.ConsoleUnavailable, `${error.message}; retrying with backoff`];
  }
  if (error instanceof RainbondRejectedError) return [Reason.ConsoleUnavailable, error.message];
  return [
    Reason.ConsoleUnavailable,
    `unexpected error talking to the console: ${String((error as Error)?.message ?? error)}`,
  ];
}
