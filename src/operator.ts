// Assembles the operator from a Config: clients -> informer -> controller -> reconciler ->
// leader election -> health server. No environment, no process exit, no signals here (that is
// main.ts), so tests can build a whole operator in-process.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  combineInformers,
  createInformer,
  createKubeLeaseClient,
  createKubeListWatch,
  createLeaderElector,
  createRuntimeMetrics,
  createSlots,
  startHealthServer,
  systemClock,
  withRequestTimeout,
} from '@appcopy/kube-runtime';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { GROUP, objectKey, PLURAL, VERSION } from './api/appcopy.ts';
import type { Config } from './config.ts';
import { createAppCopyController } from './controller/appcopy-controller.ts';
import { toCachedAppCopy } from './controller/cached-appcopy.ts';
import { createCredentialsResolver } from './controller/credentials.ts';
import { createFinalizer } from './controller/finalize.ts';
import { createFollower } from './controller/follow.ts';
import { createReconciler } from './controller/reconciler.ts';
import { type AppCopyStore, createAppCopyStore } from './k8s/appcopy-store.ts';
import { createEventRecorder } from './k8s/event-recorder.ts';
import { createSecretReader } from './k8s/secret-reader.ts';
import { createOperatorMetrics } from './metrics.ts';
import { createRainbondClient } from './rainbond/client.ts';

export interface Operator {
  /** The bound health/metrics port. */
  healthPort: number;
  registry: Registry;
  /** Resolves when the operator has stopped on its own (lost leadership); the value is the exit code. */
  stopped: Promise<number>;
  /** Graceful stop: no new work, in-flight reconciles finish within the grace period, lease released. */
  shutdown(): Promise<void>;
}

export interface OperatorHooks {
  /** See ReconcilerDeps.failpoint. */
  failpoint?: (name: 'after-intent' | 'after-copy') => void;
}

/** How long one request to the API server may take (a silent connection must not hang a reconcile). */
const KUBE_REQUEST_TIMEOUT_MS = 30_000;

export async function startOperator(
  config: Config,
  kubeConfig: KubeConfig,
  logger: Logger,
  hooks: OperatorHooks = {},
): Promise<Operator> {
  const kc = withRequestTimeout(kubeConfig, KUBE_REQUEST_TIMEOUT_MS);
  const identity = `${hostname()}_${randomUUID().slice(0, 8)}`;
  const now = () => new Date(systemClock.now());
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const runtimeMetrics = createRuntimeMetrics(registry, 'appcopy');
  // CONCURRENCY bounds the copy calls in flight, the load on the console. Twice as many
  // reconciles run, so that while those copies are in flight the next ones are read, checked
  // and locked, ready to go the moment a slot frees (docs/performance.md).
  const copySlots = createSlots('copy calls', config.concurrency);
  const operatorMetrics = createOperatorMetrics(registry, copySlots);

  const rainbond = createRainbondClient({
    baseUrl: config.rainbondUrl.toString(),
    copyTimeoutMs: config.copyTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    ...(config.rainbondCaFile ? { ca: readFileSync(config.rainbondCaFile) } : {}),
    onResponse: operatorMetrics.onRainbondResponse,
  });
  const core = kc.makeApiClient(CoreV1Api);
  const apiStore = createAppCopyStore(kc.makeApiClient(CustomObjectsApi));
  const events = createEventRecorder(core, { component: 'appcopy-operator', host: identity, now, logger });
  const credentials = createCredentialsResolver({
    secrets: createSecretReader(core),
    defaultToken: config.defaultToken,
    refuseDefaultToken: config.refuseDefaultToken,
  });

  const namespaces = config.watchNamespaces.length > 0 ? config.watchNamespaces : [undefined];
  const informers = namespaces.map((namespace) =>
    createInformer({
      name: `appcopies${namespace ? `/${namespace}` : ''}`,
      listWatch: createKubeListWatch(kc, {
        // 100, not 500: one page of full AppCopies is parsed at once, and that transient (about
        // 2.5 MB of JSON and 10 MB of objects per 500) is what the heap grows to during a list
        // and keeps afterwards; the cache itself holds little (docs/performance.md).
        pageSize: 100,
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        ...(namespace ? { namespace } : {}),
        ...(config.labelSelector ? { labelSelector: config.labelSelector } : {}),
      }),
      keyOf: objectKey,
      transform: toCachedAppCopy,
      resyncMs: config.resyncPeriodMs,
      watchSilenceMs: config.watchSilenceTimeoutMs,
      backoff: { baseMs: 500, maxMs: 30_000, jitter: 0.2 },
      clock: systemClock,
      logger,
    }),
  );
  const informer = informers.length === 1 ? informers[0]! : combineInformers('appcopies', informers);

  let elector: ReturnType<typeof createLeaderElector> | undefined;
  const following = config.followTimeoutMs > 0;
  const controller = createAppCopyController({
    informer,
    following,
    concurrency: 2 * config.concurrency, // twice the copy slots (see copySlots)
    clock: systemClock,
    logger,
    gate: () => elector === undefined || elector.isLeader(),
    metrics: runtimeMetrics.workQueue,
    makeReconcile: ({ targets, observeWritten }) => {
      // Every status the operator writes reaches the controller's copy index at once (copy/copying-index.ts).
      const store: AppCopyStore = {
        ...apiStore,
        async writeStatus(object, status) {
          const written = await apiStore.writeStatus(object, status);
          observeWritten(written);
          return written;
        },
      };
      const finalizer = createFinalizer({
        store,
        rainbond,
        credentials,
        events,
        verifySettleMs: config.verifySettleMs,
        pollMs: 2000,
        now,
      });
      const follower = createFollower({
        store,
        rainbond,
        credentials,
        events,
        settings: {
          followTimeoutMs: config.followTimeoutMs,
          followIntervalMs: config.followIntervalMs,
          followMaxIntervalMs: 60_000,
        },
        now,
        onFollowOutcome: operatorMetrics.onFollowOutcome,
      });
      return createReconciler({
        store,
        rainbond,
        credentials,
        events,
        targets,
        copySlots,
        settings: { verifySettleMs: config.verifySettleMs, targetBusyRecheckMs: 5000 },
        now,
        newAttemptId: randomUUID,
        logger,
        onCopyOutcome: operatorMetrics.onCopyOutcome,
        ...(hooks.failpoint ? { failpoint: hooks.failpoint } : {}),
        stages: {
          ...(following ? { follow: follower } : {}),
          finalize: finalizer.finalize,
          syncFinalizer: finalizer.syncFinalizer,
        },
      });
    },
  });

  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  const leaderAbort = new AbortController();
  let electorRun: Promise<void> = Promise.resolve();
  if (config.leaderElect) {
    elector = createLeaderElector({
      leases: createKubeLeaseClient(kc.makeApiClient(CoordinationV1Api)),
      namespace: config.leaderElectionNamespace,
      name: config.leaderElectionId,
      identity,
      leaseDurationMs: config.leaseDurationMs,
      renewDeadlineMs: config.renewDeadlineMs,
      retryPeriodMs: config.retryPeriodMs,
      clock: systemClock,
      logger,
      metrics: runtimeMetrics.leaderElection,
      onStartedLeading: () => logger.info({ identity }, 'became leader; starting work'),
      onStoppedLeading: () => {
        if (leaderAbort.signal.aborted) return;
        logger.error({ identity }, 'leadership lost; stopping so that only the new leader acts');
        resolveStopped(1);
      },
    });
    electorRun = elector.run(leaderAbort.signal);
  }

  controller.start();
  const health = await startHealthServer({
    host: config.healthAddress,
    port: config.healthPort,
    registry,
    checks: {
      healthz: () => true,
      readyz: () => (informer.hasSynced() ? true : 'the AppCopy cache has not been filled yet'),
    },
  });
  logger.info(
    {
      identity,
      namespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : 'all',
      concurrency: config.concurrency,
      leaderElection: config.leaderElect,
      healthPort: health.port,
      console: config.rainbondUrl.origin,
    },
    'operator started',
  );

  let shuttingDown: Promise<void> | undefined;
  return {
    healthPort: health.port,
    registry,
    stopped,
    shutdown() {
      shuttingDown ??= (async () => {
        logger.info(
          { gracePeriodMs: config.shutdownGracePeriodMs },
          'shutting down: no new work; in-flight copies finish',
        );
        // Reconciles still waiting for a copy slot stop before their intent (nothing written,
        // nothing sent: the next leader takes them up); copies already sent finish.
        copySlots.close();
        const drainStarted = systemClock.now();
        await controller.stop(config.shutdownGracePeriodMs);
        await events.flush(Math.max(0, config.shutdownGracePeriodMs - (systemClock.now() - drainStarted)));
        leaderAbort.abort();
        await electorRun.catch(() => undefined);
        if (elector)
          await elector
            .release()
            .catch((error: unknown) => logger.warn({ err: error }, 'could not release the lease'));
        rainbond.close();
        await health.close();
        logger.info('stopped');
      })();
      return shuttingDown;
    },
  };
}
