// After a successful copy the console builds and deploys each copy on its own. Following polls
// the copies' live status (never the copy call), keeps status.services[].status current and
// sets ComponentsReady; it stops when all run, a failure persists, or the follow timeout passes.
import type { Logger } from 'pino';
import type { AppCopy, AppCopySpec, AppCopyStatus } from '../api/appcopy.ts';
import { ConditionType } from '../api/conditions.ts';
import type { AppCopyStore } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import type { RainbondClient } from '../rainbond/client.ts';
import { judgeComponents } from './component-health.ts';
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
    if (services.length > 0) {
      const token = await deps.credentials.resolve(object.metadata.namespace, spec.credentialsSecretRef);
      if (!token.ok) {
        log.info({ reason: token.reason }, 'cannot follow the copies: no credentials');
        return timedOut ? finish(object, status, services, undefined, true) : retryIn;
      }
      try {
        const list = await deps.rainbond.listComponents(token.token, {
          teamId: spec.target.teamName,
          regionName: spec.target.regionName,
          appId: spec.target.appId,
        });
        current = new Map(list.map((c) => [c.serviceId, c.status]));
      } catch (error) {
        log.info({ err: error }, 'cannot follow the copies yet: the console did not answer');
        return timedOut ? finish(object, status, services, undefined, true) : retryIn;
      }
    }
    return finish(object, status, services, current, timedOut);

    async function finish(
      o: AppCopy,
      s: AppCopyStatus,
      previous: NonNullable<AppCopyStatus['services']>,
      live: Map<string, string | null | undefined> | undefined,
      isTimedOut: boolean,
    ): Promise<ReconcileResult> {
      // Without a fresh answer, judge on what was last seen.
      const seen = live ?? new Map(previous.map((p) => [p.serviceId, p.status]));
      const verdict = judgeComponents(previous, seen, isTimedOut);
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
