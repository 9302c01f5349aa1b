// The operator as the chart installs it: the chart's objects applied for real on the test bed,
// the operator process started with exactly the environment the chart's ConfigMap and
// Deployment give the container, authenticated as the chart's ServiceAccount (so the chart's
// RBAC is what it may do). It becomes ready, leads, copies, and then exposes every metric the
// alerts and the dashboard read. In the opt-in Secret mode, only a namespace that binds the
// chart's secret-reader ClusterRole gets its AppCopy copied.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { type ConsoleSpecInput, consoles } from '../../support/consoles.ts';
import { eventually } from '../../support/eventually.ts';
import { createWorld, type World } from '../../support/harness.ts';
import { createTestNamespace, kubectl } from '../../support/kube.ts';
import { type OperatorProcess, startOperatorProcess } from '../../support/operator-process.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';
import { tokenFingerprint } from '../../support/simulator/index.ts';
import { type Installed, installChart, kubeconfigAs } from '../../support/tools/chart-install.ts';
import { alertExpressions, dashboardExpressions, metricNames } from '../../support/tools/monitoring-files.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';

beforeAll(async () => {
  await ensureTool('helm');
  await ensureTool('promql-metric-names');
}, TOOL_BUILD_TIMEOUT_MS);

/**
 * Starts the operator with the chart's environment. What a pod has and a process on this
 * machine has not is mapped: the mounted default token file becomes a file of the test's, and
 * the health port is a free one on loopback (the probes' 8080 may be taken here).
 */
async function startAsChart(w: World, installed: Installed, namespace: string, defaultToken?: string) {
  const env: Record<string, string> = { ...installed.env, HEALTH_PORT: '0', HEALTH_ADDRESS: '127.0.0.1' };
  if (env.RAINBOND_TOKEN_FILE) {
    if (!defaultToken) throw new Error('the chart mounts a default token; give the test one');
    const dir = mkdtempSync(join(tmpdir(), 'appcopy-helm-token-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    env.RAINBOND_TOKEN_FILE = join(dir, 'token');
    writeFileSync(env.RAINBOND_TOKEN_FILE, defaultToken, { mode: 0o600 });
  }
  const kubeconfigPath = await kubeconfigAs(w.kc, namespace, installed.fullname);
  const operator: OperatorProcess = startOperatorProcess({ kubeconfigPath, rainbondUrl: w.sim.url, env });
  onTestFinished(() => operator.kill());
  const port = await operator.started;
  return { operator, port };
}

/** The sample names of a Prometheus text exposition (x_bucket, x_sum and x_count included). */
function sampleNames(exposition: string): Set<string> {
  return new Set(
    exposition
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? ''),
  );
}

describe('the operator as the chart installs it', () => {
  it('becomes ready with the chart’s environment and RBAC, leads, copies, and exposes every metric the alerts and dashboard read', async () => {
    const w = await createWorld();
    // An install that keeps the behaviour from before console resources: its own console, the
    // default for every AppCopy it watches (docs/helm.md, "Upgrading").
    const installed = await installChart(w.namespace, {
      defaultConsole: 'env',
      rainbond: { url: w.sim.url, copyTimeout: '5s', verifySettlePeriod: '6s' },
      watch: { scope: 'namespaces', namespaces: [w.namespace] },
      defaultToken: { existingSecret: 'appcopy-operator-token' },
      follow: { timeout: '0s' },
    });
    expect(installed.env.WATCH_NAMESPACES).toBe(w.namespace);
    expect(installed.env.CLUSTER_CONSOLES).toBe('false');
    const { port } = await startAsChart(w, installed, w.namespace, USERS.alice.token);

    await eventually(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        return response.status === 200 ? true : undefined;
      },
      { what: '/readyz to answer 200', timeoutMs: 30_000, intervalMs: 250 },
    );
    // It leads through the chart's Role: the Lease named by LEADER_ELECTION_ID, in its namespace.
    const lease = await eventually(
      async () => {
        const l = await w.kc
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({ namespace: w.namespace, name: installed.env.LEADER_ELECTION_ID! });
        return l.spec?.holderIdentity ? l : undefined;
      },
      { what: 'the Lease', timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(lease.metadata?.name).toBe(installed.fullname);

    await w.appcopies.create(w.namespace, 'as-the-chart', w.spec());
    await w.appcopies.waitFor(w.namespace, 'as-the-chart', isPhase('Succeeded'));
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);

    // appcopy_console_ready has a sample per console resource only (the operator's own console
    // is not one): a RainbondConsole in the watched namespace, checked through the chart's RBAC.
    await w.appcopies.putTokenSecret(w.namespace, 'console-token', USERS.alice.token);
    const own = await consoles(w.kc).createNamespaced(w.namespace, 'chart-console', {
      url: w.sim.url,
      credentialsSecretRef: { name: 'console-token' },
      allow: [{ sourceTeams: ['*'], targetTeams: ['*'] }],
    });
    await own.waitReady('True');

    const exposed = sampleNames(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    const expressions = [...alertExpressions(), ...dashboardExpressions()];
    const names = await metricNames(expressions.map((e) => e.expr));
    const missing = expressions.flatMap((e, i) =>
      names[i]!.filter((name) => !exposed.has(name)).map(
        (name) => `${name} (${'alert' in e ? e.alert : e.where})`,
      ),
    );
    expect(missing).toEqual([]);
    expect(names.flat().length).toBeGreaterThan(20);
  });

  it('with Secrets opt-in copies for a namespace that binds the secret reader, and makes one without it wait with what to bind, copying nothing', async () => {
    const w = await createWorld();
    const optedIn = await createTestNamespace(w.kc, 'helm-opted-in');
    const notOptedIn = await createTestNamespace(w.kc, 'helm-not-opted-in');
    // The two namespaces by name rather than every namespace: an operator watching all of them
    // would also check every other test's console resources on the shared control plane (the
    // label selector narrows AppCopies, not consoles), and without their Secrets mark them not
    // Ready. The Secret opt-in works the same way in both scopes: a RoleBinding to the reader.
    const installed = await installChart(w.namespace, {
      defaultConsole: 'env',
      rainbond: { url: w.sim.url, copyTimeout: '5s', verifySettlePeriod: '6s' },
      watch: { scope: 'namespaces', namespaces: [optedIn, notOptedIn] },
      secrets: { access: 'optIn', optInNamespaces: [optedIn] },
      refuseDefaultToken: true,
      follow: { timeout: '0s' },
    });
    expect(
      JSON.stringify(installed.objects.filter((o) => o.metadata.name === installed.fullname)),
    ).not.toContain('secrets');
    await startAsChart(w, installed, w.namespace);
    const reader = `${installed.fullname}-secret-reader`;

    // Both namespaces hold a Secret with a valid token; only the first bound the reader.
    await w.appcopies.putTokenSecret(optedIn, 'rainbond-token', USERS.alice.token);
    await w.appcopies.putTokenSecret(notOptedIn, 'rainbond-token', USERS.bob.token);
    const copy = async (namespace: string, targetAppId: number) => {
      await w.appcopies.create(
        namespace,
        'copy',
        w.spec({
          credentialsSecretRef: { name: 'rainbond-token' },
          target: {
            teamName: w.spec().target.teamName,
            regionName: w.spec().target.regionName,
            appId: targetAppId,
          },
        }),
      );
    };
    const blockedTarget = w.newTargetApp();
    await copy(notOptedIn, blockedTarget);
    await copy(optedIn, w.targetAppId);

    await w.appcopies.waitFor(optedIn, 'copy', isPhase('Succeeded'));
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);

    const waiting = await w.appcopies.waitFor(
      notOptedIn,
      'copy',
      (o) => condition(o, 'Ready')?.reason === 'CredentialsNotFound',
    );
    expect(waiting.status?.phase).toBe('Pending');
    expect(condition(waiting, 'Ready')?.message).toBe(
      `cannot use Secret ${notOptedIn}/rainbond-token named by spec.credentialsSecretRef: ` +
        `the operator may not read Secrets in namespace ${notOptedIn}. To let this namespace's AppCopies use their own Secret, ` +
        `bind the ClusterRole ${reader} to the operator here: kubectl -n ${notOptedIn} create rolebinding ${reader} ` +
        `--clusterrole=${reader} --serviceaccount=${w.namespace}:${installed.fullname}`,
    );
    // Zero copy calls for it: nothing reached the console with its token, nothing landed in its target.
    expect(w.sim.ledger.copiesInto(blockedTarget)).toHaveLength(0);
    expect(w.sim.ledger.calls.map((c) => c.tokenFingerprint)).not.toContain(
      tokenFingerprint(USERS.bob.token),
    );

    // Binding the reader, as the message says, is all it takes.
    const bound = await kubectl([
      'create',
      'rolebinding',
      '-n',
      notOptedIn,
      reader,
      `--clusterrole=${reader}`,
      `--serviceaccount=${w.namespace}:${installed.fullname}`,
    ]);
    expect(bound.code, bound.stderr).toBe(0);
    await w.appcopies.waitFor(
      notOptedIn,
      'copy',
      (o) => condition(o, 'Ready')?.reason !== 'CredentialsNotFound',
    );
    expect(w.sim.ledger.calls.map((c) => c.tokenFingerprint)).toContain(tokenFingerprint(USERS.bob.token));
  });
  it('watching every namespace, becomes ready, checks the ClusterRainbondConsole its values made, and copies through it by default within its rules only', async () => {
    const w = await createWorld();
    const allowed = await createTestNamespace(w.kc, 'helm-allowed');
    const other = await createTestNamespace(w.kc, 'helm-other');
    // Every namespace, cluster consoles on (the defaults of watch.scope=all); the label selector
    // keeps this operator to this test's AppCopies on the shared control plane. It also checks
    // the other tests' console resources, reading their Secrets as their own operators do.
    const shard = `helm-${randomBytes(3).toString('hex')}`;
    const consoleName = `helm-values-${shard}`;
    await w.appcopies.putTokenSecret(w.namespace, 'rainbond-production', USERS.alice.token);
    const installed = await installChart(w.namespace, {
      defaultConsole: `ClusterRainbondConsole/${consoleName}`,
      clusterConsoles: {
        items: [
          {
            name: consoleName,
            url: w.sim.url,
            credentialsSecretRef: { name: 'rainbond-production' },
            limits: { copyTimeout: '5s' },
            allow: [
              {
                name: 'allowed-namespace',
                namespaces: { names: [allowed] },
                sourceTeams: [w.spec().source.teamId],
                targetTeams: [w.spec().target.teamName],
              },
            ],
          },
        ],
      },
      watch: { scope: 'all', labelSelector: `appcopy.test/shard=${shard}` },
      follow: { timeout: '0s' },
    });
    expect(installed.env.RAINBOND_URL).toBeUndefined();
    expect(installed.env.CLUSTER_CONSOLES).toBe('true');
    const kubeconfigPath = await kubeconfigAs(w.kc, w.namespace, installed.fullname);
    const operator = startOperatorProcess({
      kubeconfigPath,
      rainbondUrl: undefined,
      env: { ...installed.env, HEALTH_PORT: '0', HEALTH_ADDRESS: '127.0.0.1' },
    });
    onTestFinished(() => operator.kill());
    const port = await operator.started;
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined),
      {
        what: () => `/readyz to answer 200:\n${operator.output().slice(-3000)}`,
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
    // Made by the chart with its Secret in the release namespace; its status written by the
    // operator through the chart's ClusterRole, after reading that Secret.
    const shared = consoles(w.kc).existing('ClusterRainbondConsole', consoleName);
    expect(((await shared.get())?.spec as ConsoleSpecInput | undefined)?.credentialsSecretRef).toEqual({
      namespace: w.namespace,
      name: 'rainbond-production',
      key: 'token',
    });
    await shared.waitReady('True', 'ConsoleReady');
    // Its Event, recorded under the chart's RBAC where the API server keeps Events about
    // cluster-scoped objects.
    const consoleEvents = await w.appcopies.events('default', consoleName, (e) =>
      e.some((x) => x.reason === 'ConsoleReady'),
    );
    expect(consoleEvents.map((e) => e.reason)).toContain('ConsoleReady');

    const create = async (namespace: string, targetAppId: number) => {
      await w.appcopies.create(
        namespace,
        'by-default',
        w.spec({ target: { ...w.spec().target, appId: targetAppId } }),
      );
      await kubectl(['label', '-n', namespace, 'appcopy', 'by-default', `appcopy.test/shard=${shard}`]);
    };
    const refusedTarget = w.newTargetApp();
    await create(other, refusedTarget);
    await create(allowed, w.targetAppId);
    const done = await w.appcopies.waitFor(allowed, 'by-default', isPhase('Succeeded'));
    expect(done.status?.console).toMatchObject({ kind: 'ClusterRainbondConsole', name: consoleName });
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);

    const refused = await w.appcopies.waitFor(
      other,
      'by-default',
      (o) => condition(o, 'Ready')?.reason === 'CopyNotAllowed',
    );
    expect(refused.status?.phase).toBe('Pending');
    expect(condition(refused, 'Ready')?.message).toContain(
      `rule "allowed-namespace" does not admit namespace ${other}`,
    );
    expect(w.sim.ledger.copiesInto(refusedTarget)).toHaveLength(0);
    expect(operator.output()).not.toMatch(/forbidden/i);
  });
});
