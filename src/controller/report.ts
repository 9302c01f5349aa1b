// The one place that writes an AppCopy's status (besides the copy's intent, which the protocol
// writes itself because it is the lock) and records the Events that announce it. Steps compute
// the next status and its announcement as data (status.ts, pure); report() writes the status
// only when it changed, with the resourceVersion that was read, and then records the Event, so
// an Event never announces a status that was not stored. An Event is recorded once per change
// of what it announces, not on every pass.

import { ConflictError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import type { AppCopy, AppCopyStatus, CopyAttempt } from '../api/appcopy.ts';
import { findCondition } from '../api/conditions.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import { sameStatus } from './status.ts';

export interface Announcement {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /**
   * The condition this Event announces: it is recorded only when that condition's reason or
   * message changed. Absent: recorded whenever the status changed.
   */
  about?: string;
}

/** What a step wants the AppCopy to become. */
export interface Next {
  status: AppCopyStatus;
  event?: Announcement;
}

export interface Reporter {
  /** Writes `next` if it differs from the stored status; returns the object as now stored. */
  report(object: AppCopy, next: Next): Promise<AppCopy>;
  /**
   * Writes the outcome of the copy attempt `attemptId`. A conflict here means only that the
   * object changed (an annotation, say): the outcome is still ours to record as long as the
   * stored status shows this attempt in flight, so it is computed again from the fresh object.
   * Undefined when the attempt is no longer the one in status (verification will find it).
   */
  reportOutcome(
    stored: AppCopy,
    attemptId: string,
    outcome: (object: AppCopy) => Next,
    log: Logger,
  ): Promise<AppCopy | undefined>;
}

export function createReporter(deps: { store: AppCopyStore; events: EventRecorder }): Reporter {
  function announce(before: AppCopyStatus | undefined, written: AppCopy, event: Announcement | undefined) {
    if (!event) return;
    if (event.about !== undefined) {
      const was = findCondition(before?.conditions, event.about);
      const is = findCondition(written.status?.conditions, event.about);
      if (was?.reason === is?.reason && was?.message === is?.message) return;
    }
    // Not awaited: the recorder never throws, and shutdown flushes what is in flight.
    void deps.events.record(written, event.type, event.reason, event.message);
  }

  return {
    async report(object, next) {
      if (sameStatus(object.status, next.status)) return object;
      const written = await deps.store.writeStatus(object, next.status);
      announce(object.status, written, next.event);
      return written;
    },

    async reportOutcome(stored, attemptId, outcome, log) {
      let current: AppCopy | undefined = stored;
      for (let tries = 0; tries < 5 && current; tries++) {
        if (!inFlight(current.status?.attempt, current.status?.phase, attemptId)) break;
        const next = outcome(current);
        try {
          const written = await deps.store.writeStatus(current, next.status);
          announce(current.status, written, next.event);
          return written;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          current = await deps.store.get(stored.metadata.namespace, stored.metadata.name);
        }
      }
      log.warn(
        { attempt: attemptId },
        'outcome not recorded: the attempt is no longer the one in status; it will be verified',
      );
      return undefined;
    },
  };
}

function inFlight(attempt: CopyAttempt | undefined, phase: string | undefined, attemptId: string): boolean {
  return phase === 'Copying' && attempt?.id === attemptId;
}
