// The exactly-once protocol (README.md beside this file walks it):
//  1. decide from a fresh GET (the reconciler read it), never from the informer cache;
//  2. write the intent (phase Copying, the attempt record) with the resourceVersion that was
//     read: a stale reader or a second replica gets 409 and sends nothing;
//  3. send the copy once, mark the copies, then write the outcome;
//  4. an unknown outcome is verified from the target app, never resent blindly;
//  5. copies into one target app are serialised (the caller holds the target's lock);
//  6. everything is validated (zod, the pre-flight) before the call.
// Both steps run holding the target's lock and with a token; they return an Outcome.

import { ConflictError, type Slots, SlotsClosedError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import type { AppCopy, AppCopySpec, AppCopyStatus, CopyAttempt } from '../../api/appcopy.ts';
import { Reason, type ReasonName } from '../../api/conditions.ts';
import type { AppCopyStore } from '../../k8s/appcopy-store.ts';
import type { EventRecorder } from '../../k8s/event-recorder.ts';
import type { RainbondClient } from '../../rainbond/client.ts';
import {
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
  RainbondUnavailableError,
} from '../../rainbond/errors.ts';
import type { Component, CopyRequest } from '../../rainbond/types.ts';
import { sourceApp, targetApp } from '../apps.ts';
import { conflict, done, type Outcome, requeueAfter, retry, stalled } from '../outcome.ts';
import type { Next, Reporter } from '../report.ts';
import { failedStatus, intentStatus, pendingStatus, succeededStatus, verifyingStatus } from '../status.ts';
import { nextAttempt, settlesAt } from './attempt.ts';
import { createOwnCopies, ownerOf } from './own-copies.ts';
import { planCopy } from './plan.ts';
import type { CopyOwner, Recognition } from './record.ts';
import { judgeCopy } from './verdict.ts';

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

/**
 * How many answered copy calls of one generation may fail with nothing left of them before the
 * AppCopy ends Failed (CopyFailed). Three: a transient fault rarely strikes three calls spaced by
 * the work queue's backoff, and a deterministic one is not worth more.
 */
export const MAX_ROLLED_BACK_CALLS = 3;

export interface CopyProtocolDeps {
  store: AppCopyStore;
  rainbond: RainbondClient;
  reporter: Reporter;
  events: EventRecorder;
  /**
   * Bounds the copy calls in flight (CONCURRENCY). Held from before the intent write until the
   * console answers; everything else runs outside it.
   */
  copySlots: Slots;
  settings: CopySettings;
  now: () => Date;
  newAttemptId: () => string;
  /** Whether copies are followed after the copy (their statuses start as ComponentsStarting). */
  following: boolean;
  onCopyOutcome?: (outcome: CopyOutcome) => void;
  /**
   * Failpoints at the steps of the protocol ('after-intent': intent stored, copy not sent;
   * 'after-copy': copy answered, nothing of it stored or marked). The crash tests make the
   * process die exactly there (main.ts wires APPCOPY_FAILPOINTS); in production it is absent.
   */
  failpoint?: (name: 'after-intent' | 'after-copy') => void;
}

/** A copy that was sent (intent stored, call made): how to record its outcome. */
interface SentCopy {
  /** The object as the intent write stored it. */
  stored: AppCopy;
  outcome: (object: AppCopy) => Next;
  /** Set when the reconcile must come back later (outcome unknown, credentials, not sent). */
  retry?: string;
  /** Set when the outcome is final until the spec changes (the console rejected the copy). */
  stalled?: string;
  /** The copies, when the console answered the copy with them. */
  created?: Component[];
}

const NOT_MARKED_MESSAGE =
  'the copies could not all be marked in Rainbond (see the operator log); they are recorded in this status and its annotation, but a loss of both would copy again';

export function createCopyProtocol(deps: CopyProtocolDeps) {
  const { rainbond, reporter, events, settings, following } = deps;
  const own = createOwnCopies({ rainbond, store: deps.store, now: deps.now });

  function ctx(object: AppCopy) {
    return { generation: object.metadata.generation, now: deps.now() };
  }

  /**
   * After an outcome that names the copies is stored: a Warning if their markers could not all
   * be written (an Event without a status of its own: the markers are not in status), then the
   * annotation that mirrors the record.
   */
  async function recorded(
    written: AppCopy,
    owner: CopyOwner,
    attemptId: string,
    copies: readonly Component[],
    marked: boolean,
    log: Logger,
  ): Promise<void> {
    if (!marked) void events.record(written, 'Warning', 'CopiesNotMarked', NOT_MARKED_MESSAGE);
    await own.mirror(
      written,
      owner,
      attemptId,
      copies.map((c) => c.serviceId),
      log,
    );
  }

  /** Records `status` with an Event about Ready, and asks to come back with backoff. */
  async function waitFor(object: AppCopy, status: AppCopyStatus, reason: ReasonName, message: string) {
    await reporter.report(object, {
      status,
      event: { type: 'Warning', reason, message, about: 'Ready' },
    });
    return retry(message);
  }

  /** Records a final failure of this generation, announced by an Event. */
  async function fail(object: AppCopy, status: AppCopyStatus, reason: ReasonName, message: string) {
    await reporter.report(object, { status, event: { type: 'Warning', reason, message, about: 'Ready' } });
    return stalled(message);
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
  ): Promise<Outcome> {
    const status = object.status ?? {};
    if (what === 'source' && isConsoleValidationFailure(error)) {
      // The console could not serialize the source app's components: its limit, not our spec.
      const message = `the console cannot describe source app ${spec.source.appId} for the copy: ${error.message}. A component of the source app has a field longer than the console's serializer allows (the field is named above); this is the console failing to describe the app, not a wrong spec.source. Shorten that field of the source component in Rainbond, then change the spec (or delete and re-apply the AppCopy) to retry`;
      return fail(
        object,
        failedStatus(status, Reason.PreflightFailed, message, ctx(object)),
        Reason.PreflightFailed,
        message,
      );
    }
    if (error instanceof RainbondRejectedError) {
      const reason = what === 'source' ? Reason.SourceNotFound : Reason.TargetNotFound;
      const message = `${error.message}; fix spec.${what} (changing the spec retries)`;
      return fail(object, failedStatus(status, reason, message, ctx(object)), reason, message);
    }
    const [reason, message] = consoleTrouble(error);
    return waitFor(object, pendingStatus(status, reason, message, ctx(object)), reason, message);
  }

  /** Steps 6, 2, 3: validate, then intent, call, markers and outcome. */
  async function copy(object: AppCopy, spec: AppCopySpec, token: string, log: Logger): Promise<Outcome> {
    // The pre-flight and the target listing are independent reads, both before the intent:
    // side by side, a copy waits for the slower of the two instead of their sum. Their
    // failures are judged in the same order as if they ran one after the other.
    const [source, target] = await Promise.allSettled([
      rainbond.listCopyableComponents(token, sourceApp(spec)),
      rainbond.listComponents(token, targetApp(spec)),
    ]);
    if (source.status === 'rejected') return readFailed(object, spec, source.reason, 'source');
    const plan = planCopy(spec, source.value);
    if (!plan.ok) {
      const status = failedStatus(object.status ?? {}, Reason.PreflightFailed, plan.message, ctx(object));
      return fail(object, status, Reason.PreflightFailed, plan.message);
    }
    if (target.status === 'rejected') return readFailed(object, spec, target.reason, 'target');
    const before = target.value;

    // A copy made for this AppCopy may already be there, its status lost (a restore, a cluster
    // rebuilt from Git): adopt it rather than copy again (record.ts).
    let recognition: Recognition;
    try {
      recognition = await own.recognise(object, spec, token, plan.expectedCopies, before);
    } catch (error) {
      const [reason, detail] = consoleTrouble(error);
      const message = `cannot tell whether the target app already holds this AppCopy's copies, so nothing is copied yet: ${detail}`;
      return waitFor(
        object,
        pendingStatus(object.status ?? {}, reason, message, ctx(object)),
        reason,
        message,
      );
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
      if (error instanceof SlotsClosedError) return done; // shutting down: nothing written, nothing sent
      throw error;
    }
    // Built once the slot is held: startedAt is when the copy goes out, and the settle period
    // that makes an "absent" verdict trustworthy counts from it.
    const attempt = nextAttempt(object.status?.attempt, {
      id: deps.newAttemptId(),
      generation: object.metadata.generation,
      now: deps.now(),
      preexistingServiceIds: before.map((c) => c.serviceId),
      expectedCopies: plan.expectedCopies,
    });
    let sent: SentCopy | 'conflict';
    try {
      sent = await writeIntentAndSend(object, spec, token, plan.request, attempt, log);
    } finally {
      release();
    }
    if (sent === 'conflict') return conflict;
    deps.failpoint?.('after-copy');
    // The markers go before the outcome: once the outcome is stored, a loss of status is
    // survived only through them (a crash before the outcome is verified from the intent).
    const owner = ownerOf(object, spec);
    const marked = sent.created
      ? await own.mark(owner, attempt.id, token, targetApp(spec), sent.created, log)
      : true;
    const written = await reporter.reportOutcome(sent.stored, attempt.id, sent.outcome, log);
    if (written && sent.created) await recorded(written, owner, attempt.id, sent.created, marked, log);
    log.info({ attempt: attempt.id, outcome: written?.status?.phase }, 'copy outcome recorded');
    if (sent.retry) return retry(sent.retry);
    return sent.stalled ? stalled(sent.stalled) : done;
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
  ): Promise<Outcome> {
    const status = object.status ?? {};
    if (recognition.kind === 'partial') {
      deps.onCopyOutcome?.('partial');
      const message = `the target app holds copies made earlier for this AppCopy, but not all of them: ${names(recognition.components)} exist; missing: ${recognition.missing.join(', ')}. Remove or keep them in Rainbond, then change the spec to retry (or copy again under a new AppCopy name)`;
      await reporter.report(object, {
        status: failedStatus(status, Reason.PartialCopy, message, ctx(object), recognition.components),
        event: { type: 'Warning', reason: Reason.PartialCopy, message },
      });
      return stalled(message);
    }
    const owner = ownerOf(object, spec);
    const marked =
      recognition.unmarked.length === 0 ||
      (await own.mark(owner, recognition.attemptId, token, targetApp(spec), recognition.unmarked, log));
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
    let written: AppCopy;
    try {
      written = await reporter.report(object, {
        status: next,
        event: { type: 'Normal', reason: Reason.AdoptedExisting, message: readyMessage(next) },
      });
    } catch (error) {
      // Read from a stale copy (or changed meanwhile): the fresh object decides, nothing was sent.
      if (error instanceof ConflictError) return conflict;
      throw error;
    }
    await recorded(written, owner, attempt.id, recognition.components, marked, log);
    return done;
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
    // It is the one status write outside report(): the protocol needs it exactly here.
    const intent = intentStatus(
      { ...(object.status ?? {}), services: [], copiedCount: 0 },
      attempt,
      ctx(object),
    );
    let stored: AppCopy;
    try {
      stored = await deps.store.writeStatus(object, intent);
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
      const answered = await rainbond.copyApp(token, sourceApp(spec), request);
      deps.onCopyOutcome?.('succeeded');
      const created =
        answered.length < attempt.expectedCopies.length
          ? await withLeftOutCopies(token, spec, attempt, answered, log)
          : answered;
      if (created === undefined) {
        const message = `the copy answered with ${answered.length} of ${attempt.expectedCopies.length} components (the console leaves third-party components out of its answer) and the target app could not be listed to find the rest; verifying from the target app`;
        return {
          stored,
          outcome: (o) => ({
            status: verifyingStatus(
              withAttempt(o.status, { callEnded: true }),
              Reason.VerifyingCopy,
              message,
              ctx(o),
            ),
            event: { type: 'Warning', reason: Reason.VerifyingCopy, message },
          }),
          retry: message,
        };
      }
      return {
        stored,
        created,
        outcome: (o) => ({
          status: succeededStatus(o.status ?? {}, created, Reason.Copied, ctx(o), following),
          event: {
            type: 'Normal',
            reason: 'Copied',
            message: `copied ${created.length} component(s): ${names(created)}`,
          },
        }),
      };
    } catch (error) {
      if (error instanceof RainbondRejectedError) {
        deps.onCopyOutcome?.('rejected');
        const message = `${error.message}; nothing was copied (changing the spec retries)`;
        return {
          stored,
          outcome: (o) => ({
            status: failedStatus(o.status ?? {}, Reason.CopyRejected, message, ctx(o)),
            event: { type: 'Warning', reason: Reason.CopyRejected, message },
          }),
          stalled: message,
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
          outcome: (o) => ({
            status: pendingStatus(o.status ?? {}, reason, message, ctx(o)),
            event: { type: 'Warning', reason, message },
          }),
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
        outcome: (o) => ({
          status: verifyingStatus(
            withAttempt(o.status, { callEnded, ...(consoleError === undefined ? {} : { consoleError }) }),
            Reason.VerifyingCopy,
            message,
            ctx(o),
          ),
          event: { type: 'Warning', reason: Reason.VerifyingCopy, message },
        }),
        retry: message,
      };
    }
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
      listed = await rainbond.listComponents(token, targetApp(spec));
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
  async function rolledBack(object: AppCopy, attempt: CopyAttempt, log: Logger): Promise<Outcome> {
    const status = object.status ?? {};
    const calls = (attempt.rolledBackCalls ?? 0) + 1;
    const said = attempt.consoleError ?? 'an answer it could not complete';
    const counted: CopyAttempt = { ...attempt, rolledBackCalls: calls };
    if (calls >= MAX_ROLLED_BACK_CALLS) {
      deps.onCopyOutcome?.('failed');
      const message = `the console failed the copy ${calls} times in a row, each time leaving nothing in the target app (verified): ${said}. A failure that recurs will recur: find the cause in the console's log, fix it in Rainbond, then change the spec (or delete and re-apply the AppCopy) to retry`;
      await reporter.report(object, {
        status: failedStatus({ ...status, attempt: counted }, Reason.CopyFailed, message, ctx(object)),
        event: { type: 'Warning', reason: Reason.CopyFailed, message },
      });
      return stalled(message);
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
    return waitFor(object, next, Reason.ConsoleUnavailable, message);
  }

  /** Step 4: the outcome of the recorded attempt is unknown; the target app tells. */
  async function verify(object: AppCopy, spec: AppCopySpec, token: string, log: Logger): Promise<Outcome> {
    const status = object.status ?? {};
    const attempt = status.attempt;
    if (!attempt) {
      // Copying without a record cannot come from this operator; treat as not started.
      return copy(object, spec, token, log);
    }
    let components: Component[];
    try {
      components = await rainbond.listComponents(token, targetApp(spec));
    } catch (error) {
      const [reason, detail] = consoleTrouble(error);
      const message = `cannot verify the copy yet: ${detail}`;
      const next = verifyingStatus(
        status,
        reason === Reason.Unauthorized ? reason : Reason.VerifyingCopy,
        message,
        ctx(object),
      );
      return waitFor(object, next, Reason.VerifyingCopy, message);
    }
    const verdict = judgeCopy(attempt, components);
    const settledAt = settlesAt(attempt, settings.verifySettleMs);
    const settled = deps.now().getTime() >= settledAt;
    log.info({ attempt: attempt.id, verdict: verdict.kind, settled }, 'copy verified');

    if (verdict.kind === 'complete') {
      deps.onCopyOutcome?.('adopted');
      const owner = ownerOf(object, spec);
      const marked = await own.mark(owner, attempt.id, token, targetApp(spec), verdict.components, log);
      const next = succeededStatus(status, verdict.components, Reason.Adopted, ctx(object), following);
      const written = await reporter.report(object, {
        status: next,
        event: { type: 'Normal', reason: Reason.Adopted, message: readyMessage(next) },
      });
      await recorded(written, owner, attempt.id, verdict.components, marked, log);
      return done;
    }
    if (!settled) {
      const message =
        verdict.kind === 'absent'
          ? 'no copy found in the target app yet; waiting until the earlier call cannot still be running before sending again'
          : `found ${verdict.components.length} of ${attempt.expectedCopies.length} copies so far; waiting for the earlier call to finish`;
      await reporter.report(object, {
        status: verifyingStatus(status, Reason.VerifyingCopy, message, ctx(object)),
      });
      return requeueAfter(Math.max(settledAt - deps.now().getTime(), 0) + 100);
    }
    if (verdict.kind === 'absent' && attempt.callEnded) return rolledBack(object, attempt, log);
    if (verdict.kind === 'absent') {
      log.info({ attempt: attempt.id }, 'the earlier copy had no effect; sending it again');
      return copy(object, spec, token, log);
    }
    deps.onCopyOutcome?.('partial');
    const message = `the copy was only partly done: ${verdict.components.length} of ${attempt.expectedCopies.length} components exist (${names(verdict.components)}); missing: ${verdict.missing.join(', ')}. Remove or keep them in Rainbond, then change the spec to retry`;
    await reporter.report(object, {
      status: failedStatus(status, Reason.PartialCopy, message, ctx(object), verdict.components),
      event: { type: 'Warning', reason: Reason.PartialCopy, message },
    });
    return stalled(message);
  }

  return { copy, verify };
}

/**
 * Whether the console itself answered a call whose outcome is unknown, so that it is no longer
 * working on it: a 500 (the view raised) or a 2xx we could not read. A 502/503/504 may come from
 * a proxy in front of a console that is still copying, and a timeout or reset says nothing.
 */
function consoleFinished(error: unknown): boolean {
  if (!(error instanceof RainbondOutcomeUnknownError) || error.httpStatus === undefined) return false;
  return error.httpStatus === 500 || (error.httpStatus >= 200 && error.httpStatus < 300);
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

/** The pre-flight's 400 from the console's serializer (code 20400): a source field it cannot emit. */
function isConsoleValidationFailure(error: unknown): error is RainbondRejectedError {
  return error instanceof RainbondRejectedError && error.httpStatus === 400 && error.businessCode === 20400;
}

function withAttempt(status: AppCopyStatus | undefined, fields: Partial<CopyAttempt>): AppCopyStatus {
  const s = status ?? {};
  return { ...s, attempt: s.attempt && { ...s.attempt, ...fields } };
}

function readyMessage(status: AppCopyStatus): string {
  return status.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
}

function names(components: readonly Component[]): string {
  return components.map((c) => c.serviceCname).join(', ');
}
