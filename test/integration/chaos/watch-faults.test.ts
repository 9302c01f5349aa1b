// Watch faults, with the operator as its own process: the API server restarts under it (a
// graceful stop and a crash), and its connections to the API server go silent without closing
// (a dropped NAT entry). Either way no AppCopy is missed: every one created after the fault is
// copied, exactly once. A control plane of its own, since restarting the shared one would
// disturb every other test.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type AppCopySpecInput, appCopies, isPhase } from '../../support/appcopies.ts';
import { applyManifestFile } from '../../support/control-plane/apply-manifests.ts';
import { type ControlPlane, startControlPlane } from '../../support/control-plane/control-plane.ts';
import { EventuallyTimeoutError, eventually } from '../../support/eventually.ts';
import { createTestNamespace } from '../../support/kube.ts';
import { type OperatorProcess, startOperatorProcess } from '../../support/operator-process.ts';
import { APPS, COMPONENTS, REGION, TEAMS, USERS } from '../../support/simulator/fixtures/default.ts';
import { type Simulator, startSimulator } from '../../support/simulator/index.ts';
import { type FreezableProxy, startFreezableProxy } from '../runtime/freezable-proxy.ts';
import { startBlackHoleProxy } from './black-hole-proxy.ts';

const CRD = new URL('../../../crds/appcopies.openapi.rainbond.io.yaml', import.meta.url).pathname;

let controlPlane: ControlPlane;
beforeAll(async () => {
  controlPlane = await startControlPlane();
  await applyManifestFile(controlPlane.kubeConfig(), CRD);
});
afterAll(async () => {
  await controlPlane?.stop();
});

let nextTarget = 20_000;

/** A kubeconfig file for the control plane, reached through a proxy on `port`. */
function kubeconfigThrough(port: number): string {
  const server = new URL(controlPlane.server);
  const kc = controlPlane.kubeConfig();
  const cluster = kc.getCurrentCluster()!;
  kc.clusters = kc.clusters.map((c) =>
    c.name === cluster.name ? { ...c, server: `https://${server.hostname}:${port}` } : c,
  );
  const path = join(controlPlane.runDir, `kubeconfig-proxied-${port}`);
  writeFileSync(path, kc.exportConfig());
  return path;
}

/** A namespace, a simulator and an operator process watching that namespace through `kubeconfigPath`. */
async function setUp(kubeconfigPath: string, env: Record<string, string> = {}) {
  const kc = controlPlane.kubeConfig();
  const namespace = await createTestNamespace(kc, 'watch');
  const sim: Simulator = await startSimulator();
  const operator: OperatorProcess = startOperatorProcess({
    kubeconfigPath,
    rainbondUrl: sim.url,
    env: {
      WATCH_NAMESPACES: namespace,
      RAINBOND_TOKEN: USERS.alice.token,
      RAINBOND_COPY_TIMEOUT: '2s',
      VERIFY_SETTLE_PERIOD: '3s',
      // Only the watch (or its watchdog) can bring new AppCopies in: no periodic resync.
      RESYNC_PERIOD: '1h',
      ...env,
    },
  });
  onTestFinished(async () => {
    await operator.kill();
    await sim.stop();
  });
  await operator.started;
  const api = appCopies(kc);
  const create = async (name: string) => {
    const targetAppId = nextTarget++;
    sim.state.addApp({ ID: targetAppId, team: TEAMS.staging.tenantName, region: REGION, group_name: name });
    const spec: AppCopySpecInput = {
      source: { teamId: TEAMS.shop.tenantName, regionName: REGION, appId: APPS.shopOnline },
      target: { teamName: TEAMS.staging.tenantName, regionName: REGION, appId: targetAppId },
      services: [{ serviceId: COMPONENTS.web.serviceId }],
    };
    await api.create(namespace, name, spec);
    return targetAppId;
  };
  /** Waits for every AppCopy to succeed and checks that each was copied exactly once. */
  const expectCopiedOnce = async (targets: Map<string, number>, timeoutMs: number) => {
    for (const [name, targetAppId] of targets) {
      await api.waitFor(namespace, name, isPhase('Succeeded'), timeoutMs);
      expect(sim.ledger.copiesInto(targetAppId), name).toHaveLength(1);
    }
  };
  return { namespace, sim, operator, create, expectCopiedOnce };
}

describe('watch faults: no AppCopy is missed', () => {
  it.each([
    ['stopped gracefully (SIGTERM)', 'SIGTERM'],
    ['crashed (SIGKILL)', 'SIGKILL'],
  ] as const)(
    'the API server %s and started again: AppCopies created afterwards are copied',
    async (_name, signal) => {
      const w = await setUp(controlPlane.kubeconfigPath);
      const before = new Map([['before', await w.create('before')]]);
      await w.expectCopiedOnce(before, 30_000);

      await controlPlane.restartApiServer({ signal });
      const after = new Map<string, number>();
      for (const name of ['after-1', 'after-2', 'after-3']) after.set(name, await w.create(name));

      await w.expectCopiedOnce(after, 60_000);
      await w.expectCopiedOnce(before, 1000);
      expect(w.operator.child.exitCode).toBeNull();
      expect(w.operator.logs.some((l) => l.msg === 'list or watch failed; relisting after backoff')).toBe(
        true,
      );
    },
  );

  it('a watch gone silent (connections that stay open but carry nothing): relisted, and what it missed is copied', async () => {
    const server = new URL(controlPlane.server);
    const proxy: FreezableProxy = await startFreezableProxy({
      host: server.hostname,
      port: Number(server.port),
    });
    onTestFinished(() => proxy.close());
    const proxied = controlPlane.kubeConfig();
    const cluster = proxied.getCurrentCluster()!;
    proxied.clusters = proxied.clusters.map((c) =>
      c.name === cluster.name ? { ...c, server: `https://${server.hostname}:${proxy.port}` } : c,
    );
    const kubeconfigPath = join(controlPlane.runDir, `kubeconfig-proxied-${proxy.port}`);
    writeFileSync(kubeconfigPath, proxied.exportConfig());

    const w = await setUp(kubeconfigPath, { WATCH_SILENCE_TIMEOUT: '5s' });
    const before = new Map([['quiet-before', await w.create('quiet-before')]]);
    await w.expectCopiedOnce(before, 30_000);

    // Every connection the operator has open now (the watch among them) goes silent.
    expect(proxy.freezeOpenConnections()).toBeGreaterThan(0);
    const missed = new Map<string, number>();
    for (const name of ['quiet-1', 'quiet-2', 'quiet-3']) missed.set(name, await w.create(name));

    await w.expectCopiedOnce(missed, 45_000);
    expect(w.operator.logs.some((l) => l.msg === 'watch went silent; relisting')).toBe(true);
    expect(w.operator.child.exitCode).toBeNull();
  });

  it('a network cut to the API server while copies are in flight, then healed: every AppCopy settles, copied once', async () => {
    const server = new URL(controlPlane.server);
    const proxy = await startBlackHoleProxy({ host: server.hostname, port: Number(server.port) });
    onTestFinished(() => proxy.close());
    const w = await setUp(kubeconfigThrough(proxy.port), { WATCH_SILENCE_TIMEOUT: '5s' });
    // Slow copies: when the network goes, outcomes are waiting to be written.
    w.sim.faults.add({ route: 'copy', kind: 'latency', ms: 1500 });
    const targets = new Map<string, number>();
    for (let i = 0; i < 6; i++) targets.set(`cut-${i}`, await w.create(`cut-${i}`));
    // Cut whatever is in flight once two copies were sent, or after 20 s at most.
    await eventually(() => w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST').length >= 2, {
      what: 'two copies sent',
      timeoutMs: 20_000,
      intervalMs: 50,
    }).catch((error: unknown) => {
      if (!(error instanceof EventuallyTimeoutError)) throw error;
    });
    expect(proxy.cut()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    proxy.heal();

    await w.expectCopiedOnce(targets, 90_000);
    expect(w.operator.child.exitCode).toBeNull();
  });
});
