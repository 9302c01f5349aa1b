// Each overlay, rendered as a user installs it, goes through a real kube-apiserver's admission
// with a server-side dry run: schemas with strict field validation, RBAC objects, the CRDs, and
// Pod Security admission judging the Deployment's pod template against the namespace's labels.
// Then the single-namespace overlay is installed for real and the operator runs under its RBAC
// and settings: ready, copying through a RainbondConsole of its namespace, and nothing else.
//
// Two passes, because a dry run creates nothing: a namespaced object in a namespace that does
// not exist yet is refused even when the same apply creates the Namespace first. So the
// rendered Namespace is applied for real (pass 1, with its Pod Security labels, which pass 2's
// warnings depend on), then everything is applied with --dry-run=server (pass 2). Namespaces
// are never deleted: without kube-controller-manager they would stay Terminating.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { condition, isPhase } from '../../support/appcopies.ts';
import { consoles } from '../../support/consoles.ts';
import { eventually } from '../../support/eventually.ts';
import { createWorld } from '../../support/harness.ts';
import { applyManifestFile, kubectl, serverSideDryRun, testKubeConfig } from '../../support/kube.ts';
import { startOperatorProcess } from '../../support/operator-process.ts';
import { USERS } from '../../support/simulator/fixtures/default.ts';
import { kubeconfigAs } from '../../support/tools/chart-install.ts';
import { installSingleNamespaceOverlay } from '../../support/tools/overlay-install.ts';
import {
  COMPONENTS,
  type Component,
  OVERLAYS,
  type Overlay,
  parseManifests,
  renderText,
} from '../../unit/deploy/kustomize.ts';

const FIELD_MANAGER = 'appcopy-deploy-test';

/** Pass 1 (real) for the Namespaces, pass 2 (dry run) for everything; returns pass 2's result. */
async function dryRunInstall(manifests: string) {
  const objects = parseManifests(manifests);
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  expect(namespaces).toHaveLength(1);
  const created = await kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces }),
  });
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  // --force-conflicts: the CRD is already on the shared control plane, applied by the test
  // setup under another field manager; taking over its fields is what a re-install does too.
  const result = await serverSideDryRun(manifests, { fieldManager: FIELD_MANAGER, forceConflicts: true });
  return { objects, ...result };
}

/** `kind/name` as `kubectl -o name` prints it. */
function nameOf(object: { apiVersion: string; kind: string; metadata: { name: string } }): string {
  const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0]}` : '';
  return `${object.kind.toLowerCase()}${group}/${object.metadata.name}`;
}

beforeAll(async () => {
  // The service-monitor component needs the Prometheus Operator's CRD; a stand-in is enough.
  await applyManifestFile(
    testKubeConfig(),
    fileURLToPath(new URL('./fixtures/servicemonitor-crd.yaml', import.meta.url)),
  );
});

const cases: { overlay: Overlay; components: Component[]; moved: boolean }[] = OVERLAYS.flatMap((overlay) => [
  { overlay, components: [], moved: false },
  { overlay, components: [...COMPONENTS], moved: true },
]);

describe('installing an overlay, as a server-side dry run against a real API server', () => {
  it.each(cases)(
    '$overlay (components: $components, moved into a namespace of its own: $moved) is accepted without a warning',
    async ({ overlay, components, moved }) => {
      const namespace = moved ? `deploy-${overlay}-${randomBytes(4).toString('hex')}` : undefined;
      const manifests = renderText(overlay, { components, ...(namespace ? { namespace } : {}) });
      const { objects, code, stdout, stderr } = await dryRunInstall(manifests);
      // Any warning fails: a Pod Security violation, a deprecated API, an unknown field.
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const applied = stdout.trim().split('\n');
      expect(applied.sort()).toEqual(objects.map(nameOf).sort());
      if (namespace) {
        expect(
          objects
            .filter((o) => o.metadata?.namespace !== undefined)
            .every((o) => o.metadata?.namespace === namespace),
        ).toBe(true);
      }
    },
  );

  it('refuses a misspelt field, so the acceptance above means something', async () => {
    const manifests = renderText('cluster-wide').replace(
      'readOnlyRootFilesystem:',
      'readOnlyRootFileSystem:',
    );
    const { code, stderr } = await dryRunInstall(manifests);
    expect(code).not.toBe(0);
    expect(stderr).toContain('readOnlyRootFileSystem');
  });

  it('warns when the pod template breaks the restricted Pod Security Standard', async () => {
    const namespace = `deploy-pss-${randomBytes(4).toString('hex')}`;
    const manifests = renderText('cluster-wide', { namespace }).replace(
      'allowPrivilegeEscalation: false',
      'allowPrivilegeEscalation: true',
    );
    const { code, stderr } = await dryRunInstall(manifests);
    expect(code).toBe(0);
    expect(stderr).toMatch(/would violate PodSecurity "restricted:latest".*allowPrivilegeEscalation/);
  });
});

describe('the operator as the single-namespace overlay installs it', () => {
  it('becomes ready under its Roles alone, copies through a RainbondConsole of its namespace, and has no default console', async () => {
    const w = await createWorld();
    const installed = await installSingleNamespaceOverlay(w.namespace);
    expect(installed.env.WATCH_NAMESPACES).toBe(w.namespace);
    expect(installed.env.CLUSTER_CONSOLES).toBe('false');
    expect(installed.env.DEFAULT_CONSOLE).toBe('none');
    expect(installed.env.RAINBOND_URL).toBeUndefined();
    const operator = startOperatorProcess({
      kubeconfigPath: await kubeconfigAs(w.kc, w.namespace, installed.serviceAccount),
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

    // The namespace's own console: its token in a Secret here, its status written by the operator.
    await w.appcopies.putTokenSecret(w.namespace, 'console-token', USERS.alice.token);
    const own = await consoles(w.kc).createNamespaced(w.namespace, 'ours', {
      url: w.sim.url,
      credentialsSecretRef: { name: 'console-token' },
      limits: { copyTimeout: '5s' },
      allow: [{ sourceTeams: ['*'], targetTeams: ['*'] }],
    });
    await own.waitReady('True', 'ConsoleReady');
    const consoleEvents = await w.appcopies.events(w.namespace, 'ours', (e) => e.length > 0);
    expect(consoleEvents.map((e) => e.reason)).toContain('ConsoleReady');

    await w.appcopies.create(
      w.namespace,
      'through-ours',
      w.spec({ consoleRef: { kind: 'RainbondConsole', name: 'ours' } }),
    );
    const done = await w.appcopies.waitFor(w.namespace, 'through-ours', isPhase('Succeeded'));
    expect(done.status?.console).toMatchObject({ kind: 'RainbondConsole', name: 'ours' });
    expect(w.sim.ledger.copiesInto(w.targetAppId)).toHaveLength(1);

    // No default console, and no cluster consoles to name: both wait, and nothing is sent.
    const calls = w.sim.ledger.calls.length;
    const noConsole = w.newTargetApp();
    await w.appcopies.create(
      w.namespace,
      'no-console',
      w.spec({ target: { ...w.spec().target, appId: noConsole } }),
    );
    const waiting = await w.appcopies.waitFor(
      w.namespace,
      'no-console',
      (o) => condition(o, 'Ready')?.reason === 'ConsoleNotFound',
    );
    expect(waiting.status?.phase).toBe('Pending');
    expect(condition(waiting, 'Ready')?.message).toContain('DEFAULT_CONSOLE=none');
    await w.appcopies.create(
      w.namespace,
      'cluster-console',
      w.spec({
        target: { ...w.spec().target, appId: noConsole },
        consoleRef: { kind: 'ClusterRainbondConsole', name: 'shared' },
      }),
    );
    const refused = await w.appcopies.waitFor(
      w.namespace,
      'cluster-console',
      (o) => condition(o, 'Ready')?.reason === 'ConsoleNotFound',
    );
    expect(condition(refused, 'Ready')?.message).toContain('CLUSTER_CONSOLES=false');
    expect(w.sim.ledger.calls.slice(calls).filter((c) => c.route !== 'listTeams')).toEqual([]);
    expect(w.sim.ledger.copiesInto(noConsole)).toHaveLength(0);
    // Nothing it was refused: no forbidden answer from the API server in its log.
    expect(operator.output()).not.toMatch(/forbidden/i);
  });
});
