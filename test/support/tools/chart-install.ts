// The chart installed for real on the test bed (its objects applied, as `helm install` would),
// and what a pod of its Deployment would get: the container's environment as rendered, and a
// kubeconfig that authenticates as the chart's ServiceAccount (so the chart's RBAC is what the
// operator may do). Used where the operator runs as the chart runs it: as a process
// (test/integration/deploy/helm-operator.test.ts) and as the image (test/integration/image/);
// overlay-install.ts does the same for a kustomize overlay.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { expect, onTestFinished } from 'vitest';
import { kubectl } from '../kube.ts';
import { type Manifest, parseRendered, renderChartText, type Values } from './helm-chart.ts';

export interface Installed {
  objects: Manifest[];
  fullname: string;
  /** The container's environment as the chart renders it: ConfigMap, then `env`. */
  env: Record<string, string>;
}

/** Renders the chart into `namespace` and applies it for real (the CRD is already installed). */
export async function installChart(namespace: string, values: Values): Promise<Installed> {
  const release = `h${randomBytes(3).toString('hex')}`;
  const text = await renderChartText(values, { release, namespace });
  const applied = await kubectl(['apply', '--server-side', '--field-manager=appcopy-helm-test', '-f', '-'], {
    input: text,
  });
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  const objects = parseRendered(text);
  // Cluster consoles from clusterConsoles.items outlive the test's namespace: delete them after.
  for (const made of objects.filter((o) => o.kind === 'ClusterRainbondConsole')) {
    onTestFinished(async () => {
      await kubectl([
        'delete',
        'clusterrainbondconsole',
        made.metadata.name,
        '--ignore-not-found',
        '--wait=false',
      ]);
    });
  }
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  return { objects, fullname: deployment.metadata.name, env: podEnvironment(objects, namespace) };
}

/**
 * The environment the Deployment's container gets in `namespace`: its ConfigMaps, then `env`
 * (valueFrom metadata.namespace resolved; anything else the test cannot stand in for throws).
 */
export function podEnvironment(objects: Manifest[], namespace: string): Record<string, string> {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  if (!deployment) throw new Error('no Deployment in the manifests');
  const container = deployment.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const configMap = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef.name,
    );
    if (!configMap) throw new Error(`no ConfigMap ${source.configMapRef.name} in the manifests`);
    Object.assign(env, configMap.data);
  }
  for (const entry of (container.env ?? []) as {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string } };
  }[]) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[entry.name] = namespace;
    else throw new Error(`the test cannot resolve ${entry.name} from ${JSON.stringify(entry.valueFrom)}`);
  }
  return env;
}

/** A kubeconfig that authenticates as the chart's ServiceAccount (a TokenRequest token). */
export async function kubeconfigAs(
  admin: KubeConfig,
  namespace: string,
  serviceAccount: string,
): Promise<string> {
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace,
    name: serviceAccount,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster()!;
  const dir = mkdtempSync(join(tmpdir(), 'appcopy-helm-sa-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kubeconfig');
  const caData = cluster.caData ?? '';
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': caData } }],
      users: [{ name: serviceAccount, user: { token: token.status?.token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: serviceAccount, namespace } }],
      'current-context': 'test',
    }),
    { mode: 0o600 },
  );
  return path;
}
