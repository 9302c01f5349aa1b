// Verification (step 6 of the README beside this file): a reconcile found the AppCopy Copying,
// so a copy was sent and its outcome is not recorded. The target app tells what it made; the
// call is never resent blindly. Complete: adopt. Absent or partial: conclude only once the call
// has settled (attempt.ts). Absent after a console error: its transaction rolled back, send
// again after a backoff, at most MAX_ROLLED_BACK_CALLS times. Absent after a crash or timeout:
// send again, if the console's rules still allow this copy. Partial: PartialCopy.
import type { Logger } from 'pino';
import type { AppCopy, AppCopySpec, CopyAttempt } from '../../api/appcopy.ts';
import { Reason } from '../../api/conditions.ts';
import type { Component } from '../../rainbond/types.ts';
import { targetApp } from '../apps.ts';
import type { ConsoleSession } from '../console-access.ts';
import { done, type Outcome, requeueAfter, stalled } from '../outcome.ts';
import { failedStatus, pendingStatus, refusedStatus, succeededStatus, verifyingStatus } from '../status.ts';
import { settlesAt } from './attempt.ts';
import { ownerOf } from './own-copies.ts';
import { consoleTrouble, names, readyMessage, type Steps } from './steps.ts';
import { judgeCopy } from './verdict.ts';

/**
 * How many answered copy calls of one generation may fail with nothing left of them before the
 * AppCopy ends Failed (CopyFailed). Three: a transient fault rarely strikes three calls spaced by
 * the work queue's backoff, and a deterministic one is not worth more.
 */
export const MAX_ROLLED_BACK_CALLS = 3;

type Copy = (object: AppCopy, spec: AppCopySpec, session: ConsoleSession, log: Logger) => Promise<Outcome>;

export async function verify(
  steps: Steps,
  copy: Copy,
  object: AppCopy,
  spec: AppCopySpec,
  session: ConsoleSession,
  log: Logger,
): Promise<Outcome> {
  const { deps, own, ctx } = steps;
  const status = object.status ?? {};
  const attempt = status.attempt;
  if (!attempt) {
    // Copying without a record cannot come from this operator; treat as not started.
    return sendAgain(steps, copy, object, spec, session, log);
  }
  let components: Component[];
  try {
    components = await session.client.listComponents(session.token, targetApp(spec));
  } catch (error) {
    const [reason, detail] = consoleTrouble(error, session);
    const message = `cannot verify the copy yet: ${detail}`;
    const next = verifyingStatus(
      status,
      reason === Reason.Unauthorized ? reason : Reason.VerifyingCopy,
      message,
      ctx(object),
    );
    return steps.waitFor(object, next, Reason.VerifyingCopy, message);
  }
  const verdict = judgeCopy(attempt, components);
  const settledAt = settlesAt(attempt, session.settleMs);
  const settled = deps.now().getTime() >= settledAt;
  log.info({ attempt: attempt.id, verdict: verdict.kind, settled }, 'copy verified');

  if (verdict.kind === 'complete') {
    deps.onCopyOutcome?.('adopted');
    const owner = ownerOf(object, spec);
    const marked = await own.mark(owner, attempt.id, session, targetApp(spec), verdict.components, log);
    const next = succeededStatus(status, verdict.components, Reason.Adopted, ctx(object), deps.following);
    const written = await deps.reporter.report(object, {
      status: next,
      event: { type: 'Normal', reason: Reason.Adopted, message: readyMessage(next) },
    });
    await steps.recorded(written, owner, attempt.id, verdict.components, marked, log);
    return done;
  }
  if (!settled) {
    const message =
      verdict.kind === 'absent'
        ? 'no copy found in the target app yet; waiting until the earlier call cannot still be running before sending again'
        : `found ${verdict.components.length} of ${attempt.expectedCopies.length} copies so far; waiting for the earlier call to finish`;
    await deps.reporter.report(object, {
      status: verifyingStatus(status, Reason.VerifyingCopy, message, ctx(object)),
    });
    return requeueAfter(Math.max(settledAt - deps.now().getTime(), 0) + 100);
  }
  if (verdict.kind === 'absent' && attempt.callEnded) return rolledBack(steps, object, attempt, log);
  if (verdict.kind === 'absent') {
    log.info({ attempt: attempt.id }, 'the earlier copy had no effect; sending it again');
    return sendAgain(steps, copy, object, spec, session, log);
  }
  deps.onCopyOutcome?.('partial');
  const message = `the copy was only partly done: ${verdict.components.length} of ${attempt.expectedCopies.length} components exist (${names(verdict.components)}); missing: ${verdict.missing.join(', ')}. Remove or keep them in Rainbond, then change the spec to retry`;
  await deps.reporter.report(object, {
    status: failedStatus(status, Reason.PartialCopy, message, ctx(object), verdict.components),
    event: { type: 'Warning', reason: Reason.PartialCopy, message },
  });
  return stalled(message);
}

/**
 * The earlier call had no effect, so a new one is safe, but it is a new copy: the console's
 * rules decide again (they may have been narrowed since the first call).
 */
async function sendAgain(
  steps: Steps,
  copy: Copy,
  object: AppCopy,
  spec: AppCopySpec,
  session: ConsoleSession,
  log: Logger,
): Promise<Outcome> {
  if (!session.admission.allowed) {
    const message = `the earlier copy had no effect, and a new one is not allowed: ${session.admission.message}`;
    await steps.deps.reporter.report(object, {
      status: refusedStatus(object.status ?? {}, message, steps.ctx(object)),
      event: { type: 'Warning', reason: Reason.CopyNotAllowed, message, about: 'Ready' },
    });
    return stalled(message);
  }
  return copy(object, spec, session, log);
}

/**
 * The console answered the copy with an error and the target app holds nothing of it: its
 * transaction rolled back. Sent again after a backoff, up to MAX_ROLLED_BACK_CALLS answered
 * calls per generation; a failure that recurs that often (a 500 the console raises every
 * time) ends Failed with the console's words instead of resending for ever.
 */
async function rolledBack(
  steps: Steps,
  object: AppCopy,
  attempt: CopyAttempt,
  log: Logger,
): Promise<Outcome> {
  const { deps, ctx } = steps;
  const status = object.status ?? {};
  const calls = (attempt.rolledBackCalls ?? 0) + 1;
  const said = attempt.consoleError ?? 'an answer it could not complete';
  const counted: CopyAttempt = { ...attempt, rolledBackCalls: calls };
  if (calls >= MAX_ROLLED_BACK_CALLS) {
    deps.onCopyOutcome?.('failed');
    const message = `the console failed the copy ${calls} times in a row, each time leaving nothing in the target app (verified): ${said}. A failure that recurs will recur: find the cause in the console's log, fix it in Rainbond, then change the spec (or delete and re-apply the AppCopy) to retry`;
    await deps.reporter.report(object, {
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
  return steps.waitFor(object, next, Reason.ConsoleUnavailable, message);
}
