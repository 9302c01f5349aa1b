// What a set of rendered RBAC objects grants a ServiceAccount, as sorted `scope: group/resource
// verb` lines, and which roles are offered unbound (for people, or for namespaces to bind). Both
// the kustomize tests and the chart's read RBAC through these, so they judge it the same way.
import type { Manifest } from '../../support/tools/helm-chart.ts';
import type { K8sObject } from './kustomize.ts';

type AnyObject = Manifest | K8sObject;

/**
 * apiGroup/resource -> verbs: what the reconciler and the console check need wherever AppCopies
 * are watched (RainbondConsoles serve their own namespace; their token and CA are read there).
 */
export const APPCOPY_WORK: Record<string, string[]> = {
  'openapi.rainbond.io/appcopies': ['get', 'list', 'watch', 'update', 'patch'],
  'openapi.rainbond.io/appcopies/status': ['update'],
  'openapi.rainbond.io/appcopies/finalizers': ['update'],
  '/events': ['create', 'patch'],
  '/secrets': ['get'],
  '/configmaps': ['get'],
  'openapi.rainbond.io/rainbondconsoles': ['list', 'watch'],
  'openapi.rainbond.io/rainbondconsoles/status': ['update'],
};
/** ClusterRainbondConsoles and the Namespaces their rules select: only with CLUSTER_CONSOLES=true. */
export const CLUSTER_CONSOLE_WORK: Record<string, string[]> = {
  'openapi.rainbond.io/clusterrainbondconsoles': ['list', 'watch'],
  'openapi.rainbond.io/clusterrainbondconsoles/status': ['update'],
  '/namespaces': ['list', 'watch'],
};
/** Leader election, only ever in the operator's own namespace. */
export const LEADER_ELECTION: Record<string, string[]> = {
  'coordination.k8s.io/leases': ['get', 'create', 'update'],
};

export const isRole = (o: AnyObject) => o.kind === 'Role' || o.kind === 'ClusterRole';
export const isBinding = (o: AnyObject) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding';
export const roleKey = (kind: string, name: string, namespace?: string) =>
  kind === 'ClusterRole' ? `ClusterRole ${name}` : `Role ${namespace}/${name}`;

/** Every `scope: group/resource verb` the ServiceAccount is granted, sorted and without repeats. */
export function grantsOf(objects: AnyObject[], account: { name: string; namespace: string }): string[] {
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
    const namespace = binding.metadata.namespace;
    const role = roles.get(roleKey(binding.roleRef.kind, binding.roleRef.name, namespace));
    if (!role)
      throw new Error(
        `${binding.kind} ${binding.metadata.name} refers to ${binding.roleRef.kind} ${binding.roleRef.name}, which is not in the manifests`,
      );
    const scope = binding.kind === 'ClusterRoleBinding' ? 'cluster' : `namespace ${namespace}`;
    for (const rule of role.rules ?? [])
      for (const group of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? [])
          for (const verb of rule.verbs ?? []) out.push(`${scope}: ${group}/${resource} ${verb}`);
  }
  return [...new Set(out)].sort();
}

/** `scope: resource verb` lines for a table of `group/resource -> verbs`. */
export function grantLines(rules: Record<string, string[]>, scope: string): string[] {
  return Object.entries(rules).flatMap(([resource, verbs]) =>
    verbs.map((verb) => `${scope}: ${resource} ${verb}`),
  );
}

/** Roles bound to no one here: their kind, rules and aggregation labels, as sorted JSON lines. */
export function offeredRoles(objects: AnyObject[]): string[] {
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
