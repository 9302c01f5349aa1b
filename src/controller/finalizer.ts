// deletionPolicy: Delete. The finalizer keeps the AppCopy until its copies are gone from
// Rainbond: stop them, then delete each (404 counts as done). Deletion never hangs silently:
// the Deleting condition and Events say what blocks it, and the abandon annotation lets go.
import type { Logger } from 'pino';
import {
  ABANDON_ANNOTATION,
  type AppCopy,
  type AppCopySpec,
  type AppCopyStatus,
  DELETE_COPIES_FINALIZER,
} from '../api/appcopy.ts';
import { ConditionType, Reason, setCondition } from '../api/conditions.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import type { RainbondClient } from '../rainbond/client.ts';
import { RainbondRejectedError } from '../rainbond/errors.ts';
import type { AppRef, Component } from '../rainbond/types.ts';
import { judgeCopy } from './copy-verdict.ts';
import type { CredentialsResolver } from './credentials.ts';
import type { ReconcileResult } from './reconciler.ts';
import { RetryLaterError } from './retry-later.ts';
import { sameStatus } from './status.ts';

/** Live statuses in which a component can be deleted without stopping it first. */
const STOPPED = new Set(['closed', 'undeploy', 'build_failure', 'creating', '']);

export function createFinalizer(deps: {
  store: AppCopyStore;
  rainbond: RainbondClient;
  credentials: CredentialsResolver;
  events: EventRecorder;
  verifySettleMs: number;
  pollMs: number;
  now: () => Date;
}) {
  async function release(object: AppCopy): Promise<void> {
    const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== DELETE_COPIES_FINALIZER);
    await deps.store.writeFinalizers(object, finalizers);
  }

  async function report(object: AppCopy, ok: boolean, reason: string, message: string): Promise<void> {
    const status: AppCopyStatus = object.status ?? {};
    const next: AppCopyStatus = {
      ...status,
      conditions: setCondition(
        status.conditions,
        { type: ConditionType.Deleting, status: ok ? 'True' : 'False', reason, message },
        object.metadata.generation,
        deps.now(),
      ),
    };
    if (sameStatus(status, next)) return;
    const before = status.conditions?.find((c) => c.type === ConditionType.Deleting);
    await deps.store.writeStatus(object, next);
    if (before?.reason !== reason)
      await deps.events.record(object, ok ? 'Normal' : 'Warning', reason, message);
  }

  async function syncFinalizer(object: AppCopy, spec: AppCopySpec): Promise<void> {
    const rest = (object.metadata.finalizers ?? []).filter((f) => f !== DELETE_COPIES_FINALIZER);
    await deps.store.writeFinalizers(
      object,
      spec.deletionPolicy === 'Delete' ? [...rest, DELETE_COPIES_FINALIZER] : rest,
    );
  }

  async function finalize(
    object: AppCopy,
    spec: AppCopySpec | undefined,
    log: Logger,
  ): Promise<ReconcileResult> {
    if (object.metadata.annotations?.[ABANDON_ANNOTATION] === 'true') {
      log.info('deletion: copies abandoned by annotation');
      await deps.events.record(
        object,
        'Normal',
        'CopiesAbandoned',
        `${ABANDON_ANNOTATION} is set: the copies are left in Rainbond`,
      );
      await release(object);
      return undefined;
    }
    const status = object.status ?? {};
    if (!spec || (status.phase !== 'Copying' && (status.services ?? []).length === 0)) {
      await release(object);
      return undefined;
    }
    const token = await deps.credentials.resolve(object.metadata.namespace, spec.credentialsSecretRef);
    if (!token.ok) {
      const message = `cannot delete the copies: ${token.message}; or set the annotation ${ABANDON_ANNOTATION}="true" to keep them and let the AppCopy go`;
      await report(object, false, Reason.DeletionBlocked, message);
      throw new RetryLaterError(message);
    }
    const app: AppRef = {
      teamId: spec.target.teamName,
      regionName: spec.target.regionName,
      appId: spec.target.appId,
    };
    let live: Component[];
    try {
      live = await deps.rainbond.listComponents(token.token, app);
    } catch (error) {
      if (error instanceof RainbondRejectedError) {
        // The target app itself is gone: so are its components.
        log.info({ err: error }, 'deletion: target app not found; nothing left to delete');
        await release(object);
        return undefined;
      }
      const message = `cannot delete the copies: ${(error as Error).message}; retrying. To keep the copies and let the AppCopy go, set the annotation ${ABANDON_ANNOTATION}="true"`;
      await report(object, false, Reason.DeletionBlocked, message);
      throw new RetryLaterError(message);
    }

    let ours: Component[];
    if (status.phase === 'Copying' && status.attempt) {
      // The copy's outcome was never recorded: find what it made before deleting.
      const verdict = judgeCopy(status.attempt, live);
      const settled =
        status.attempt.callEnded === true ||
        deps.now().getTime() >= Date.parse(status.attempt.startedAt) + deps.verifySettleMs;
      if (verdict.kind !== 'complete' && !settled) {
        await report(
          object,
          true,
          Reason.DeletingCopies,
          'waiting for the interrupted copy to settle before deleting what it made',
        );
        return { requeueAfterMs: deps.pollMs };
      }
      ours = verdict.kind === 'absent' ? [] : verdict.components;
    } else {
      const ids = new Set((status.services ?? []).map((s) => s.serviceId));
      ours = live.filter((c) => ids.has(c.serviceId));
    }
    if (ours.length === 0) {
      await deps.events.record(
        object,
        'Normal',
        'CopiesDeleted',
        'the copied components are gone from Rainbond',
      );
      await release(object);
      return undefined;
    }

    try {
      const running = ours.filter((c) => !STOPPED.has(c.status ?? ''));
      if (running.length > 0) {
        await deps.rainbond.operateComponents(
          token.token,
          app,
          'stop',
          running.map((c) => c.serviceId),
        );
      }
      let waiting = 0;
      for (const component of ours) {
        try {
          await deps.rainbond.deleteComponent(token.token, app, component.serviceId);
        } catch (error) {
          if (error instanceof RainbondRejectedError && error.httpStatus === 404) continue;
          if (error instanceof RainbondRejectedError && error.httpStatus === 409) {
            waiting++;
            continue;
          }
          throw error;
        }
      }
      await report(
        object,
        true,
        Reason.DeletingCopies,
        waiting > 0
          ? `stopping ${waiting} copied component(s) before deleting them`
          : `deleted ${ours.length} copied component(s); confirming`,
      );
      return { requeueAfterMs: deps.pollMs };
    } catch (error) {
      const message = `cannot delete the copies: ${(error as Error).message}; retrying. To keep the copies and let the AppCopy go, set the annotation ${ABANDON_ANNOTATION}="true"`;
      await report(object, false, Reason.DeletionBlocked, message);
      throw new RetryLaterError(message);
    }
  }

  return { finalize, syncFinalizer };
}
