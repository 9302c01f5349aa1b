// Live component status, as the console reports it from the cluster (rainbond-openapi.md,
// "Live component status values"). A component either holds a settled status, or is in a
// build whose phase is a pure function of the build's start, its timings and `now`:
// creating -> building -> running (or build_failure).

/** Every value the console is known to report; `stoping` and `unKnow` are the console's spelling. */
export const COMPONENT_STATUSES = [
  'running',
  'starting',
  'checking',
  'stoping',
  'closed',
  'undeploy',
  'unusual',
  'abnormal',
  'some_abnormal',
  'upgrade',
  'building',
  'build_failure',
  'creating',
  'unKnow',
] as const;

export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** `null` is what the console answers when the cluster did not report a status. */
export type LiveStatus = ComponentStatus | null;

export interface StatusTimings {
  buildMs: number;
  startMs: number;
}

export const DEFAULT_STATUS_TIMINGS: StatusTimings = { buildMs: 2000, startMs: 3000 };

/** A build in progress (or finished) whose phase is derived from the clock. */
export interface BuildRun {
  startedAt: number;
  buildMs: number;
  startMs: number;
  outcome: 'running' | 'build_failure';
}

/** The phase of a build at `now`: creating until buildMs, building for startMs, then the outcome. */
export function buildPhase(run: BuildRun, now: number): ComponentStatus {
  const elapsed = now - run.startedAt;
  if (elapsed < run.buildMs) return 'creating';
  if (elapsed < run.buildMs + run.startMs) return 'building';
  return run.outcome;
}

/** True once the build has reached its outcome at `now`. */
export function buildFinished(run: BuildRun, now: number): boolean {
  return now - run.startedAt >= run.buildMs + run.startMs;
}

/**
 * Statuses in which the console refuses to delete a component (409, "close it first").
 * Builds and stopped states are deletable; anything with live instances is not.
 */
const RUNNING_LIKE: ReadonlySet<string> = new Set([
  'running',
  'starting',
  'stoping',
  'upgrade',
  'unusual',
  'abnormal',
  'some_abnormal',
  'unKnow',
]);

export function isRunningLike(status: LiveStatus): boolean {
  return status !== null && RUNNING_LIKE.has(status);
}

/** The build source version rule used to make a build fail on purpose. */
export const FAILING_BUILD_VERSION = 'fail-build';
