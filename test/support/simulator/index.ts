// The Rainbond console simulator: an HTTP server that behaves like the console's OpenAPI as
// described in ../shared/docs/rainbond-openapi.md and checked against the console's source, with fault injection and a ledger of every call.
export { createFakeClock, type FakeClock } from '../fake-clock.ts';
export { createRealClock, type SimulatorClock } from './clock.ts';
export {
  COMPONENT_STATUSES,
  type ComponentStatus,
  DEFAULT_STATUS_TIMINGS,
  DEFAULT_STOP_MS,
  FAILING_BUILD_VERSION,
  type LiveStatus,
  type StartingStatus,
  type StatusTimings,
} from './component-status.ts';
export type { CopyEffect } from './copy-app.ts';
export {
  type ActiveFault,
  FAULT_KINDS,
  type Fault,
  FaultInjector,
  type FaultKind,
  type FaultSpec,
  FaultSpecError,
} from './faults.ts';
export type { ParsedFixture, SimulatorFixture } from './fixture-schema.ts';
export {
  Ledger,
  type LedgerCall,
  type LedgerComponent,
  type LedgerCopy,
  type LedgerSnapshot,
  tokenFingerprint,
} from './ledger.ts';
export {
  DEFAULT_FIXTURE_PATH,
  FixtureError,
  loadDefaultFixture,
  loadFixture,
  parseFixture,
} from './load-fixture.ts';
export {
  CONSOLE_RELEASE_IDS,
  type ConsoleReleaseId,
  DEFAULT_CONSOLE_RELEASE,
  type ErrorBodies,
  isConsoleReleaseId,
  RELEASE_PROFILES,
  type ReleaseProfile,
  releaseProfile,
  type TeamRole,
} from './releases.ts';
export { ROUTE_NAMES, type RouteName } from './routes.ts';
export type { ServiceBaseInfo } from './service-base-info.ts';
export { type Simulator, type SimulatorOptions, startSimulator } from './simulator.ts';
export type {
  AppRecord,
  ComponentPatch,
  ComponentRecord,
  SimulatorState,
  StateSnapshot,
  TeamRecord,
} from './state.ts';
