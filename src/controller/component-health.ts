// Following the copies after the call: the console builds and deploys each copy on its own.
// Pure judgement of the copied components' live statuses, given what the previous poll saw.
import type { CopiedService } from '../api/appcopy.ts';
import { Reason } from '../api/conditions.ts';

/** Live statuses the console reports for a component that has failed (see rainbond-openapi.md). */
const FAILED = new Set(['build_failure', 'abnormal', 'some_abnormal', 'unusual']);
const RUNNING = 'running';

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
 * status is not known).
 * A failure is final only when the previous poll saw the same component failed too, because
 * the console passes through `abnormal` while a deploy settles.
 */
export function judgeComponents(
  previous: readonly CopiedService[],
  current: ReadonlyMap<string, string | null | undefined>,
  timedOut: boolean,
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
  const failedNow = previous.filter((s) => FAILED.has(current.get(s.serviceId) ?? ''));
  const failedTwice = failedNow.filter((s) => FAILED.has(s.status ?? ''));
  if (failedTwice.length > 0) {
    return {
      final: true,
      ready: false,
      reason: Reason.ComponentsFailed,
      message: `copied component(s) failed: ${failedTwice.map((s) => `${label(s)} is ${current.get(s.serviceId)}`).join(', ')}`,
    };
  }
  const notRunning = previous.filter((s) => current.get(s.serviceId) !== RUNNING);
  if (notRunning.length === 0) {
    return {
      final: true,
      ready: true,
      reason: Reason.ComponentsRunning,
      message: `all ${previous.length} copied component(s) are running`,
    };
  }
  const summary = notRunning.map((s) => `${label(s)} is ${current.get(s.serviceId) ?? 'unknown'}`).join(', ');
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

function label(s: CopiedService): string {
  return s.serviceCname ?? s.serviceId;
}
