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

export interface OwnCopies {
  /**
   * Whether `target` (the target app's listing) already holds copies made for this AppCopy.
   * Reads the markers only of components named like an expected copy, so a copy into a target
   * without such components costs nothing. Throws the console's error when a marker cannot be
   * read: then nobody can tell, and the caller must not copy.
   */
  recognise(
    object: AppCopy,
    spec: AppCopySpec,
    session: ConsoleCalls,
    expectedCopies: readonly string[],
    target: readonly Component[],
  ): Promise<Recognition>;
  /**
   * Writes the marker on each copy. Best effort: false when one could not be written (the copy
   * stands; only recognition after a loss of status depends on it), true otherwise.
   */
  mark(
    owner: CopyOwner,
    attemptId: string,
    session: ConsoleCalls,
    app: AppRef,
    components: readonly Component[],
    log: Logger,
  ): Promise<boolean>;
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
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [[components[i], r.reason]] : []));
      for (const [component, error] of failed) {
        log.warn(
          { serviceId: (component as Component).serviceId, err: error },
          'could not mark a copy in Rainbond',
        );
      }
      return failed.length === 0;
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
