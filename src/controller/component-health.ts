// Following the copies after the call: the console builds and deploys each copy on its own.
// Pure judgement of the copied components' live statuses, given what the previous poll saw.
//
// The console passes the region's status through unchanged
// (goodrain/rainbond-console:openapi/services/app_service.py@ae3f1618); the vocabulary is the
// region's (goodrain/rainbond:worker/appm/types/v1/status.go@385642ba). A copy goes "" (in the
// copy's answer) -> `undeploy` while its first build runs -> sometimes `closed` briefly ->
// `waiting` (`starting` before region 6.5) -> `running`, or `abnormal` / `some_abnormal`; a job
// settles at `succeeded`. A component with no successful build reports `undeploy`
// (goodrain/rainbond:worker/appm/store/store.go@385642ba), so a failed build looks like one still
// running: only the component's events tell them apart (latestBuildFailure).
import type { CopiedService } from '../api/appcopy.ts';
import { Reason } from '../api/conditions.ts';
import type { ComponentEvent } from '../rainbond/types.ts';

/** What one live status says about a copy. */
export type Health =
  /** Running, or a job that completed. */
  | 'healthy'
  /** Instances failing; final once two polls in a row see it (a deploy passes through it). */
  | 'failed'
  /** On its way: building, stopped for a moment, waiting to be scheduled, starting, upgrading. */
  | 'progressing'
  /** The region did not say (null, `unknow`) or said something this operator does not know. */
  | 'unknown';

/** The region's statuses and their meaning for a copy; anything else is `unknown`, never healthy. */
export const LIVE_STATUS_HEALTH: Readonly<Record<string, Health>> = {
  running: 'healthy',
  succeeded: 'healthy',
  abnormal: 'failed',
  some_abnormal: 'failed',
  // No successful build yet: building, or failed for good (see latestBuildFailure).
  undeploy: 'progressing',
  // Seen briefly between the first build and the first start; also a copy someone stopped.
  closed: 'progressing',
  waiting: 'progressing',
  starting: 'progressing',
  upgrade: 'progressing',
  stopping: 'progressing',
  paused: 'progressing',
  unknow: 'unknown',
};

/** The health of a live status (null or undefined: the region did not answer). */
export function healthOf(status: string | null | undefined): Health {
  if (!status) return 'unknown';
  return Object.hasOwn(LIVE_STATUS_HEALTH, status) ? (LIVE_STATUS_HEALTH[status] as Health) : 'unknown';
}

/** The only status in which a failed build hides; the follower reads events only for it. */
export const NO_SUCCESSFUL_BUILD = 'undeploy';

const BUILD_EVENT = 'build-service';
const FAILED_EVENT = 'failure';

/**
 * Whether the component's latest build failed, from its events (newest first): the message of
 * the newest `build-service` event when its status is `failure`, else undefined (the latest build
 * succeeded, is still running, or is not among the events).
 */
export function latestBuildFailure(events: readonly ComponentEvent[]): string | undefined {
  const build = events.find((e) => e.optType === BUILD_EVENT);
  if (build?.status !== FAILED_EVENT) return undefined;
  return build.message ?? 'the build failed';
}

/** How following can end: the reasons of a final verdict. */
export const FOLLOW_OUTCOMES = [
  Reason.ComponentsRunning,
  Reason.ComponentsFailed,
  Reason.ComponentsMissing,
  Reason.FollowTimedOut,
] as const;
export type FollowOutcome = (typeof FOLLOW_OUTCOMES)[number];

export type ComponentsVerdict =
  | { final: true; ready: true; reason: typeof Reason.ComponentsRunning; message: string }
  | {
      final: true;
      ready: false;
      reason: typeof Reason.ComponentsFailed | typeof Reason.ComponentsMissing | typeof Reason.FollowTimedOut;
      message: string;
    }
  | { final: false; ready: false; reason: typeof Reason.ComponentsStarting; message: string };

/**
 * `previous` is status.services as written by the last poll; `current` maps serviceId to the
 * live status now (absent from the map: the component no longer exists; null or undefined: the
 * status is not known); `failedBuilds` maps serviceId to the message of its failed latest build.
 * A failed build is final at once (the event is a finished record); failing instances are final
 * only when the previous poll saw the same component failing too, because a deploy passes
 * through `abnormal` while it settles.
 */
export function judgeComponents(
  previous: readonly CopiedService[],
  current: ReadonlyMap<string, string | null | undefined>,
  timedOut: boolean,
  failedBuilds: ReadonlyMap<string, string> = new Map(),
): ComponentsVerdict {
  const missing = previous.filter((s) => !current.has(s.serviceId));
  if (missing.length > 0) {
    return {
      final: true,
      ready: false,
      reason: Reason.ComponentsMissing,
      message: `copied component(s) no longer exist in the target app: ${missing.map(label).join(', ')}`,
    };
  }
  const buildFailed = previous.filter(
    (s) => current.get(s.serviceId) === NO_SUCCESSFUL_BUILD && failedBuilds.has(s.serviceId),
  );
  const failedTwice = previous.filter(
    (s) => healthOf(current.get(s.serviceId)) === 'failed' && healthOf(s.status) === 'failed',
  );
  if (buildFailed.length > 0 || failedTwice.length > 0) {
    const said = [
      ...buildFailed.map((s) => `${label(s)}: its build failed (${failedBuilds.get(s.serviceId)})`),
      ...failedTwice.map((s) => `${label(s)} is ${current.get(s.serviceId)}`),
    ];
    return {
      final: true,
      ready: false,
      reason: Reason.ComponentsFailed,
      message: `copied component(s) failed: ${said.join(', ')}`,
    };
  }
  const notHealthy = previous.filter((s) => healthOf(current.get(s.serviceId)) !== 'healthy');
  if (notHealthy.length === 0) {
    const jobs = previous.filter((s) => current.get(s.serviceId) === 'succeeded').length;
    return {
      final: true,
      ready: true,
      reason: Reason.ComponentsRunning,
      message:
        jobs === 0
          ? `all ${previous.length} copied component(s) are running`
          : `all ${previous.length} copied component(s) are running or completed (${jobs} job(s) succeeded)`,
    };
  }
  const summary = notHealthy.map((s) => `${label(s)} is ${describe(current.get(s.serviceId))}`).join(', ');
  if (timedOut) {
    return {
      final: true,
      ready: false,
      reason: Reason.FollowTimedOut,
      message: `gave up waiting for the copies to run: ${summary}`,
    };
  }
  return { final: false, ready: false, reason: Reason.ComponentsStarting, message: `waiting for ${summary}` };
}

function describe(status: string | null | undefined): string {
  if (!status) return 'unknown';
  return status === NO_SUCCESSFUL_BUILD ? `${status} (building)` : status;
}

function label(s: CopiedService): string {
  return s.serviceCname ?? s.serviceId;
}
