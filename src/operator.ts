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
  startHealthServer,
  systemClock,
  withRequestTimeout,
} from '@appcopy/kube-runtime';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { GROUP, objectKey, PLURAL, VERSION } from './api/appcopy.ts';
import {
  CLUSTER_CONSOLE_KIND,
  CLUSTER_CONSOLE_PLURAL,
  CONSOLE_KIND,
  CONSOLE_PLURAL,
  describeConsole,
  normalizeConsoleUrl,
  OPERATOR_CONSOLE_KEY,
} from './api/console.ts';
import type { Config } from './config.ts';
import {
  type CachedNamespace,
  consoleObjectKey,
  createConsoleCatalogue,
  toCachedNamespace,
  toConsoleObject,
} from './consoles/catalogue.ts';
import { createConnections } from './consoles/connections.ts';
import { createConsoleCheck, parseConsoleKey } from './consoles/console-check.ts';
import { type ConsoleController, createConsoleController } from './consoles/console-controller.ts';
import { readOperatorConsoleRelease } from './consoles/operator-console-release.ts';
import { createAppCopyController } from './controller/appcopy-controller.ts';
import { toCachedAppCopy } from './controller/cached-appcopy.ts';
import { createConsoleAccessor } from './controller/console-access.ts';
import { createCredentialsResolver } from './controller/credentials.ts';
import { createFinalizer } from './controller/finalize.ts';
import { createFollower } from './controller/follow.ts';
import { createReconciler } from './controller/reconciler.ts';
import { type AppCopyStore, createAppCopyStore } from './k8s/appcopy-store.ts';
import { createConfigMapReader } from './k8s/config-map-reader.ts';
import { createConsoleStore } from './k8s/console-store.ts';
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
  const core = kc.makeApiClient(CoreV1Api);
  const customObjects = kc.makeApiClient(CustomObjectsApi);
  const apiStore = createAppCopyStore(customObjects);
  const events = createEventRecorder(core, { component: 'appcopy-operator', host: identity, now, logger });
  const secrets = createSecretReader(core);
  const credentials = createCredentialsResolver({
    secrets,
    defaultToken: config.defaultToken,
    refuseDefaultToken: config.refuseDefaultToken,
  });

  // One connection per console: its own client (pool, CA, timeouts) and copy slots. A console's
  // copy concurrency (CONCURRENCY for the operator's own) bounds the copy calls in flight there,
  // the load on that console; twice CONCURRENCY reconciles run, so that while copies are in
  // flight the next ones are read, checked and locked, ready to go the moment a slot frees
  // (docs/performance.md).
  let operatorMetrics: ReturnType<typeof createOperatorMetrics> | undefined;
  const connections = createConnections({
    makeClient: (key, settings) =>
      createRainbondClient({
        baseUrl: settings.url,
        copyTimeoutMs: settings.copyTimeoutMs,
        requestTimeoutMs: settings.requestTimeoutMs,
        ...(settings.ca === undefined ? {} : { ca: settings.ca }),
        ...(key === OPERATOR_CONSOLE_KEY ? {} : { caSetting: `spec.caBundle of ${describeConsoleKey(key)}` }),
        onResponse: (event) => operatorMetrics?.onRainbondResponse(key, event),
      }),
    later: (ms, close) => setTimeout(close, ms).unref(),
  });
  operatorMetrics = createOperatorMetrics(registry, () => connections.list());
  const metrics = operatorMetrics;
  const operatorConsole = config.rainbondUrl
    ? {
        connection: connections.configure(OPERATOR_CONSOLE_KEY, {
          generation: undefined,
          url: normalizeConsoleUrl(config.rainbondUrl.toString()),
          ca: config.rainbondCaFile ? readFileSync(config.rainbondCaFile, 'utf8') : undefined,
          copyTimeoutMs: config.copyTimeoutMs,
          requestTimeoutMs: config.requestTimeoutMs,
          copyConcurrency: config.concurrency,
          settleMs: config.verifySettleMs,
        }),
      }
    : undefined;
  if (operatorConsole) {
    // The operator's own console has no resource to report on and no rules: it is not checked,
    // and its AppCopies meet its troubles as they come (ConsoleUnavailable, Unauthorized).
    operatorConsole.connection.readiness = {
      ready: true,
      reason: 'NotChecked',
      message: "the operator's own console is not checked",
    };
  }
  const toCached = (raw: unknown) => toCachedAppCopy(raw, operatorConsole?.connection.settings.url);

  const namespaces = config.watchNamespaces.length > 0 ? config.watchNamespaces : [undefined];
  const informerDefaults = {
    resyncMs: config.resyncPeriodMs,
    watchSilenceMs: config.watchSilenceTimeoutMs,
    backoff: { baseMs: 500, maxMs: 30_000, jitter: 0.2 },
    clock: systemClock,
    logger,
  };
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
      transform: toCached,
      ...informerDefaults,
    }),
  );
  const informer = informers.length === 1 ? informers[0]! : combineInformers('appcopies', informers);

  // The console resources and namespace labels, from informers: a copy's console, rules and
  // token cost no API server request (its own credentials Secret aside).
  // The console kinds are optional to an upgraded install whose CRDs were not applied yet (Helm
  // does not install new CRDs on upgrade): a missing CRD reads as no consoles, loudly, and the
  // operator still serves AppCopies through its own console.
  const absentKinds = new Set<string>();
  const whenAbsent = (kind: string) => ({
    whenAbsent: 'empty' as const,
    onAbsent: (absent: boolean) => {
      if (absent) {
        absentKinds.add(kind);
        logger.warn(
          { kind },
          'the API server does not serve this kind: its CRD is not installed (kubectl apply --server-side -k crds/); AppCopies naming such a console wait',
        );
      } else {
        absentKinds.delete(kind);
        logger.info({ kind }, 'the kind is served now');
      }
    },
  });
  const consoleInformers = namespaces.map((namespace) =>
    createInformer({
      name: `rainbondconsoles${namespace ? `/${namespace}` : ''}`,
      listWatch: createKubeListWatch(kc, {
        group: GROUP,
        version: VERSION,
        plural: CONSOLE_PLURAL,
        ...(namespace ? { namespace } : {}),
        ...whenAbsent(CONSOLE_KIND),
      }),
      keyOf: consoleObjectKey,
      transform: toConsoleObject(CONSOLE_KIND),
      ...informerDefaults,
    }),
  );
  const consoleInformer =
    consoleInformers.length === 1
      ? consoleInformers[0]!
      : combineInformers('rainbondconsoles', consoleInformers);
  const clusterConsoleInformer = config.clusterConsoles
    ? createInformer({
        name: 'clusterrainbondconsoles',
        listWatch: createKubeListWatch(kc, {
          group: GROUP,
          version: VERSION,
          plural: CLUSTER_CONSOLE_PLURAL,
        }),
        keyOf: consoleObjectKey,
        transform: toConsoleObject(CLUSTER_CONSOLE_KIND),
        ...informerDefaults,
      })
    : undefined;
  // Namespaces only for the cluster consoles' selectors: a RainbondConsole serves its own namespace.
  const namespaceInformer = config.clusterConsoles
    ? createInformer({
        name: 'namespaces',
        listWatch: createKubeListWatch(kc, { group: '', version: 'v1', plural: 'namespaces', pageSize: 500 }),
        keyOf: (n: CachedNamespace) => n.name,
        transform: toCachedNamespace,
        ...informerDefaults,
      })
    : undefined;
  const catalogue = createConsoleCatalogue({
    consoles: consoleInformer,
    clusterConsoles: clusterConsoleInformer,
    namespaces: namespaceInformer,
    absentKinds,
  });

  let consoleController: ConsoleController | undefined;
  const consoles = createConsoleAccessor({
    catalogue,
    connections,
    credentials,
    defaultConsole: config.defaultConsole,
    operatorConsole,
    recheck: (key) => consoleController?.recheck(key),
  });

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
    toCached,
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
      const finalizer = createFinalizer({ store, events, pollMs: 2000, now });
      const follower = createFollower({
        store,
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
        consoles,
        events,
        targets,
        settings: { targetBusyRecheckMs: 5000, consoleUncheckedRecheckMs: 1000 },
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

  const wakeConsoleUsers = (key: string) => controller.wakeConsoleUsers(key, consoles.defaultConsoleKey());
  consoleController = createConsoleController({
    consoles: consoleInformer,
    clusterConsoles: clusterConsoleInformer,
    namespaces: namespaceInformer,
    check: createConsoleCheck({
      catalogue,
      connections,
      secrets,
      configMaps: createConfigMapReader(core),
      store: createConsoleStore(customObjects),
      events,
      defaults: {
        copyTimeoutMs: config.copyTimeoutMs,
        requestTimeoutMs: config.requestTimeoutMs,
        copyConcurrency: config.concurrency,
        verifySettleMs: config.verifySettleMs,
      },
      checkIntervalMs: config.consoleCheckIntervalMs,
      now,
      logger,
      onChange: wakeConsoleUsers,
      onReadiness: metrics.onConsoleReadiness,
      onRelease: metrics.onConsoleRelease,
    }),
    onRulesChanged: wakeConsoleUsers,
    onNamespaceChanged: (namespace) => controller.wakeNamespace(namespace),
    maxBackoffMs: config.consoleCheckIntervalMs,
    clock: systemClock,
    logger,
    gate: () => elector === undefined || elector.isLeader(),
  });
  const consoleWork = consoleController;

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

  consoleWork.start();
  controller.start();
  const releaseReads = new AbortController();
  if (operatorConsole) {
    readOperatorConsoleRelease({
      connection: operatorConsole.connection,
      intervalMs: config.consoleCheckIntervalMs,
      logger,
      onRelease: metrics.onConsoleRelease,
      signal: releaseReads.signal,
    });
  }
  const health = await startHealthServer({
    host: config.healthAddress,
    port: config.healthPort,
    registry,
    checks: {
      healthz: () => true,
      readyz: () =>
        !informer.hasSynced()
          ? 'the AppCopy cache has not been filled yet'
          : !catalogue.synced()
            ? 'the console and namespace caches have not been filled yet'
            : true,
    },
  });
  logger.info(
    {
      identity,
      namespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : 'all',
      concurrency: config.concurrency,
      leaderElection: config.leaderElect,
      healthPort: health.port,
      console: config.rainbondUrl?.origin ?? 'none',
      defaultConsole: consoles.defaultConsoleKey() ?? 'none',
      clusterConsoles: config.clusterConsoles,
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
        for (const connection of connections.list()) connection.copySlots.close();
        releaseReads.abort();
        const drainStarted = systemClock.now();
        await Promise.all([
          controller.stop(config.shutdownGracePeriodMs),
          consoleWork.stop(config.shutdownGracePeriodMs),
        ]);
        await events.flush(Math.max(0, config.shutdownGracePeriodMs - (systemClock.now() - drainStarted)));
        leaderAbort.abort();
        await electorRun.catch(() => undefined);
        if (elector)
          await elector
            .release()
            .catch((error: unknown) => logger.warn({ err: error }, 'could not release the lease'));
        connections.closeAll();
        await health.close();
        logger.info('stopped');
      })();
      return shuttingDown;
    },
  };
}

/** A console key in words, for messages. */
function describeConsoleKey(key: string): string {
  const id = parseConsoleKey(key);
  return id ? describeConsole(id) : key;
}
