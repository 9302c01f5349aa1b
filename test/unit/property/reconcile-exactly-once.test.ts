// The exactly-once protocol as a property: the real reconciler, driven over an in-memory API
// server and a model console, against random source apps, random console answers to every call
// (success, 4xx, 401, 5xx before or after the effect, timeouts and resets after the effect, a
// copy that stops part-way or lands late) and process deaths between any two I/O steps. Whatever
// happens, the AppCopy converges, the copy took effect at most once, and the status names exactly
// what the console created: Succeeded with the copies, or Failed/PartialCopy exactly when the
// console made a partial copy. fast-check prints the seed and the shrunk case of a failure.
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AppCopy, AppCopyStatus } from '../../../src/api/appcopy.ts';
import { Reason } from '../../../src/api/conditions.ts';
import { createTargetGuard } from '../../../src/controller/copy/target-guard.ts';
import { outcomeOf } from '../../../src/controller/outcome.ts';
import { createReconciler } from '../../../src/controller/reconciler.ts';
import type { AppCopyStore } from '../../../src/k8s/appcopy-store.ts';
import type { RainbondClient } from '../../../src/rainbond/client.ts';
import {
  RainbondNotSentError,
  RainbondOutcomeUnknownError,
  RainbondRejectedError,
  RainbondUnauthorizedError,
} from '../../../src/rainbond/errors.ts';
import type { Component, ComponentEnv, CopyableComponent, CopyRequest } from '../../../src/rainbond/types.ts';
import { createFakeAppCopyStore } from '../../fakes/appcopy-store.ts';
import { consoleAccessVia } from '../../fakes/console-access.ts';

const COPY_TIMEOUT_MS = 10_000;
/** The operator's invariant: VERIFY_SETTLE_PERIOD >= RAINBOND_COPY_TIMEOUT. */
const VERIFY_SETTLE_MS = 12_000;
/**
 * How long after the call the console may still be creating the copies: past the client's
 * timeout, but within the settle period (which is what VERIFY_SETTLE_PERIOD promises).
 */
const MAX_CONSOLE_LAG_MS = VERIFY_SETTLE_MS - 100;
const TOKEN = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4';

/** How the console answers one copy call. */
type CopyFault =
  | { kind: 'ok' }
  | { kind: 'rejected' }
  | { kind: 'unauthorized' }
  | { kind: 'not-sent' }
  | { kind: 'error-before-effect'; status: 500 | 502 | 503 }
  | { kind: 'error-after-effect'; status: 500 | 502 | 503 | 504 }
  | { kind: 'unreadable-after-effect' }
  | { kind: 'timeout-after-effect'; lagMs: number }
  | { kind: 'timeout-no-effect' }
  | { kind: 'reset-before-effect' }
  | { kind: 'reset-after-effect' }
  | { kind: 'partial-effect'; created: number };

/** How the console answers one read (pre-flight or component list). */
type ReadFault = 'ok' | 'error-5xx' | 'not-sent' | 'unauthorized';

/** The process dies just before (or just after) its n-th I/O step; `lagMs` delays a copy that was in flight. */
interface Crash {
  step: number;
  when: 'before' | 'after';
  restartAfterMs: number;
  lagMs: number;
}

interface Scenario {
  sourceNames: string[];
  preexistingNames: string[];
  copyFaults: CopyFault[];
  readFaults: ReadFault[];
  preflightRejected: boolean;
  crashes: Crash[];
}

const copyFault: fc.Arbitrary<CopyFault> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'ok' as const }) },
  fc.constant({ kind: 'rejected' as const }),
  fc.constant({ kind: 'unauthorized' as const }),
  fc.constant({ kind: 'not-sent' as const }),
  fc.record({ kind: fc.constant('error-before-effect' as const), status: fc.constantFrom(500, 502, 503) }),
  fc.record({
    kind: fc.constant('error-after-effect' as const),
    status: fc.constantFrom(500, 502, 503, 504),
  }),
  fc.constant({ kind: 'unreadable-after-effect' as const }),
  fc.record({
    kind: fc.constant('timeout-after-effect' as const),
    lagMs: fc.integer({ min: 0, max: MAX_CONSOLE_LAG_MS }),
  }),
  fc.constant({ kind: 'timeout-no-effect' as const }),
  fc.constant({ kind: 'reset-before-effect' as const }),
  fc.constant({ kind: 'reset-after-effect' as const }),
  fc.record({ kind: fc.constant('partial-effect' as const), created: fc.integer({ min: 0, max: 3 }) }),
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  // Names may repeat: a source app can hold two components with the same display name.
  sourceNames: fc.array(fc.constantFrom('web', 'api', 'db', 'worker'), { minLength: 1, maxLength: 4 }),
  // The target may already hold components, even ones named like the copies to come.
  preexistingNames: fc.array(fc.constantFrom('web-copy', 'api-copy', 'db', 'cache'), { maxLength: 3 }),
  copyFaults: fc.array(copyFault, { maxLength: 5 }),
  readFaults: fc.array(fc.constantFrom<ReadFault>('ok', 'ok', 'error-5xx', 'not-sent', 'unauthorized'), {
    maxLength: 8,
  }),
  preflightRejected: fc.oneof(
    { weight: 9, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
  crashes: fc.array(
    fc.record({
      // The first dozen steps hold the pre-flight, the intent, the copy and the outcome.
      step: fc.integer({ min: 1, max: 14 }),
      when: fc.constantFrom<'before' | 'after'>('before', 'after'),
      restartAfterMs: fc.integer({ min: 0, max: 20_000 }),
      lagMs: fc.integer({ min: 0, max: MAX_CONSOLE_LAG_MS }),
    }),
    { maxLength: 3 },
  ),
});

class ProcessDied extends Error {}

let idSeq = 0;
function newServiceId(): string {
  idSeq += 1;
  return idSeq.toString(16).padStart(32, '0');
}

interface Effect {
  callNumber: number;
  createdIds: string[];
  partial: boolean;
}

/** The world outside the operator: the API server's copy of the AppCopy and the console. */
function createWorld(s: Scenario) {
  let now = Date.UTC(2025, 0, 1);
  const source: CopyableComponent[] = s.sourceNames.map((name) => {
    const serviceId = newServiceId();
    return {
      serviceId,
      serviceCname: name,
      serviceAlias: `gr${serviceId.slice(-6)}`,
      createStatus: 'complete',
      serviceSource: 'docker_image',
      buildVersion: 'latest',
      image: 'nginx:latest',
      minMemory: 128,
    };
  });
  const target: Component[] = s.preexistingNames.map((name) => component(newServiceId(), name));
  const effects: Effect[] = [];
  const late: { at: number; effect: () => void }[] = [];
  const copyFaults = [...s.copyFaults];
  const readFaults = [...s.readFaults];
  const crashes = [...s.crashes].sort((a, b) => a.step - b.step);
  let copyCalls = 0;
  let step = 0;
  let dead = false;
  let nextCrash: Crash | undefined;

  // The API server: resourceVersion-guarded writes (test/fakes), each one an I/O step below.
  const api = createFakeAppCopyStore({
    apiVersion: 'openapi.rainbond.io/v1alpha1',
    kind: 'AppCopy',
    metadata: { name: 'prop', namespace: 'ns', uid: 'u-1', generation: 1, resourceVersion: '1' },
    spec: {
      source: { teamId: 'shop', regionName: 'rainbond', appId: 12 },
      target: { teamName: 'staging', regionName: 'rainbond', appId: 34 },
    },
  });

  function component(serviceId: string, name: string): Component {
    return {
      serviceId,
      serviceAlias: `gr${serviceId.slice(-6)}`,
      serviceCname: name,
      k8sComponentName: name,
      // The copy's answer has status "" (read as null): the region has not seen the copy yet.
      status: null,
      createStatus: 'complete',
      serviceSource: 'docker_image',
    };
  }

  function settleLate(): void {
    for (const pending of late.filter((l) => l.at <= now)) {
      late.splice(late.indexOf(pending), 1);
      pending.effect();
    }
  }

  function applyCopy(request: CopyRequest, limit?: number): Component[] {
    const picked = request.services.map((r) => source.find((c) => c.serviceId === r.serviceId)!);
    const made = picked
      .slice(0, limit ?? picked.length)
      .map((c) => component(newServiceId(), `${c.serviceCname}-copy`));
    target.push(...made);
    if (made.length > 0) {
      effects.push({
        callNumber: copyCalls,
        createdIds: made.map((c) => c.serviceId),
        partial: made.length < picked.length,
      });
    }
    return made;
  }

  /** One I/O step of the process: it may die just before or just after it. */
  async function io<T>(work: () => Promise<T> | T, onDeathAfter?: (crash: Crash) => void): Promise<T> {
    if (dead) throw new ProcessDied('the process is dead');
    step += 1;
    now += 5;
    settleLate();
    const crash = crashes[0]?.step === step ? crashes.shift() : undefined;
    if (crash?.when === 'before') {
      dead = true;
      nextCrash = crash;
      throw new ProcessDied(`died before step ${step}`);
    }
    if (crash?.when === 'after') {
      nextCrash = crash;
      try {
        if (onDeathAfter) onDeathAfter(crash);
        else await work();
      } catch {
        // The answer is lost with the process.
      }
      dead = true;
      throw new ProcessDied(`died after step ${step}`);
    }
    return work();
  }

  function readFault(route: 'copyPreflight' | 'listComponents'): void {
    const fault = readFaults.shift() ?? 'ok';
    if (fault === 'error-5xx') {
      throw new RainbondOutcomeUnknownError('the console failed (HTTP 500)', {
        route,
        httpStatus: 500,
        cause: 'x',
      });
    }
    if (fault === 'not-sent')
      throw new RainbondNotSentError('connection refused', { route, cause: 'ECONNREFUSED' });
    if (fault === 'unauthorized') {
      throw new RainbondUnauthorizedError('token refused (HTTP 401)', {
        route,
        httpStatus: 401,
        permission: false,
        cause: 'x',
        consoleMessage: 'No such user',
      });
    }
  }

  const store: AppCopyStore = {
    get: (namespace, name) => io(() => api.get(namespace, name)),
    writeStatus: (object, status) => io(() => api.writeStatus(object, status)),
    writeFinalizers: () => Promise.reject(new Error('not used: deletionPolicy is Orphan')),
    writeAnnotation: (object, key, value) => io(() => api.writeAnnotation(object, key, value)),
    removeAnnotation: () => Promise.reject(new Error('not used by the copy')),
  };
  /** Each component's environment variables, as the console's envs endpoint keeps them. */
  const envs = new Map<string, ComponentEnv[]>();

  const unused = () => Promise.reject(new Error('not used by the copy'));
  const notChecked = () => Promise.reject(new Error('consoles are not checked here'));
  const rainbond: RainbondClient = {
    listCopyableComponents: (token) =>
      io(() => {
        expect(token).toBe(TOKEN);
        if (s.preflightRejected) {
          throw new RainbondRejectedError('no found team', {
            route: 'copyPreflight',
            httpStatus: 404,
            cause: 'x',
            consoleMessage: 'no found team',
            businessCode: 404,
          });
        }
        readFault('copyPreflight');
        return structuredClone(source);
      }),
    listComponents: () =>
      io(() => {
        readFault('listComponents');
        return structuredClone(target);
      }),
    listComponentEvents: unused,
    putComponentEnvs: (_token, _app, serviceId, changes) =>
      io(() => {
        const current = envs.get(serviceId) ?? [];
        for (const change of changes) {
          const i = current.findIndex((e) => e.name === change.name);
          if (i >= 0) current[i] = { ...change };
          else current.push({ ...change });
        }
        envs.set(serviceId, current);
        return structuredClone(current);
      }),
    copyApp: (_token, _source, request) => {
      const send = (fault: CopyFault): Component[] => {
        copyCalls += 1;
        const route = 'copy' as const;
        const unknown = (message: string, httpStatus?: number) =>
          new RainbondOutcomeUnknownError(message, {
            route,
            cause: message,
            ...(httpStatus ? { httpStatus } : {}),
          });
        switch (fault.kind) {
          case 'ok':
            now += 100;
            return structuredClone(applyCopy(request));
          case 'rejected':
            throw new RainbondRejectedError('not enough quota (HTTP 400)', {
              route,
              httpStatus: 400,
              cause: 'x',
              consoleMessage: 'not enough quota',
              businessCode: 20002,
            });
          case 'unauthorized':
            throw new RainbondUnauthorizedError('HTTP 401', {
              route,
              httpStatus: 401,
              permission: false,
              cause: 'x',
              consoleMessage: undefined,
            });
          case 'not-sent':
            throw new RainbondNotSentError('connection refused', { route, cause: 'ECONNREFUSED' });
          case 'error-before-effect':
            throw unknown(`HTTP ${fault.status}`, fault.status);
          case 'error-after-effect':
            applyCopy(request);
            throw unknown(`HTTP ${fault.status}`, fault.status);
          case 'unreadable-after-effect':
            applyCopy(request);
            throw unknown('HTTP 200 unreadable', 200);
          case 'timeout-after-effect': {
            const at = now + fault.lagMs;
            late.push({ at, effect: () => applyCopy(request) });
            now += COPY_TIMEOUT_MS;
            settleLate();
            throw unknown('timed out');
          }
          case 'timeout-no-effect':
            now += COPY_TIMEOUT_MS;
            throw unknown('timed out');
          case 'reset-before-effect':
            throw unknown('ECONNRESET');
          case 'reset-after-effect':
            applyCopy(request);
            throw unknown('ECONNRESET');
          case 'partial-effect':
            applyCopy(request, fault.created);
            throw unknown('HTTP 500 ReadTimeout', 500);
        }
      };
      const fault = copyFaults.shift() ?? { kind: 'ok' as const };
      return io(
        () => send(fault),
        // Died with the call in flight: the console goes on and the copy lands later (or not at all).
        (crash) => {
          if (fault.kind === 'ok' || fault.kind.endsWith('after-effect') || fault.kind === 'partial-effect') {
            copyCalls += 1;
            const limit = fault.kind === 'partial-effect' ? fault.created : undefined;
            late.push({ at: now + crash.lagMs, effect: () => applyCopy(request, limit) });
          }
        },
      );
    },
    getComponent: unused,
    operateComponents: unused,
    deleteComponent: unused,
    listTeams: notChecked,
    readRelease: notChecked,
    close: () => {},
  };

  return {
    store,
    rainbond,
    effects,
    source,
    get stored(): AppCopy {
      const stored = api.stored('ns', 'prop');
      if (!stored) throw new Error('the AppCopy is gone');
      return stored;
    },
    get now() {
      return now;
    },
    get copyCalls() {
      return copyCalls;
    },
    isDead: () => dead,
    /** A new process: alive again after the restart delay. */
    restart(): void {
      now += nextCrash?.restartAfterMs ?? 0;
      nextCrash = undefined;
      dead = false;
      settleLate();
    },
    wait(ms: number): void {
      now += ms;
      settleLate();
    },
  };
}

type World = ReturnType<typeof createWorld>;

function newProcess(world: World) {
  let attempts = 0;
  return createReconciler({
    store: world.store,
    consoles: consoleAccessVia(
      world.rainbond,
      { resolve: async () => ({ ok: true, token: TOKEN }) },
      { settleMs: VERIFY_SETTLE_MS },
    ),
    events: { record: async () => {}, flush: async () => {} },
    targets: createTargetGuard({ copyingInto: () => [], wake: () => {} }),
    settings: { targetBusyRecheckMs: 1000, consoleUncheckedRecheckMs: 1000 },
    now: () => new Date(world.now),
    newAttemptId: () => `attempt-${++attempts}-${world.now}`,
    logger: pino({ level: 'silent' }),
  });
}

const finished = (status: AppCopyStatus | undefined) =>
  status?.phase === 'Succeeded' || status?.phase === 'Failed';

/** Runs reconciles like the work queue would, restarting the process whenever it dies. */
async function converge(world: World): Promise<{ reconciles: number }> {
  let reconcile = newProcess(world);
  for (let reconciles = 1; reconciles <= 200; reconciles++) {
    let delay = 0;
    try {
      const outcome = await outcomeOf(() => reconcile('ns/prop'));
      // As the work queue does: a retry backs off (a second here), requeueAfter waits as asked.
      delay = outcome.kind === 'requeueAfter' ? outcome.ms : outcome.kind === 'retry' ? 1000 : 0;
    } catch (error) {
      if (!(error instanceof ProcessDied)) throw error;
      delay = 1000;
    }
    if (world.isDead()) {
      world.restart();
      reconcile = newProcess(world);
      continue;
    }
    if (finished(world.stored.status)) return { reconciles };
    world.wait(delay);
  }
  throw new Error(`not converged after 200 reconciles: ${JSON.stringify(world.stored.status, null, 1)}`);
}

describe('the reconciler under random console answers and process deaths', () => {
  it('converges with the copy done at most once and a status naming exactly what was created', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const world = createWorld(s);
        await converge(world);
        // Whatever the console was still doing has finished by now.
        world.wait(MAX_CONSOLE_LAG_MS + 1);
        const status = world.stored.status!;
        const ready = status.conditions?.find((c) => c.type === 'Ready');
        const namedIds = (status.services ?? []).map((x) => x.serviceId).sort();

        // At most one copy call ever took effect.
        expect(world.effects.length).toBeLessThanOrEqual(1);
        const effect = world.effects[0];
        // No component exists that the status does not name.
        expect(namedIds).toEqual([...(effect?.createdIds ?? [])].sort());
        if (status.phase === 'Succeeded') {
          expect(effect?.partial).toBe(false);
          expect(ready?.status).toBe('True');
          expect(status.copiedCount).toBe(s.sourceNames.length);
        } else {
          expect(ready?.status).toBe('False');
          if (effect) {
            expect(effect.partial).toBe(true);
            expect(ready?.reason).toBe(Reason.PartialCopy);
          } else {
            expect([Reason.CopyRejected, Reason.SourceNotFound]).toContain(ready?.reason);
          }
        }
        // PartialCopy exactly where the console really made a partial copy.
        expect(ready?.reason === Reason.PartialCopy).toBe(effect?.partial === true);
      }),
      { numRuns: 1000 },
    );
  });
});
