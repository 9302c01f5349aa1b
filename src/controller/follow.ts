// After a successful copy the console builds and deploys each copy on its own. Following polls
// the copies' live status (never the copy call), keeps status.services[].status current and
// sets ComponentsReady; it stops when all run, a failure persists, or the follow timeout passes.
import type { Logger } from 'pino';
import type { AppCopy, AppCopySpec, AppCopyStatus } from '../api/appcopy.ts';
import { ConditionType } from '../api/conditions.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import type { RainbondClient } from '../rainbond/client.ts';
import type { AppRef } from '../rainbond/types.ts';
import { judgeComponents, latestBuildFailure, NO_SUCCESSFUL_BUILD } from './component-health.ts';
import type { CredentialsResolver } from './credentials.ts';
import type { ReconcileResult } from './reconciler.ts';
import { followedStatus, sameStatus } from './status.ts';

export interface FollowSettings {
  /** Give up following this long after the copy finished (> 0; with 0 the stage is not installed). */
  followTimeoutMs: number;
  /** First poll interval; it grows with the time since the copy, up to followMaxIntervalMs. */
  followIntervalMs: number;
  followMaxIntervalMs: number;
}

/** Poll interval: a tenth of the time since the copy, within [min, max]. Pure. */
export function followInterval(elapsedMs: number, settings: FollowSettings): number {
  return Math.min(
    Math.max(Math.round(elapsedMs / 10), settings.followIntervalMs),
    settings.followMaxIntervalMs,
  );
}

export function createFollower(deps: {
  store: AppCopyStore;
  rainbond: RainbondClient;
  credentials: CredentialsResolver;
  events: EventRecorder;
  settings: FollowSettings;
  now: () => Date;
}) {
  return async function follow(object: AppCopy, spec: AppCopySpec, log: Logger): Promise<ReconcileResult> {
    const status = object.status ?? {};
    const services = status.services ?? [];
    const now = deps.now();
    const generation = object.metadata.generation;
    const finishedAt = Date.parse(
      status.attempt?.finishedAt ?? object.status?.conditions?.[0]?.lastTransitionTime ?? '',
    );
    const elapsed = Number.isNaN(finishedAt) ? 0 : now.getTime() - finishedAt;
    const timedOut = elapsed >= deps.settings.followTimeoutMs;
    const retryIn = { requeueAfterMs: followInterval(elapsed, deps.settings) };

    let current = new Map<string, string | null | undefined>();
    let failedBuilds = new Map<string, string>();
    if (services.length > 0) {
      const token = await deps.credentials.resolve(object.metadata.namespace, spec.credentialsSecretRef);
      if (!token.ok) {
        log.info({ reason: token.reason }, 'cannot follow the copies: no credentials');
        return timedOut ? finish(object, status, services, undefined, true) : retryIn;
      }
      const app: AppRef = {
        teamId: spec.target.teamName,
        regionName: spec.target.regionName,
        appId: spec.target.appId,
      };
      try {
        const list = await deps.rainbond.listComponents(token.token, app);
        current = new Map(list.map((c) => [c.serviceId, c.status]));
      } catch (error) {
        log.info({ err: error }, 'cannot follow the copies yet: the console did not answer');
        return timedOut ? finish(object, status, services, undefined, true) : retryIn;
      }
      failedBuilds = await readFailedBuilds(token.token, app, services, current, log);
    }
    return finish(object, status, services, current, timedOut);

    /**
     * A copy whose build failed reports `undeploy` for ever, like one still building: for those
     * (and only those) the latest build event tells. An events call that fails leaves the copy
     * "still building" until the next poll.
     */
    async function readFailedBuilds(
      token: string,
      app: AppRef,
      ours: NonNullable<AppCopyStatus['services']>,
      live: ReadonlyMap<string, string | null | undefined>,
      logger: Logger,
    ): Promise<Map<string, string>> {
      const building = ours.filter((s) => live.get(s.serviceId) === NO_SUCCESSFUL_BUILD);
      const found = await Promise.all(
        building.map(async (s) => {
          try {
            const events = await deps.rainbond.listComponentEvents(token, app, s.serviceId);
            const failure = latestBuildFailure(events);
            return failure === undefined ? [] : [[s.serviceId, failure] as const];
          } catch (error) {
            logger.info({ err: error, serviceId: s.serviceId }, "cannot read a copy's events yet");
            return [];
          }
        }),
      );
      return new Map(found.flat());
    }

    async function finish(
      o: AppCopy,
      s: AppCopyStatus,
      previous: NonNullable<AppCopyStatus['services']>,
      live: Map<string, string | null | undefined> | undefined,
      isTimedOut: boolean,
    ): Promise<ReconcileResult> {
      // Without a fresh answer, judge on what was last seen.
      const seen = live ?? new Map(previous.map((p) => [p.serviceId, p.status]));
      const verdict = judgeComponents(previous, seen, isTimedOut, failedBuilds);
      const next = followedStatus(s, seen, verdict, { generation, now });
      if (!sameStatus(s, next)) {
        const written = await deps.store.writeStatus(o, next);
        const before = s.conditions?.find((c) => c.type === ConditionType.ComponentsReady);
        if (verdict.final && before?.reason !== verdict.reason) {
          await deps.events.record(
            written,
            verdict.ready ? 'Normal' : 'Warning',
            verdict.reason,
            verdict.message,
          );
        }
      }
      return verdict.final ? undefined : retryIn;
    }
  };
}
