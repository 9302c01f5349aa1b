// Recognition and adoption (step 2 of the README beside this file): the target app holds copies
// made earlier for this AppCopy (same namespace, name and request) that its status does not show,
// because the status was lost (a restore, a cluster rebuilt from Git). They are adopted
// (AdoptedExisting) instead of copied again; when only some are there, a person decides
// (PartialCopy). Nothing is sent to the copy endpoint.
import { ConflictError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import type { AppCopy, AppCopySpec, CopyAttempt } from '../../api/appcopy.ts';
import { Reason } from '../../api/conditions.ts';
import type { Component } from '../../rainbond/types.ts';
import { targetApp } from '../apps.ts';
import type { ConsoleSession } from '../console-access.ts';
import { conflict, done, type Outcome, stalled } from '../outcome.ts';
import { failedStatus, succeededStatus } from '../status.ts';
import { type MarkResult, ownerOf } from './own-copies.ts';
import type { Recognition } from './record.ts';
import { names, readyMessage, type Steps } from './steps.ts';

export async function adoptExisting(
  steps: Steps,
  object: AppCopy,
  spec: AppCopySpec,
  session: ConsoleSession,
  expectedCopies: string[],
  target: Component[],
  recognition: Extract<Recognition, { kind: 'complete' | 'partial' }>,
  log: Logger,
): Promise<Outcome> {
  const { deps, own, ctx } = steps;
  const status = object.status ?? {};
  if (recognition.kind === 'partial') {
    deps.onCopyOutcome?.('partial');
    const message = `the target app holds copies made earlier for this AppCopy, but not all of them: ${names(recognition.components)} exist; missing: ${recognition.missing.join(', ')}. Remove or keep them in Rainbond, then change the spec to retry (or copy again under a new AppCopy name)`;
    await deps.reporter.report(object, {
      status: failedStatus(
        { ...status, console: session.console },
        Reason.PartialCopy,
        message,
        ctx(object),
        recognition.components,
      ),
      event: { type: 'Warning', reason: Reason.PartialCopy, message },
    });
    return stalled(message);
  }
  const owner = ownerOf(object, spec);
  const marked: MarkResult =
    recognition.unmarked.length === 0
      ? { kind: 'marked' }
      : await own.mark(owner, recognition.attemptId, session, targetApp(spec), recognition.unmarked, log);
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
    { ...status, attempt, console: session.console },
    recognition.components,
    Reason.AdoptedExisting,
    ctx(object),
    deps.following,
  );
  let written: AppCopy;
  try {
    written = await deps.reporter.report(object, {
      status: next,
      event: { type: 'Normal', reason: Reason.AdoptedExisting, message: readyMessage(next) },
    });
  } catch (error) {
    // Read from a stale copy (or changed meanwhile): the fresh object decides, nothing was sent.
    if (error instanceof ConflictError) return conflict;
    throw error;
  }
  await steps.recorded(written, owner, attempt.id, recognition.components, marked, log);
  return done;
}
