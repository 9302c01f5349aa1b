// The exactly-once protocol (README.md beside this file walks it):
//  1. decide from a fresh GET (the reconciler read it), never from the informer cache;
//  2. write the intent (phase Copying, the attempt record, the console) with the
//     resourceVersion that was read: a stale reader or a second replica gets 409 and sends
//     nothing (send.ts);
//  3. send the copy once, mark the copies, then write the outcome;
//  4. an unknown outcome is verified from the target app, never resent blindly (verify.ts);
//  5. copies into one target app are serialised (the caller holds the target's lock);
//  6. everything is validated (zod, the pre-flight) before the call, and the console's rules
//     admitted the copy before any console call (the caller's ConsoleSession says so).
// Both steps run holding the target's lock and with a ConsoleSession; they return an Outcome.
import { type Slots, SlotsClosedError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import type { AppCopy, AppCopySpec } from '../../api/appcopy.ts';
import { Reason } from '../../api/conditions.ts';
import { RainbondRejectedError } from '../../rainbond/errors.ts';
import type { Component } from '../../rainbond/types.ts';
import { sourceApp, targetApp } from '../apps.ts';
import type { ConsoleSession } from '../console-access.ts';
import { conflict, done, type Outcome, retry, stalled } from '../outcome.ts';
import { failedStatus, pendingStatus } from '../status.ts';
import { adoptExisting } from './adopt-existing.ts';
import { nextAttempt } from './attempt.ts';
import { type MarkResult, ownerOf } from './own-copies.ts';
import { planCopy } from './plan.ts';
import type { Recognition } from './record.ts';
import { type SentCopy, writeIntentAndSend } from './send.ts';
import { type CopyProtocolDeps, consoleTrouble, createSteps, type Steps } from './steps.ts';
import { verify } from './verify.ts';

export type { CopyOutcome, CopyProtocolDeps } from './steps.ts';
export { MAX_ROLLED_BACK_CALLS } from './verify.ts';

export function createCopyProtocol(deps: CopyProtocolDeps) {
  const steps = createSteps(deps);

  async function copy(
    object: AppCopy,
    spec: AppCopySpec,
    session: ConsoleSession,
    log: Logger,
  ): Promise<Outcome> {
    return copyThrough(steps, object, spec, session, log);
  }

  return {
    copy,
    verify: (object: AppCopy, spec: AppCopySpec, session: ConsoleSession, log: Logger) =>
      verify(steps, copy, object, spec, session, log),
  };
}

/** Steps 1 to 5 of the README: validate, recognise, then intent, call, markers and outcome. */
async function copyThrough(
  steps: Steps,
  object: AppCopy,
  spec: AppCopySpec,
  session: ConsoleSession,
  log: Logger,
): Promise<Outcome> {
  const { deps, own, ctx } = steps;
  // The pre-flight and the target listing are independent reads, both before the intent:
  // side by side, a copy waits for the slower of the two instead of their sum. Their
  // failures are judged in the same order as if they ran one after the other.
  const [source, target] = await Promise.allSettled([
    session.client.listCopyableComponents(session.token, sourceApp(spec)),
    session.client.listComponents(session.token, targetApp(spec)),
  ]);
  if (source.status === 'rejected') return readFailed(steps, object, spec, session, source.reason, 'source');
  const plan = planCopy(spec, source.value);
  if (!plan.ok) {
    const status = failedStatus(object.status ?? {}, Reason.PreflightFailed, plan.message, ctx(object));
    return steps.fail(object, status, Reason.PreflightFailed, plan.message);
  }
  if (target.status === 'rejected') return readFailed(steps, object, spec, session, target.reason, 'target');
  const before = target.value;

  // A copy made for this AppCopy may already be there, its status lost (a restore, a cluster
  // rebuilt from Git): adopt it rather than copy again (record.ts, adopt-existing.ts).
  let recognition: Recognition;
  try {
    recognition = await own.recognise(object, spec, session, plan.expectedCopies, before);
  } catch (error) {
    const [reason, detail] = consoleTrouble(error, session);
    const message = `cannot tell whether the target app already holds this AppCopy's copies, so nothing is copied yet: ${detail}`;
    return steps.waitFor(
      object,
      pendingStatus(object.status ?? {}, reason, message, ctx(object)),
      reason,
      message,
    );
  }
  if (recognition.kind === 'unreadable') {
    const message = markersUnreadableMessage(recognition.components, recognition.why);
    return steps.waitFor(
      object,
      pendingStatus(object.status ?? {}, Reason.MarkersUnreadable, message, ctx(object)),
      Reason.MarkersUnreadable,
      message,
    );
  }
  if (recognition.kind !== 'none') {
    return adoptExisting(steps, object, spec, session, plan.expectedCopies, before, recognition, log);
  }

  // A copy slot of the console bounds the copy calls in flight there (its copyConcurrency): it
  // is taken before the intent, so that an intent is never left waiting for a slot (a crash
  // there would leave a copy that was never sent looking as if it might have been), and freed
  // as soon as the console has answered: the outcome write and the Event need no slot, and the
  // next copy goes out meanwhile.
  const release = await acquire(session.copySlots);
  if (release === undefined) return done; // shutting down: nothing written, nothing sent
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
    sent = await writeIntentAndSend(steps, object, spec, session, plan.request, attempt, log);
  } finally {
    release();
  }
  if (sent === 'conflict') return conflict;
  deps.failpoint?.('after-copy');
  // The markers go before the outcome: once the outcome is stored, a loss of status is
  // survived only through them (a crash before the outcome is verified from the intent).
  const owner = ownerOf(object, spec);
  const marked: MarkResult = sent.created
    ? await own.mark(owner, attempt.id, session, targetApp(spec), sent.created, log)
    : { kind: 'marked' };
  const written = await deps.reporter.reportOutcome(sent.stored, attempt.id, sent.outcome, log);
  if (written && sent.created) await steps.recorded(written, owner, attempt.id, sent.created, marked, log);
  log.info({ attempt: attempt.id, outcome: written?.status?.phase }, 'copy outcome recorded');
  if (sent.retry) return retry(sent.retry);
  return sent.stalled ? stalled(sent.stalled) : done;
}

/** A slot, or undefined once the slots are closed (shutdown). */
async function acquire(slots: Slots): Promise<(() => void) | undefined> {
  try {
    return await slots.acquire();
  } catch (error) {
    if (error instanceof SlotsClosedError) return undefined;
    throw error;
  }
}

/**
 * A console failure on a read (pre-flight, target listing). Definite rejections are final for
 * this generation; the rest waits with backoff. Never called after the copy was sent.
 */
async function readFailed(
  steps: Steps,
  object: AppCopy,
  spec: AppCopySpec,
  session: ConsoleSession,
  error: unknown,
  what: 'source' | 'target',
): Promise<Outcome> {
  const { ctx } = steps;
  const status = object.status ?? {};
  if (what === 'source' && isConsoleValidationFailure(error)) {
    // The console could not serialize the source app's components: its limit, not our spec.
    const message = `the console cannot describe source app ${spec.source.appId} for the copy: ${error.message}. A component of the source app has a field longer than the console's serializer allows (the field is named above); this is the console failing to describe the app, not a wrong spec.source. Shorten that field of the source component in Rainbond, then change the spec (or delete and re-apply the AppCopy) to retry`;
    return steps.fail(
      object,
      failedStatus(status, Reason.PreflightFailed, message, ctx(object)),
      Reason.PreflightFailed,
      message,
    );
  }
  if (error instanceof RainbondRejectedError) {
    const reason = what === 'source' ? Reason.SourceNotFound : Reason.TargetNotFound;
    const message = `${error.message}; fix spec.${what} (changing the spec retries)`;
    return steps.fail(object, failedStatus(status, reason, message, ctx(object)), reason, message);
  }
  const [reason, message] = consoleTrouble(error, session);
  return steps.waitFor(object, pendingStatus(status, reason, message, ctx(object)), reason, message);
}

/** The pre-flight's 400 from the console's serializer (code 20400): a source field it cannot emit. */
function isConsoleValidationFailure(error: unknown): error is RainbondRejectedError {
  return error instanceof RainbondRejectedError && error.httpStatus === 400 && error.businessCode === 20400;
}

/**
 * Why a copy waits on components whose markers the console will not answer: which ones, the
 * console's words, and the ways out. Nothing is copied meanwhile: a
 * component named like a copy might be this AppCopy's (its status lost), and copying again
 * would make a second set. The wait is retried with backoff, so a fix in Rainbond is seen.
 */
export function markersUnreadableMessage(components: readonly Component[], why: string): string {
  const list = components.map((c) => `${c.serviceCname} (${c.serviceId})`).join(', ');
  return `cannot tell whether the target app's ${list} ${components.length === 1 ? 'is a copy' : 'are copies'} made earlier for this AppCopy: the console refuses to read back ${components.length === 1 ? 'its' : 'their'} environment variables, where the copy marker would be (${why}). Consoles before v6.9.3 check every variable of a component when they answer, and refuse one with an empty note; on every release, one with an empty value or a name with a dot or hyphen. Nothing is copied until this is known, so as not to copy twice. Give those variables a note (or fix them) in Rainbond, or upgrade the console to v6.9.3 or later; if the components are not this AppCopy's copies, rename or remove them. Retrying with backoff`;
}
