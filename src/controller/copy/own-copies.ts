// The I/O around the durable records of copy-record.ts: marking the copies in Rainbond,
// mirroring the outcome into the AppCopy's annotation, and reading both back to recognise
// copies already made for an AppCopy whose status was lost.

import { ConflictError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import { type AppCopy, type AppCopySpec, objectKey } from '../../api/appcopy.ts';
import type { AppCopyStore } from '../../k8s/appcopy-store.ts';
import { RainbondRejectedError } from '../../rainbond/errors.ts';
import type { AppRef, Component } from '../../rainbond/types.ts';
import type { ConsoleSession } from '../console-access.ts';
import {
  COPY_RECORD_ANNOTATION,
  type CopyOwner,
  formatRecord,
  type Marking,
  markerEnv,
  parseRecord,
  type Recognition,
  readMarking,
  recogniseOwnCopies,
  requestDigest,
} from './record.ts';

export function ownerOf(object: AppCopy, spec: AppCopySpec): CopyOwner {
  return { namespace: object.metadata.namespace, name: object.metadata.name, request: requestDigest(spec) };
}

/**
 * How writing the markers went. `unreadable`: the console took the write but refused its answer
 * (see isAnswerCheckRefusal), so the marker is there and cannot be read back on this console.
 */
export type MarkResult = { kind: 'marked' } | { kind: 'failed' } | { kind: 'unreadable'; why: string };

/**
 * The envs endpoint checks its answer (every variable of the component, not only the ones
 * sent) with the request's serializer, after writing: a variable the console itself saved but
 * the serializer refuses makes the answer `400`, code 20400, whatever was sent. Before console
 * v6.9.3 that is any variable with an empty note, which the console's own UI saves by default
 * (console:openapi/views/apps/apps.py@v6.9.2-release ComponentEnvsUView.put,
 * console:openapi/serializer/app_serializer.py@v6.9.2-release ComponentEnvsBaseSerializers; fixed
 * by 99f9f228b in v6.9.3); on every release, also an empty value or a name with a dot or hyphen.
 * The operator's own entries always pass that check, so a 20400 is about the component's other
 * variables.
 */
export function isAnswerCheckRefusal(error: unknown): error is RainbondRejectedError {
  return (
    error instanceof RainbondRejectedError &&
    error.route === 'componentEnvs' &&
    error.httpStatus === 400 &&
    error.businessCode === 20400
  );
}

export interface OwnCopies {
  /**
   * Whether `target` (the target app's listing) already holds copies made for this AppCopy.
   * Reads the markers only of components named like an expected copy, so a copy into a target
   * without such components costs nothing. A console that refuses the answer (see
   * isAnswerCheckRefusal) makes that component's marking `unreadable`; any other failure to
   * read a marker is thrown: then nobody can tell, and the caller must not copy.
   */
  recognise(
    object: AppCopy,
    spec: AppCopySpec,
    session: ConsoleCalls,
    expectedCopies: readonly string[],
    target: readonly Component[],
  ): Promise<Recognition>;
  /**
   * Writes the marker on each copy. Best effort: a failure leaves the copy standing (only
   * recognition after a loss of status depends on the markers) and is reported, not thrown.
   */
  mark(
    owner: CopyOwner,
    attemptId: string,
    session: ConsoleCalls,
    app: AppRef,
    components: readonly Component[],
    log: Logger,
  ): Promise<MarkResult>;
  /** Mirrors the outcome into the annotation (best effort: a conflict or failure is logged). */
  mirror(
    object: AppCopy,
    owner: CopyOwner,
    attemptId: string,
    serviceIds: string[],
    log: Logger,
  ): Promise<void>;
}

/** The console a record is read from or written to, and the token to do it with. */
type ConsoleCalls = Pick<ConsoleSession, 'client' | 'token'>;

export function createOwnCopies(deps: { store: AppCopyStore; now: () => Date }): OwnCopies {
  return {
    async recognise(object, spec, session, expectedCopies, target) {
      const names = new Set(expectedCopies);
      const candidates = target.filter((c) => names.has(c.serviceCname));
      if (candidates.length === 0) return { kind: 'none' };
      const owner = ownerOf(object, spec);
      const app: AppRef = {
        teamId: spec.target.teamName,
        regionName: spec.target.regionName,
        appId: spec.target.appId,
      };
      const markings = new Map<string, Marking>(
        await Promise.all(
          candidates.map(async (c): Promise<[string, Marking]> => {
            try {
              // An empty list changes nothing and answers every variable (see putComponentEnvs).
              const envs = await session.client.putComponentEnvs(session.token, app, c.serviceId, []);
              return [c.serviceId, readMarking(envs, owner)];
            } catch (error) {
              // Deleted since the listing: it is nobody's copy any more.
              if (error instanceof RainbondRejectedError && error.httpStatus === 404) {
                return [c.serviceId, { kind: 'none' }];
              }
              if (isAnswerCheckRefusal(error)) {
                return [c.serviceId, { kind: 'unreadable', why: error.consoleMessage ?? error.message }];
              }
              throw error;
            }
          }),
        ),
      );
      return recogniseOwnCopies({
        owner,
        expectedCopies,
        target,
        record: parseRecord(object.metadata.annotations?.[COPY_RECORD_ANNOTATION]),
        markings,
      });
    },

    async mark(owner, attemptId, session, app, components, log) {
      const marker = markerEnv(owner, attemptId);
      const results = await Promise.allSettled(
        components.map((c) => session.client.putComponentEnvs(session.token, app, c.serviceId, [marker])),
      );
      const failed = results.flatMap((r, i) =>
        r.status === 'rejected'
          ? [{ component: components[i] as Component, error: r.reason as unknown }]
          : [],
      );
      for (const { component, error } of failed) {
        log.warn({ serviceId: component.serviceId, err: error }, 'could not mark a copy in Rainbond');
      }
      if (failed.length === 0) return { kind: 'marked' };
      const refused = failed.map((f) => f.error);
      // Written everywhere, refused only in the answers: the markers are there, not readable.
      if (!refused.every(isAnswerCheckRefusal)) return { kind: 'failed' };
      const first = refused[0] as RainbondRejectedError;
      return { kind: 'unreadable', why: first.consoleMessage ?? first.message };
    },

    async mirror(object, owner, attemptId, serviceIds, log) {
      const existing = parseRecord(object.metadata.annotations?.[COPY_RECORD_ANNOTATION]);
      if (
        existing?.namespace === owner.namespace &&
        existing.name === owner.name &&
        existing.request === owner.request &&
        existing.attemptId === attemptId &&
        existing.serviceIds.join() === serviceIds.join()
      ) {
        return;
      }
      const value = formatRecord({
        ...owner,
        attemptId,
        serviceIds,
        finishedAt: deps.now().toISOString(),
      });
      let current: AppCopy | undefined = object;
      for (let tries = 0; tries < 2 && current; tries++) {
        try {
          await deps.store.writeAnnotation(current, COPY_RECORD_ANNOTATION, value);
          return;
        } catch (error) {
          if (!(error instanceof ConflictError)) {
            log.warn({ err: error, appcopy: objectKey(object.metadata) }, 'could not mirror the copy record');
            return;
          }
          current = await deps.store.get(object.metadata.namespace, object.metadata.name);
        }
      }
      log.warn(
        { appcopy: objectKey(object.metadata) },
        'could not mirror the copy record: the object kept changing',
      );
    },
  };
}
