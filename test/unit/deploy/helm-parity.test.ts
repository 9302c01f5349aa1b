import { beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, renderChart, type Values } from '../../support/tools/helm-chart.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';
import { type K8sObject, OPERATOR_NAMESPACE, render } from './kustomize.ts';

beforeAll(async () => {
  await ensureTool('helm');
}, TOOL_BUILD_TIMEOUT_MS);

type AnyObject = Manifest | K8sObject;

const isRole = (o: AnyObject) => o.kind === 'Role' || o.kind === 'ClusterRole';
const isBinding = (o: AnyObject) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding';
const roleKey = (kind: string, name: string, namespace?: string) =>
  kind === 'ClusterRole' ? `ClusterRole ${name}` : `Role ${namespace}/${name}`;

/** Every `scope: group/resource verb` the ServiceAccount is granted, sorted. */
function grants(objects: AnyObject[], account: { name: string; namespace: string }): string[] {
  const roles = new Map(
    objects.filter(isRole).map((r) => [roleKey(r.kind, r.metadata.name, r.metadata.namespace), r]),
  );
  const out: string[] = [];
  for (const binding of objects.filter(isBinding)) {
    const bound = (binding.subjects ?? []).some(
      (s: { kind: string; name: string; namespace?: string }) =>
        s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
    );
    if (!bound) continue;
    const role = roles.get(roleKey(binding.roleRef.kind, binding.roleRef.name, binding.metadata.namespace));
    if (!role)
      throw new Error(`${binding.kind} ${binding.metadata.name} refers to a role not in the manifests`);
    const scope =
      binding.kind === 'ClusterRoleBinding' ? 'cluster' : `namespace ${binding.metadata.namespace}`;
    for (const rule of role.rules ?? [])
      for (const group of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? [])
          for (const verb of rule.verbs ?? []) out.push(`${scope}: ${group}/${resource} ${verb}`);
  }
  return [...new Set(out)].sort();
}

/** Roles bound to no one here (for people, or for namespaces to bind): their rules and aggregation labels. */
function offeredRoles(objects: AnyObject[]): string[] {
  const bound = new Set(
    objects.filter(isBinding).map((b) => roleKey(b.roleRef.kind, b.roleRef.name, b.metadata.namespace)),
  );
  return objects
    .filter(isRole)
    .filter((r) => !bound.has(roleKey(r.kind, r.metadata.name, r.metadata.namespace)))
    .map((r) => {
      const aggregation = Object.keys(r.metadata.labels ?? {})
        .filter((l) => l.startsWith('rbac.authorization.k8s.io/aggregate-to-'))
        .sort();
      return JSON.stringify({ kind: r.kind, rules: r.rules, aggregation });
    })
    .sort();
}

function pod(objects: AnyObject[]) {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  if (!deployment) throw new Error('no Deployment');
  return deployment.spec.template.spec;
}

function specOf(objects: AnyObject[], kind: string) {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!.spec;
}

/** Label selectors name the release in the chart; compare everything else. */
function withoutSelectors(spec: unknown): unknown {
  return JSON.parse(
    JSON.stringify(spec, (key, value) => (key === 'podSelector' || key === 'selector' ? undefined : value)),
  );
}

const cases: { name: string; chart: Values; kustomize: () => K8sObject[] }[] = [
  {
    name: 'all namespaces ↔ overlays/cluster-wide',
    chart: { watch: { scope: 'all' } },
    kustomize: () => render('cluster-wide'),
  },
  {
    name: 'its own namespace ↔ overlays/single-namespace',
    chart: { watch: { scope: 'namespaces', namespaces: [OPERATOR_NAMESPACE] } },
    kustomize: () => render('single-namespace'),
  },
  {
    name: 'Secrets opt-in ↔ overlays/cluster-wide + components/secrets-opt-in',
    chart: { watch: { scope: 'all' }, secrets: { access: 'optIn' } },
    kustomize: () => render('cluster-wide', { components: ['secrets-opt-in'] }),
  },
];

describe.each(cases)('the chart watching $name', ({ chart, kustomize }) => {
  // Release "appcopy-operator": the chart's full name is then the overlays' names.
  const account = { name: 'appcopy-operator', namespace: OPERATOR_NAMESPACE };
  let fromChart: Manifest[];
  let fromKustomize: K8sObject[];
  beforeAll(async () => {
    fromChart = await renderChart(chart, { release: 'appcopy-operator', namespace: OPERATOR_NAMESPACE });
    fromKustomize = kustomize();
  });

  it('grants the operator the same verbs in the same scopes', () => {
    expect(grants(fromChart, account)).toEqual(grants(fromKustomize, account));
    expect(grants(fromChart, account).length).toBeGreaterThan(0);
  });

  it('offers the same unbound roles (user roles, and the Secret reader in opt-in mode)', () => {
    expect(offeredRoles(fromChart)).toEqual(offeredRoles(fromKustomize));
  });

  it('runs the same hardened pod: security contexts, resources, probes, grace period', () => {
    const [c, k] = [pod(fromChart), pod(fromKustomize)];
    expect(c.securityContext).toEqual(k.securityContext);
    expect(c.containers[0].securityContext).toEqual(k.containers[0].securityContext);
    expect(c.containers[0].resources).toEqual(k.containers[0].resources);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
      expect(c.containers[0][probe], probe).toEqual(k.containers[0][probe]);
    expect(c.containers[0].ports).toEqual(k.containers[0].ports);
    expect(c.terminationGracePeriodSeconds).toBe(k.terminationGracePeriodSeconds);
    expect(c.volumes).toEqual(k.volumes);
    expect(c.hostNetwork ?? false).toBe(false);
  });

  it('has the same PodDisruptionBudget and NetworkPolicy rules', () => {
    for (const kind of ['PodDisruptionBudget', 'NetworkPolicy'])
      expect(withoutSelectors(specOf(fromChart, kind)), kind).toEqual(
        withoutSelectors(specOf(fromKustomize, kind)),
      );
  });
});
