// Live component status, as the console reports it: the region's status passed through
// unchanged (goodrain/rainbond-console:openapi/services/app_service.py@ae3f1618). The
// vocabulary is the region's (goodrain/rainbond:worker/appm/types/v1/status.go@385642ba),
// with `null` when the region did not answer. A component either holds a settled status, or
// is in a timed run (a build and start, or a stop) whose status is a pure function of the
// run's start, its phases and `now`.

/**
 * Every status the region's status API reports (goodrain/rainbond:worker/appm/types/v1/status.go@385642ba).
 * `unknow` is the region's spelling. `building` and `build_failure` are declared there too but
 * never returned by the status API, so they are left out.
 */
export const COMPONENT_STATUSES = [
  'running',
  'closed',
  'starting',
  'waiting',
  'stopping',
  'abnormal',
  'some_abnormal',
  'unknow',
  'upgrade',
  'undeploy',
  'succeeded',
  'paused',
] as const;

export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** `null` is what the console answers when the region did not report a status. */
export type LiveStatus = ComponentStatus | null;

/**
 * Simulator-clock durations of a component's transitions: a copy's first build keeps it
 * `undeploy` for `buildMs`, then it is `waiting` (or `starting`) for `startMs`, then settled;
 * a stop keeps it `stopping` for `stopMs` (default DEFAULT_STOP_MS), then `closed`.
 */
export interface StatusTimings {
  buildMs: number;
  startMs: number;
  stopMs?: number;
}

export const DEFAULT_STATUS_TIMINGS: StatusTimings = { buildMs: 2000, startMs: 3000 };
export const DEFAULT_STOP_MS = 1000;

/**
 * The status a starting workload reports: `waiting` on regions since 6.5, `starting` before
 * (goodrain/rainbond:worker/appm/types/v1/status.go@385642ba, WAITING "workload created but
 * pods are not ready yet").
 */
export type StartingStatus = 'waiting' | 'starting';

/** A timed transition: each phase's status is held for its ms, then `settled` for ever. */
export interface StatusRun {
  startedAt: number;
  phases: readonly { status: LiveStatus; ms: number }[];
  settled: LiveStatus;
}

/** The status of a run at `now`. */
export function runStatus(run: StatusRun, now: number): LiveStatus {
  let elapsed = now - run.startedAt;
  for (const phase of run.phases) {
    if (elapsed < phase.ms) return phase.status;
    elapsed -= phase.ms;
  }
  return run.settled;
}

/** The instant the run reaches its settled status. */
export function runEndsAt(run: StatusRun): number {
  return run.phases.reduce((at, p) => at + p.ms, run.startedAt);
}

/** True once the run has reached its settled status at `now`. */
export function runFinished(run: StatusRun, now: number): boolean {
  return now >= runEndsAt(run);
}

/**
 * What a component settles at once its workload is up: a job's pods all succeed, so it is
 * `succeeded`; a cronjob whose pods succeeded is `running`, like every other kind
 * (goodrain/rainbond:worker/appm/types/v1/status.go@385642ba, GetServiceStatus: the `a.job`
 * branch returns SUCCEEDED, the `a.cronjob` branch RUNNING). extend_method `job` is the
 * console's name for it (goodrain/rainbond-console:console/enum/component_enum.py@ae3f1618).
 */
export function settledStatusFor(extendMethod: string): ComponentStatus {
  return extendMethod === 'job' ? 'succeeded' : 'running';
}

/**
 * The statuses in which the console refuses to delete a component (409 "组件可能处于运行状态"):
 * goodrain/rainbond-console:console/services/app_actions/app_manage.py@ae3f1618
 * (`__is_service_running`) tests running, starting, restoring, stopping, failure, unKnow,
 * unusual, abnormal and some_abnormal. Of the region's vocabulary that leaves running,
 * starting, stopping, abnormal and some_abnormal: `waiting` and `upgrade` are not in the list,
 * and the region's `unknow` does not match the console's `unKnow`.
 */
const DELETE_BLOCKING: ReadonlySet<string> = new Set([
  'running',
  'starting',
  'stopping',
  'abnormal',
  'some_abnormal',
]);

export function blocksDelete(status: LiveStatus): boolean {
  return status !== null && DELETE_BLOCKING.has(status);
}

/** The build source version that makes a build fail on purpose (a simulator convention). */
export const FAILING_BUILD_VERSION = 'fail-build';
