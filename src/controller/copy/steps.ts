// What every step of the copy protocol shares: its dependencies, how a step records a wait or a
// final failure, how a console failure reads to a user, and how the copies' record is kept
// after an outcome names them. The steps themselves are protocol.ts (validate and copy),
// adopt-existing.ts (recognition and adoption), send.ts (intent and call) and verify.ts.
import type { Logger } from 'pino';
import type { AppCopy, AppCopyStatus, CopyAttempt } from '../../api/appcopy.ts';
import { Reason, type ReasonName } from '../../api/conditions.ts';
import type { AppCopyStore } from '../../k8s/appcopy-store.ts';
import type { EventRecorder } from '../../k8s/event-recorder.ts';
import {
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
  RainbondUnavailableError,
} from '../../rainbond/errors.ts';
import type { Component } from '../../rainbond/types.ts';
import type { ConsoleSession } from '../console-access.ts';
import { type Outcome, retry, stalled } from '../outcome.ts';
import type { Reporter } from '../report.ts';
import { createOwnCopies, type MarkResult, type OwnCopies } from './own-copies.ts';
import type { CopyOwner } from './record.ts';

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

export interface CopyProtocolDeps {
  store: AppCopyStore;
  reporter: Reporter;
  events: EventRecorder;
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

/** The shared pieces, made once per protocol and handed to each step. */
export interface Steps {
  deps: CopyProtocolDeps;
  own: OwnCopies;
  ctx(object: AppCopy): { generation: number; now: Date };
  /** Records `status` with an Event about Ready, and asks to come back with backoff. */
  waitFor(object: AppCopy, status: AppCopyStatus, reason: ReasonName, message: string): Promise<Outcome>;
  /** Records a final failure of this generation, announced by an Event. */
  fail(object: AppCopy, status: AppCopyStatus, reason: ReasonName, message: string): Promise<Outcome>;
  /**
   * After an outcome that names the copies is stored: a Warning if their markers could not all
   * be written or cannot be read back (an Event without a status of its own: the markers are
   * not in status), then the annotation that mirrors the record.
   */
  recorded(
    written: AppCopy,
    owner: CopyOwner,
    attemptId: string,
    copies: readonly Component[],
    marked: MarkResult,
    log: Logger,
  ): Promise<void>;
}

const NOT_MARKED_MESSAGE =
  'the copies could not all be marked in Rainbond (see the operator log); they are recorded in this status and its annotation, but a loss of both would copy again';

/** The markers were written, and the console refuses to read them back (`why`, its words). */
export function unreadableMarkersMessage(why: string): string {
  return `the copies are marked in Rainbond, but this console refuses to read their environment variables back (${why}): consoles before v6.9.3 check every variable of a component when they answer, and refuse one with an empty note. The copies are recorded in this status and its annotation; were both lost, the operator would stop with MarkersUnreadable rather than copy again. Upgrading the console to v6.9.3 or later, or giving those variables a note, makes the markers readable`;
}

export function createSteps(deps: CopyProtocolDeps): Steps {
  const { reporter, events } = deps;
  const own = createOwnCopies({ store: deps.store, now: deps.now });
  return {
    deps,
    own,
    ctx: (object) => ({ generation: object.metadata.generation, now: deps.now() }),
    async waitFor(object, status, reason, message) {
      await reporter.report(object, { status, event: { type: 'Warning', reason, message, about: 'Ready' } });
      return retry(message);
    },
    async fail(object, status, reason, message) {
      await reporter.report(object, { status, event: { type: 'Warning', reason, message, about: 'Ready' } });
      return stalled(message);
    },
    async recorded(written, owner, attemptId, copies, marked, log) {
      if (marked.kind === 'failed')
        void events.record(written, 'Warning', 'CopiesNotMarked', NOT_MARKED_MESSAGE);
      if (marked.kind === 'unreadable') {
        void events.record(
          written,
          'Warning',
          Reason.MarkersUnreadable,
          unreadableMarkersMessage(marked.why),
        );
      }
      await own.mirror(
        written,
        owner,
        attemptId,
        copies.map((c) => c.serviceId),
        log,
      );
    },
  };
}

/**
 * A console failure that is not a definite rejection: what to tell the user, and the reason. A
 * refused token also has the console checked again, so a token rotated in its Secret is used
 * at the next try.
 */
export function consoleTrouble(error: unknown, session: ConsoleSession): [ReasonName, string] {
  if (error instanceof RainbondUnauthorizedError) {
    if (!error.permission) session.tokenRefused();
    return [
      Reason.Unauthorized,
      error.permission
        ? `${error.message}; give the token's user a team role with that permission in Rainbond`
        : `${error.message}; check the token (the AppCopy's credentials Secret, else its console's Secret or the operator's default token) and that its user is a member of the target team`,
    ];
  }
  if (
    error instanceof RainbondUnavailableError ||
    error instanceof RainbondNotSentError ||
    error instanceof RainbondOutcomeUnknownError
  ) {
    return [Reason.ConsoleUnavailable, `${error.message}; retrying with backoff`];
  }
  if (error instanceof RainbondRejectedError) return [Reason.ConsoleUnavailable, error.message];
  return [
    Reason.ConsoleUnavailable,
    `unexpected error talking to the console: ${String((error as Error)?.message ?? error)}`,
  ];
}

export function withAttempt(status: AppCopyStatus | undefined, fields: Partial<CopyAttempt>): AppCopyStatus {
  const s = status ?? {};
  return { ...s, attempt: s.attempt && { ...s.attempt, ...fields } };
}

export function readyMessage(status: AppCopyStatus): string {
  return status.conditions?.find((c) => c.type === 'Ready')?.message ?? '';
}

export function names(components: readonly Component[]): string {
  return components.map((c) => c.serviceCname).join(', ');
}
