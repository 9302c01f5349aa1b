// After a successful copy the console builds and deploys each copy on its own. Following polls
// the copies' live status (never the copy call), keeps status.services[].status current and
// sets ComponentsReady; it stops when all run, a failure persists, or the follow timeout passes.
// A copy seen running gets its addresses read once (addresses.ts), with the AppCopy's link.
import type { Logger } from 'pino';
import type { AppCopy, AppCopySpec, CopiedService, ServiceAddresses } from '../api/appcopy.ts';
import { ConditionType } from '../api/conditions.ts';
import { type AppCopyStore, FIELD_MANAGER } from '../k8s/appcopy-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import type { AppRef } from '../rainbond/types.ts';
import { createAddressPublisher } from './address-publisher.ts';
import { readAddresses } from './address-reader.ts';
import { addressesDue, withAddresses } from './addresses.ts';
import { targetApp } from './apps.ts';
import {
  type FollowOutcome,
  judgeComponents,
  latestBuildFailure,
  NO_SUCCESSFUL_BUILD,
} from './component-health.ts';
import type { ConsoleSession } from './console-access.ts';
import { done, type Outcome, requeueAfter } from './outcome.ts';
import { createReporter } from './report.ts';
import { followedStatus } from './status.ts';

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

/** What one poll saw; undefined when the console could not be asked (no token, no answer). */
interface Seen {
  live: Map<string, string | null | undefined>;
  failedBuilds: Map<string, string>;
  /** The addresses read in this poll (addresses.ts says whose). */
  addresses: Map<string, ServiceAddresses>;
}

export function createFollower(deps: {
  store: AppCopyStore;
  events: EventRecorder;
  settings: FollowSettings;
  now: () => Date;
  /** Called once per AppCopy when following ends, with the final reason (for metrics). */
  onFollowOutcome?: (reason: FollowOutcome) => void;
}) {
  const reporter = createReporter({ store: deps.store, events: deps.events });
  const publisher = createAddressPublisher({ ...deps, reporter, fieldManager: FIELD_MANAGER });

  /**
   * A copy whose build failed reports `undeploy` for ever, like one still building: for those
   * (and only those) the latest build event tells. An events call that fails leaves the copy
   * "still building" until the next poll.
   */
  async function readFailedBuilds(
    session: ConsoleSession,
    app: AppRef,
    ours: readonly CopiedService[],
    live: ReadonlyMap<string, string | null | undefined>,
    log: Logger,
  ): Promise<Map<string, string>> {
    const building = ours.filter((s) => live.get(s.serviceId) === NO_SUCCESSFUL_BUILD);
    const found = await Promise.all(
      building.map(async (s) => {
        try {
          const failure = latestBuildFailure(
            await session.client.listComponentEvents(session.token, app, s.serviceId),
          );
          return failure === undefined ? [] : [[s.serviceId, failure] as const];
        } catch (error) {
          log.info({ err: error, serviceId: s.serviceId }, "cannot read a copy's events yet");
          return [];
        }
      }),
    );
    return new Map(found.flat());
  }

  /** One poll of the copies, or undefined when the console cannot be asked now. */
  async function poll(
    session: ConsoleSession | undefined,
    spec: AppCopySpec,
    services: readonly CopiedService[],
    log: Logger,
  ): Promise<Seen | undefined> {
    if (!session) return undefined;
    const app = targetApp(spec);
    try {
      const list = await session.client.listComponents(session.token, app);
      const live = new Map(list.map((c) => [c.serviceId, c.status]));
      const [failedBuilds, addresses] = await Promise.all([
        readFailedBuilds(session, app, services, live, log),
        readAddresses(session.client, session.token, app, addressesDue(services, live), log),
      ]);
      return { live, failedBuilds, addresses };
    } catch (error) {
      log.info({ err: error }, 'cannot follow the copies yet: the console did not answer');
      return undefined;
    }
  }

  /** `session`: undefined when the copies' console cannot be asked now (the reconciler logged why). */
  return async function follow(
    object: AppCopy,
    spec: AppCopySpec,
    session: ConsoleSession | undefined,
    log: Logger,
  ): Promise<Outcome> {
    const status = object.status ?? {};
    const services = status.services ?? [];
    const now = deps.now();
    const finishedAt = Date.parse(
      status.attempt?.finishedAt ?? object.status?.conditions?.[0]?.lastTransitionTime ?? '',
    );
    const elapsed = Number.isNaN(finishedAt) ? 0 : now.getTime() - finishedAt;
    const timedOut = elapsed >= deps.settings.followTimeoutMs;

    const seen: Seen | undefined =
      services.length === 0
        ? { live: new Map(), failedBuilds: new Map(), addresses: new Map() }
        : await poll(session, spec, services, log);
    // Without a fresh answer, wait for the next poll; at the timeout, judge on what was last seen.
    if (!seen && !timedOut) return requeueAfter(followInterval(elapsed, deps.settings));
    const live = seen?.live ?? new Map(services.map((s) => [s.serviceId, s.status]));
    const verdict = judgeComponents(services, live, timedOut, seen?.failedBuilds);
    const followed = followedStatus(status, live, verdict, { generation: object.metadata.generation, now });
    await publisher.report(
      object,
      {
        status: withAddresses(followed, seen?.addresses),
        ...(verdict.final
          ? {
              event: {
                type: verdict.ready ? 'Normal' : 'Warning',
                reason: verdict.reason,
                message: verdict.message,
                about: ConditionType.ComponentsReady,
              },
            }
          : {}),
      },
      log,
    );
    if (!verdict.final) return requeueAfter(followInterval(elapsed, deps.settings));
    const before = status.conditions?.find((c) => c.type === ConditionType.ComponentsReady);
    if (before?.reason !== verdict.reason) deps.onFollowOutcome?.(verdict.reason);
    return done;
  };
}
