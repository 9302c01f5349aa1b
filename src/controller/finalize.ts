// deletionPolicy: Delete. The finalizer keeps the AppCopy until its copies are gone from
// Rainbond: delete each with force=1, then list the target app to see that they are gone.
// Deletion never hangs silently: the Deleting condition and Events say what blocks it, and the
// abandon annotation lets go.
//
// No stop first. With force=1 the console deletes a running component (and one others depend
// on) and only then answers 409 or 412 (goodrain/rainbond-console:openapi/views/apps/apps.py@ae3f1618,
// AppServicesView.delete -> app_manage_service.delete_again(is_force=True), and
// console/services/app_actions/app_manage.py), so a stop adds nothing but a permission the
// deleting user may lack: stop needs team permission 300006 (403, code 10402, for a viewer)
// while delete does not. Because those answers come after the effect, and an older console may
// still refuse, the only truth is the target app's listing after the deletes.
import type { Logger } from 'pino';
import {
  ABANDON_ANNOTATION,
  type AppCopy,
  type AppCopySpec,
  DELETE_COPIES_FINALIZER,
} from '../api/appcopy.ts';
import { ConditionType, Reason } from '../api/conditions.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import { RainbondError, RainbondRejectedError, RainbondUnauthorizedError } from '../rainbond/errors.ts';
import type { Component } from '../rainbond/types.ts';
import { targetApp } from './apps.ts';
import type { ConsoleAccess, ConsoleSession } from './console-access.ts';
import { callSettled } from './copy/attempt.ts';
import { judgeCopy } from './copy/verdict.ts';
import { done, type Outcome, requeueAfter, retry } from './outcome.ts';
import { createReporter } from './report.ts';
import { deletingStatus } from './status.ts';

/** Answers to a forced delete that come after the component was deleted (running; depended on). */
const DELETED_THEN_REFUSED = new Set([409, 412]);

export function createFinalizer(deps: {
  store: AppCopyStore;
  events: EventRecorder;
  pollMs: number;
  now: () => Date;
}) {
  async function release(object: AppCopy): Promise<void> {
    const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== DELETE_COPIES_FINALIZER);
    await deps.store.writeFinalizers(object, finalizers);
  }

  const reporter = createReporter({ store: deps.store, events: deps.events });

  /** Sets the Deleting condition, announced once per change. */
  async function report(object: AppCopy, ok: boolean, reason: string, message: string): Promise<void> {
    const ctx = { generation: object.metadata.generation, now: deps.now() };
    await reporter.report(object, {
      status: deletingStatus(object.status ?? {}, { ok, reason, message }, ctx),
      event: { type: ok ? 'Normal' : 'Warning', reason, message, about: ConditionType.Deleting },
    });
  }

  /** Deletion cannot go on now: say why, and come back with backoff. */
  async function blocked(object: AppCopy, message: string): Promise<Outcome> {
    await report(object, false, Reason.DeletionBlocked, message);
    return retry(message);
  }

  async function syncFinalizer(object: AppCopy, spec: AppCopySpec): Promise<void> {
    const rest = (object.metadata.finalizers ?? []).filter((f) => f !== DELETE_COPIES_FINALIZER);
    await deps.store.writeFinalizers(
      object,
      spec.deletionPolicy === 'Delete' ? [...rest, DELETE_COPIES_FINALIZER] : rest,
    );
  }

  /**
   * `access`: the console the copies were made in (ConsoleAccessor.forExistingCopy), undefined
   * when the spec is unreadable.
   */
  async function finalize(
    object: AppCopy,
    spec: AppCopySpec | undefined,
    access: ConsoleAccess | undefined,
    log: Logger,
  ): Promise<Outcome> {
    if (object.metadata.annotations?.[ABANDON_ANNOTATION] === 'true') {
      log.info('deletion: copies abandoned by annotation');
      await deps.events.record(
        object,
        'Normal',
        'CopiesAbandoned',
        `${ABANDON_ANNOTATION} is set: the copies are left in Rainbond`,
      );
      await release(object);
      return done;
    }
    const status = object.status ?? {};
    if (!spec || !access || (status.phase !== 'Copying' && (status.services ?? []).length === 0)) {
      await release(object);
      return done;
    }
    if (!access.ok && access.quiet) return requeueAfter(deps.pollMs); // its console is being checked
    if (!access.ok) {
      const message = `cannot delete the copies: ${access.message}; or set the annotation ${ABANDON_ANNOTATION}="true" to keep them and let the AppCopy go`;
      return blocked(object, message);
    }
    const { session } = access;
    const app = targetApp(spec);
    let live: Component[];
    try {
      live = await session.client.listComponents(session.token, app);
    } catch (error) {
      if (targetAppGone(error)) {
        // The target app itself is gone: so are its components.
        log.info({ err: error }, 'deletion: target app not found; nothing left to delete');
        await release(object);
        return done;
      }
      const message = `cannot delete the copies: ${describeError(error, session)}; retrying. To keep the copies and let the AppCopy go, set the annotation ${ABANDON_ANNOTATION}="true"`;
      return blocked(object, message);
    }

    let ours: Component[];
    if (status.phase === 'Copying' && status.attempt) {
      // The copy's outcome was never recorded: find what it made before deleting.
      const verdict = judgeCopy(status.attempt, live);
      if (verdict.kind !== 'complete' && !callSettled(status.attempt, deps.now(), session.settleMs)) {
        await report(
          object,
          true,
          Reason.DeletingCopies,
          'waiting for the interrupted copy to settle before deleting what it made',
        );
        return requeueAfter(deps.pollMs);
      }
      ours = verdict.kind === 'absent' ? [] : verdict.components;
    } else {
      const ids = new Set((status.services ?? []).map((s) => s.serviceId));
      ours = live.filter((c) => ids.has(c.serviceId));
    }
    if (ours.length === 0) return gone(object, 0);

    for (const component of ours) {
      try {
        await session.client.deleteComponent(session.token, app, component.serviceId);
      } catch (error) {
        if (error instanceof RainbondRejectedError && error.httpStatus === 404) continue;
        if (error instanceof RainbondRejectedError && DELETED_THEN_REFUSED.has(error.httpStatus ?? 0)) {
          log.info(
            { serviceId: component.serviceId, err: error },
            'deletion: forced delete answered after the effect',
          );
          continue;
        }
        const message = `cannot delete copied component ${component.serviceCname} (${component.serviceId}): ${describeError(error, session)}; retrying. To keep the copies and let the AppCopy go, set the annotation ${ABANDON_ANNOTATION}="true"`;
        return blocked(object, message);
      }
    }

    // Verify by listing: the delete answers are not the truth (see the top of this file).
    let after: Component[];
    try {
      after = await session.client.listComponents(session.token, app);
    } catch (error) {
      if (targetAppGone(error)) {
        log.info({ err: error }, 'deletion: target app not found; nothing left to delete');
        return gone(object, ours.length);
      }
      await report(
        object,
        true,
        Reason.DeletingCopies,
        `deleted ${ours.length} copied component(s); confirming from the target app`,
      );
      return requeueAfter(deps.pollMs);
    }
    const listed = new Set(after.map((c) => c.serviceId));
    const remaining = ours.filter((c) => listed.has(c.serviceId));
    if (remaining.length === 0) return gone(object, ours.length);
    await report(
      object,
      true,
      Reason.DeletingCopies,
      `${remaining.length} of ${ours.length} copied component(s) still listed in the target app after deleting them (${remaining.map((c) => c.serviceCname).join(', ')}); deleting again`,
    );
    return requeueAfter(deps.pollMs);
  }

  /** The copies are gone: say so, then let the AppCopy go. */
  async function gone(object: AppCopy, count: number): Promise<Outcome> {
    await deps.events.record(
      object,
      'Normal',
      'CopiesDeleted',
      count === 0
        ? 'the copied components are gone from Rainbond'
        : `deleted ${count} copied component(s) from Rainbond`,
    );
    await release(object);
    return done;
  }

  return { finalize, syncFinalizer };
}

/**
 * A console failure in words; for a refused permission, which one the deleting user lacks. A
 * refused token has the console checked again, so a token rotated in its Secret is used next.
 */
function describeError(error: unknown, session: ConsoleSession): string {
  if (error instanceof RainbondUnauthorizedError && !error.permission) session.tokenRefused();
  if (error instanceof RainbondError) return error.message;
  return `unexpected error: ${String((error as Error)?.message ?? error)}`;
}

/**
 * 404 on the app's component list: the target app was deleted, and its components with it. Any
 * other rejection (a 400 for a region error, say) says nothing about the copies.
 */
function targetAppGone(error: unknown): boolean {
  return error instanceof RainbondRejectedError && error.httpStatus === 404;
}
