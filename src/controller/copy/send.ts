// Intent and call (steps 3 and 4 of the README beside this file), inside a copy slot: the intent
// is written with the resourceVersion that was read (the lock), then the copy is sent once and
// its answer classified by what happens next. The outcome is not written here: the caller marks
// the copies first, then records it (protocol.ts).
import { ConflictError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import type { AppCopy, AppCopySpec, CopyAttempt } from '../../api/appcopy.ts';
import { Reason } from '../../api/conditions.ts';
import {
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
  RainbondUnavailableError,
} from '../../rainbond/errors.ts';
import type { Component, CopyRequest } from '../../rainbond/types.ts';
import { sourceApp, targetApp } from '../apps.ts';
import type { ConsoleSession } from '../console-access.ts';
import type { Next } from '../report.ts';
import { failedStatus, intentStatus, pendingStatus, succeededStatus, verifyingStatus } from '../status.ts';
import { consoleTrouble, names, type Steps, withAttempt } from './steps.ts';
import { judgeCopy } from './verdict.ts';

/** A copy that was sent (intent stored, call made): how to record its outcome. */
export interface SentCopy {
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

/**
 * Writes the intent, then sends the copy once. Returns how to record the outcome, or 'conflict'
 * when the intent was not written (someone else changed the object since it was read): then
 * nothing was sent.
 */
export async function writeIntentAndSend(
  steps: Steps,
  object: AppCopy,
  spec: AppCopySpec,
  session: ConsoleSession,
  request: CopyRequest,
  attempt: CopyAttempt,
  log: Logger,
): Promise<SentCopy | 'conflict'> {
  const { deps, ctx } = steps;
  // The intent is the lock: if this write conflicts, someone else may be copying. Do not call.
  // It is the one status write outside report(): the protocol needs it exactly here. It records
  // the console too: everything that later concerns these copies goes to this console.
  const intent = intentStatus(
    { ...(object.status ?? {}), services: [], copiedCount: 0, console: session.console },
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
    {
      attempt: attempt.id,
      number: attempt.number,
      components: attempt.expectedCopies.length,
      console: session.key,
    },
    'copy sent',
  );
  void deps.events.record(
    stored,
    'Normal',
    'CopyStarted',
    `copying ${attempt.expectedCopies.length} component(s) into target app ${spec.target.appId}`,
  );

  deps.failpoint?.('after-intent');
  try {
    const answered = await session.client.copyApp(session.token, sourceApp(spec), request);
    deps.onCopyOutcome?.('succeeded');
    const created =
      answered.length < attempt.expectedCopies.length
        ? await withLeftOutCopies(session, spec, attempt, answered, log)
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
        status: succeededStatus(o.status ?? {}, created, Reason.Copied, ctx(o), deps.following),
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
      const [reason, message] = consoleTrouble(error, session);
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
    const consoleError = callEnded && error instanceof RainbondOutcomeUnknownError ? error.cause : undefined;
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
  session: ConsoleSession,
  spec: AppCopySpec,
  attempt: CopyAttempt,
  answered: Component[],
  log: Logger,
): Promise<Component[] | undefined> {
  let listed: Component[];
  try {
    listed = await session.client.listComponents(session.token, targetApp(spec));
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
 * Whether the console itself answered a call whose outcome is unknown, so that it is no longer
 * working on it: a 500 (the view raised) or a 2xx we could not read. A 502/503/504 may come from
 * a proxy in front of a console that is still copying, and a timeout or reset says nothing.
 */
function consoleFinished(error: unknown): boolean {
  if (!(error instanceof RainbondOutcomeUnknownError) || error.httpStatus === undefined) return false;
  return error.httpStatus === 500 || (error.httpStatus >= 200 && error.httpStatus < 300);
}
