// Starting a simulator: fixture -> state, plus ledger, faults and clock, behind a real HTTP
// server. Everything a test needs to drive or inspect it hangs off the returned object.
import { randomUUID } from 'node:crypto';
import { createRealClock, type SimulatorClock } from './clock.ts';
import { DEFAULT_STATUS_TIMINGS, type StartingStatus, type StatusTimings } from './component-status.ts';
import { FaultInjector } from './faults.ts';
import type { SimulatorFixture } from './fixture-schema.ts';
import { listen } from './http-server.ts';
import { Ledger } from './ledger.ts';
import { loadDefaultFixture } from './load-fixture.ts';
import {
  type ConsoleReleaseId,
  DEFAULT_CONSOLE_RELEASE,
  type ReleaseProfile,
  releaseProfile,
} from './releases.ts';
import { SimulatorState } from './state.ts';

export interface SimulatorOptions {
  /** Default: the bundled fixtures/default.json. */
  fixture?: SimulatorFixture;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default: a real clock. Pass createFakeClock() (../fake-clock.ts) to move statuses by hand. */
  clock?: SimulatorClock;
  /**
   * How long a copy's first build keeps it `undeploy`, then how long it is `waiting` before
   * `running`; how long a stop keeps it `stopping`. Default 2000/3000/1000 ms.
   */
  statusTimings?: StatusTimings;
  /**
   * The console release group to play (releases.ts): `5.16`, `6.0`, `6.1`, `6.5` or `6.9`
   * (default, v6.9.3 and later). Each profile models the first release of its group.
   */
  release?: ConsoleReleaseId;
  /**
   * What GET /console/config/info answers as the version (the image's RELEASE_DESC). Default:
   * the profile's official-image value; "" plays a console image built without it.
   */
  releaseDesc?: string;
  /**
   * What a starting component reports: `waiting` (regions since 6.5) or `starting` (before).
   * Default: the release profile's (`waiting` for 6.5 and 6.9).
   */
  startingStatus?: StartingStatus;
  /** Seed of the PRNG behind probabilistic faults. Default 1. */
  faultSeed?: number;
  /** Source of new service ids. Default: random uuid4 hex, like the console. */
  newServiceId?: () => string;
}

export interface Simulator {
  /** The console's base URL (the operator's RAINBOND_URL), e.g. http://127.0.0.1:43121. */
  url: string;
  /** The console release played. */
  release: ReleaseProfile;
  ledger: Ledger;
  faults: FaultInjector;
  clock: SimulatorClock;
  state: SimulatorState;
  /** Closes the server and every connection, hung ones included. */
  stop(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const clock = opts.clock ?? createRealClock();
  const timings = opts.statusTimings ?? DEFAULT_STATUS_TIMINGS;
  if (!(timings.buildMs >= 0 && timings.startMs >= 0 && (timings.stopMs ?? 0) >= 0)) {
    throw new RangeError(`statusTimings must be non-negative (got ${JSON.stringify(timings)})`);
  }
  // An id from outside TypeScript (a harness option, JSON) is checked too.
  const release = releaseProfile(opts.release ?? DEFAULT_CONSOLE_RELEASE);
  const releaseDesc = opts.releaseDesc ?? release.configInfo.releaseDesc;
  const state = new SimulatorState(opts.fixture ?? loadDefaultFixture(), clock, timings, {
    startingStatus: opts.startingStatus ?? release.startingStatus.status,
  });
  const ledger = new Ledger();
  const faults = new FaultInjector(opts.faultSeed ?? 1);
  const newServiceId = opts.newServiceId ?? (() => randomUUID().replaceAll('-', ''));
  const server = await listen(
    { state, ledger, faults, clock, newServiceId, release, releaseDesc },
    opts.host ?? '127.0.0.1',
    opts.port ?? 0,
  );
  let stopped: Promise<void> | undefined;
  return {
    url: server.url,
    release,
    ledger,
    faults,
    clock,
    state,
    stop: () => {
      stopped ??= server.close();
      return stopped;
    },
  };
}
