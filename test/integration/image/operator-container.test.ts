// The operator's image, built with buildah from the Dockerfile as it is (`npm run image`), run
// with podman as the chart's pod would run: the securityContext, resources, environment,
// volumes and grace period come from `helm template` (test/support/image/pod-to-podman.ts), the
// chart's objects are applied for real and the operator authenticates as its ServiceAccount.
// It talks to the test bed's API server and to the Rainbond simulator on this machine's
// network: there is no service network here (no cluster DNS, no kubernetes.default Service),
// so instead of in-cluster config it gets a kubeconfig mounted read-only
// (test/support/image/operator-container.ts says what else stands in for a pod).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type BuiltImage, ensureImage } from '../../../scripts/image/build.ts';
import { isPhase } from '../../support/appcopies.ts';
import { eventually } from '../../support/eventually.ts';
import { createWorld, type World } from '../../support/harness.ts';
import { type OperatorContainer, startOperatorContainer } from '../../support/image/operator-container.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';
import { type Installed, installChart, kubeconfigAs } from '../../support/tools/chart-install.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';

/** A first build on a fresh machine: the tools from Debian, the stand-in bases, npm ci inside. */
const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;
const TOKEN_SECRET = 'appcopy-operator-token';

let image: BuiltImage;
beforeAll(async () => {
  await ensureTool('helm');
}, TOOL_BUILD_TIMEOUT_MS);
beforeAll(async () => {
  image = await ensureImage();
}, IMAGE_BUILD_TIMEOUT_MS);

/**
 * The chart installed into the world's namespace, watching it, with the default token mounted
 * and the operator's own console as the default (defaultConsole: env, as an upgraded install
 * keeps it).
 */
async function installFor(w: World): Promise<Installed> {
  return installChart(w.namespace, {
    defaultConsole: 'env',
    rainbond: { url: w.sim.url, copyTimeout: '5s', verifySettlePeriod: '6s' },
    watch: { scope: 'namespaces', namespaces: [w.namespace] },
    defaultToken: { existingSecret: TOKEN_SECRET },
    follow: { timeout: '0s' },
  });
}

async function runAsChart(w: World, installed: Installed): Promise<OperatorContainer> {
  const kubeconfigPath = await kubeconfigAs(w.kc, w.namespace, installed.fullname);
  const container = startOperatorContainer({
    objects: installed.objects,
    env: installed.env,
    kubeconfigPath,
    secrets: { [TOKEN_SECRET]: { token: USERS.alice.token } },
  });
  onTestFinished(() => container.remove());
  return container;
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

function ready(port: number, output: () => string) {
  return eventually(
    async () => ((await get(port, '/readyz').catch(() => undefined))?.status === 200 ? true : undefined),
    {
      what: () => `/readyz to answer 200:\n${output().slice(-3000)}`,
      timeoutMs: 60_000,
      intervalMs: 250,
    },
  );
}

describe('the image run as the chart runs it', () => {
  it('runs the image the chart names, built by npm run image', async () => {
    const w = await createWorld();
    const installed = await installFor(w);
    const deployment = installed.objects.find((o) => o.kind === 'Deployment')!;
    // The chart's appVersion is the image's tag, which is package.json's version.
    expect(deployment.spec.template.spec.containers[0].image).toBe(image.reference);
  });

  it('answers /healthz, /readyz and /metrics, and copies exactly once', async () => {
    const w = await createWorld();
    const installed = await installFor(w);
    const operator = await runAsChart(w, installed);
    const port = await operator.started;
    expect((await get(port, '/healthz')).status).toBe(200);
    await ready(port, operator.output);

    await w.appcopies.create(w.namespace, 'from-the-image', w.spec());
    const done = await w.appcopies.waitFor(w.namespace, 'from-the-image', isPhase('Succeeded'));
    expect(done.status?.services).toHaveLength(2);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect(w.sim.ledger.callsTo('copy').filter((c) => c.method === 'POST')).toHaveLength(1);

    const metrics = await get(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^appcopy_copies_total\{.*\} 1$/m);
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+/m);
    // The token reached the console from the mounted Secret, and never the log.
    expect(operator.output()).not.toContain(USERS.alice.token);
  });

  it('on podman stop exits 0 within the grace period, after recording the copy in flight', async () => {
    const w = await createWorld();
    const installed = await installFor(w);
    const deployment = installed.objects.find((o) => o.kind === 'Deployment')!;
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds as number;
    // The console takes 3 s to answer the copy: well inside SHUTDOWN_GRACE_PERIOD (25s).
    expect(installed.env.SHUTDOWN_GRACE_PERIOD).toBe('25s');
    const slow = w.sim.faults.add({ route: 'copy', kind: 'latency', ms: 3000 });
    const operator = await runAsChart(w, installed);
    expect(operator.run.stopTimeoutSeconds).toBe(grace);
    await ready(await operator.started, operator.output);

    await w.appcopies.create(w.namespace, 'in-flight', w.spec());
    // The copy call has reached the console, which is holding it.
    await eventually(() => (w.sim.faults.list().find((f) => f.id === slow)?.hits === 1 ? true : undefined), {
      what: 'the copy call to reach the console',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(0);

    const exit = await operator.stop();
    // 0, not 137: it ended by itself before podman stop's grace period ran out and SIGKILLed it.
    expect(exit.code, operator.output().slice(-3000)).toBe(0);
    expect((await operator.inspect()).exitCode).toBe(0);
    const recorded = await w.appcopies.get(w.namespace, 'in-flight');
    expect(recorded?.status?.phase).toBe('Succeeded');
    expect(recorded?.status?.services).toHaveLength(2);
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
  });

  it('two containers elect one leader; when the leader is killed the standby takes over and copies', async () => {
    const w = await createWorld();
    const installed = await installFor(w);
    const lease = () =>
      w.kc
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ namespace: w.namespace, name: installed.env.LEADER_ELECTION_ID! })
        .catch(() => undefined);
    const identityOf = (c: OperatorContainer) =>
      c.logs.find((l) => l.msg === 'became leader; starting work')?.identity as string | undefined;
    const containers = [await runAsChart(w, installed), await runAsChart(w, installed)];
    for (const c of containers) await ready(await c.started, c.output);

    const leader = await eventually(() => containers.find((c) => identityOf(c) !== undefined), {
      what: 'one container to lead',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const standby = containers.find((c) => c !== leader)!;
    expect(identityOf(standby)).toBeUndefined();
    expect((await lease())?.spec?.holderIdentity).toBe(identityOf(leader));
    await w.appcopies.create(w.namespace, 'first', w.spec());
    await w.appcopies.waitFor(w.namespace, 'first', isPhase('Succeeded'));

    // SIGKILL: no chance to release the Lease; the standby waits out its duration.
    await leader.kill();
    expect((await leader.inspect()).exitCode).toBe(137);
    const takenOver = await eventually(
      async () => {
        const holder = (await lease())?.spec?.holderIdentity;
        return holder && holder === identityOf(standby) ? holder : undefined;
      },
      {
        what: () => `the standby to take the Lease:\n${standby.output().slice(-2000)}`,
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    expect(takenOver).not.toBe(identityOf(leader));

    const second = w.newTargetApp();
    await w.appcopies.create(
      w.namespace,
      'second',
      w.spec({ target: { ...w.spec().target, appId: second } }),
    );
    await w.appcopies.waitFor(w.namespace, 'second', isPhase('Succeeded'));
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);
    expect(w.sim.ledger.copiesInto(second)).toHaveLength(1);
  });

  it('runs as 65532 with no capabilities, no privilege escalation and seccomp, within the chart’s memory limit', async () => {
    const w = await createWorld();
    const installed = await installFor(w);
    const operator = await runAsChart(w, installed);
    await ready(await operator.started, operator.output);
    const state = await operator.inspect();
    // The container's first process, read from this machine's /proc: no user namespace here.
    const status = readFileSync(`/proc/${state.pid}/status`, 'utf8');
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim();
    expect(field('Uid')?.split(/\s+/)).toEqual(['65532', '65532', '65532', '65532']);
    expect(field('Gid')?.split(/\s+/)).toEqual(['65532', '65532', '65532', '65532']);
    expect(field('Groups')?.split(/\s+/)).toContain('65532');
    expect(field('CapEff')).toBe('0000000000000000');
    expect(field('CapPrm')).toBe('0000000000000000');
    expect(field('CapBnd')).toBe('0000000000000000');
    expect(field('NoNewPrivs')).toBe('1');
    // 2: a seccomp filter is on (podman's default profile, the chart's RuntimeDefault).
    expect(field('Seccomp')).toBe('2');
    expect(readFileSync(`/proc/${state.pid}/cmdline`, 'utf8').split('\0')).toEqual([
      '/nodejs/bin/node',
      'dist/main.js',
      '',
    ]);
    const limit = cgroupMemoryLimit(state.cgroupPath);
    expect(limit).toBe(operator.run.memoryLimitBytes);
    expect(limit).toBe(512 * 2 ** 20);
  });

  it('cannot write its file system but the chart’s /tmp, and has no shell', async () => {
    const w = await createWorld();
    const installed = await installFor(w);
    const operator = await runAsChart(w, installed);
    await ready(await operator.started, operator.output);
    // Node is the only program in the image; it tries each write and prints the error code.
    const tryWrite = await operator.exec([
      '/nodejs/bin/node',
      '-e',
      `const fs = require('node:fs');
       for (const path of ['/app/dist/main.js', '/app/new', '/etc/passwd', '/nodejs/bin/x', '/home/nonroot/x', '/x', '/var/x', '/tmp/x']) {
         try { fs.writeFileSync(path, 'x'); console.log(path, 'written'); }
         catch (error) { console.log(path, error.code); }
       }`,
    ]);
    expect(tryWrite.stderr).toBe('');
    expect(tryWrite.stdout.trim().split('\n')).toEqual([
      '/app/dist/main.js EROFS',
      '/app/new EROFS',
      '/etc/passwd EROFS',
      '/nodejs/bin/x EROFS',
      '/home/nonroot/x EROFS',
      '/x EROFS',
      '/var/x EROFS',
      // The chart's emptyDir, the one writable place.
      '/tmp/x written',
    ]);
    for (const shell of ['/bin/sh', 'sh', '/bin/bash', '/busybox/sh', '/usr/bin/env']) {
      const tried = await operator.exec([shell, '-c', 'true']);
      expect(tried.code, shell).not.toBe(0);
      expect(tried.stderr, shell).toMatch(/no such file or directory|executable file not found/i);
    }
  });
});

/** The memory limit of a container's cgroup (v1 memory hierarchy or v2 unified). */
function cgroupMemoryLimit(cgroupPath: string): number {
  const v2 = join('/sys/fs/cgroup', cgroupPath, 'memory.max');
  try {
    return Number(readFileSync(v2, 'utf8').trim());
  } catch {
    return Number(
      readFileSync(join('/sys/fs/cgroup/memory', cgroupPath, 'memory.limit_in_bytes'), 'utf8').trim(),
    );
  }
}
