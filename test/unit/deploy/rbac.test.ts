// The operator's permissions, read from the rendered overlays: exactly what it does with the
// API and nothing more. A new verb, a wildcard or a Secret permission beyond `get` fails here,
// so widening the RBAC is always a deliberate change of this table.
import { describe, expect, it } from 'vitest';
import {
  type K8sObject,
  OPERATOR_NAMESPACE,
  OVERLAYS,
  type Overlay,
  render,
  SERVICE_ACCOUNT,
} from './kustomize.ts';

/** apiGroup/resource -> verbs: what the reconciler needs wherever AppCopies are watched. */
const APPCOPY_WORK: Record<string, string[]> = {
  'openapi.rainbond.io/appcopies': ['get', 'list', 'watch', 'update', 'patch'],
  'openapi.rainbond.io/appcopies/status': ['update'],
  'openapi.rainbond.io/appcopies/finalizers': ['update'],
  '/events': ['create', 'patch'],
  '/secrets': ['get'],
};
/** Leader election, only ever in the operator's own namespace. */
const LEADER_ELECTION: Record<string, string[]> = {
  'coordination.k8s.io/leases': ['get', 'create', 'update'],
};
/** Roles for people, aggregated into the built-in admin/edit/view roles; bound to no one here. */
const USER_ROLES = ['appcopy-editor', 'appcopy-viewer'];

type Scope = 'cluster' | `namespace ${string}`;

function grants(rules: Record<string, string[]>, scope: Scope): string[] {
  return Object.entries(rules).flatMap(([resource, verbs]) =>
    verbs.map((verb) => `${scope}: ${resource} ${verb}`),
  );
}

const EXPECTED: Record<Overlay, (ns: string) => string[]> = {
  'cluster-wide': (ns) => [...grants(APPCOPY_WORK, 'cluster'), ...grants(LEADER_ELECTION, `namespace ${ns}`)],
  'single-namespace': (ns) => [
    ...grants(APPCOPY_WORK, `namespace ${ns}`),
    ...grants(LEADER_ELECTION, `namespace ${ns}`),
  ],
};

const isRole = (o: K8sObject) => o.kind === 'Role' || o.kind === 'ClusterRole';
const isBinding = (o: K8sObject) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding';
const roleKey = (kind: string, name: string, namespace?: string) =>
  kind === 'ClusterRole' ? `ClusterRole ${name}` : `Role ${namespace}/${name}`;

function bindsOperator(binding: K8sObject, operatorNamespace: string): boolean {
  return (binding.subjects ?? []).some(
    (s: { kind: string; name: string; namespace?: string }) =>
      s.kind === 'ServiceAccount' && s.name === SERVICE_ACCOUNT && s.namespace === operatorNamespace,
  );
}

/** Every (scope, resource, verb) the operator's ServiceAccount is granted, sorted. */
function operatorGrants(objects: K8sObject[], operatorNamespace: string): string[] {
  const roles = new Map(
    objects.filter(isRole).map((r) => [roleKey(r.kind, r.metadata.name, r.metadata.namespace), r]),
  );
  const out: string[] = [];
  for (const binding of objects.filter(isBinding)) {
    if (!bindsOperator(binding, operatorNamespace)) continue;
    const namespace = binding.metadata.namespace;
    const role = roles.get(roleKey(binding.roleRef.kind, binding.roleRef.name, namespace));
    if (!role)
      throw new Error(
        `${binding.kind} ${binding.metadata.name} refers to ${binding.roleRef.kind} ${binding.roleRef.name}, which is not in the manifests`,
      );
    const scope: Scope = binding.kind === 'ClusterRoleBinding' ? 'cluster' : `namespace ${namespace}`;
    for (const rule of role.rules ?? []) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs ?? []) out.push(`${scope}: ${group}/${resource} ${verb}`);
        }
      }
    }
  }
  return [...new Set(out)].sort();
}

describe.each(OVERLAYS)('RBAC of the %s overlay', (overlay) => {
  const objects = render(overlay);
  const roles = objects.filter(isRole);

  it('has no wildcard in any apiGroups, resources, verbs, resourceNames or nonResourceURLs', () => {
    for (const role of roles) {
      for (const rule of role.rules ?? []) {
        for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs']) {
          for (const value of rule[field] ?? []) {
            expect(value, `${role.kind} ${role.metadata.name} ${field}`).not.toContain('*');
          }
        }
      }
      expect(role.aggregationRule, `${role.kind} ${role.metadata.name}`).toBeUndefined();
    }
  });

  it('grants the operator exactly the verbs it uses, each in the scope it needs, and nothing else', () => {
    expect(operatorGrants(objects, OPERATOR_NAMESPACE)).toEqual(EXPECTED[overlay](OPERATOR_NAMESPACE).sort());
  });

  it('lets the operator only get Secrets, never list or watch them', () => {
    const secretVerbs = operatorGrants(objects, OPERATOR_NAMESPACE)
      .filter((g) => g.includes(' /secrets '))
      .map((g) => g.split(' ').at(-1));
    expect(new Set(secretVerbs)).toEqual(new Set(['get']));
  });

  it('grants Leases only through a Role in the operator namespace, never cluster-wide', () => {
    for (const role of roles) {
      const touchesLeases = (role.rules ?? []).some((r: { resources?: string[] }) =>
        r.resources?.includes('leases'),
      );
      if (!touchesLeases) continue;
      expect(role.kind).toBe('Role');
      expect(role.metadata.namespace).toBe(OPERATOR_NAMESPACE);
    }
    expect(operatorGrants(objects, OPERATOR_NAMESPACE).filter((g) => g.includes('leases'))).toEqual(
      grants(LEADER_ELECTION, `namespace ${OPERATOR_NAMESPACE}`).sort(),
    );
  });

  it('has no role bound to no one except the user roles, which aggregate into admin, edit and view', () => {
    const bound = new Set(
      objects.filter(isBinding).map((b) => roleKey(b.roleRef.kind, b.roleRef.name, b.metadata.namespace)),
    );
    const unbound = roles.filter((r) => !bound.has(roleKey(r.kind, r.metadata.name, r.metadata.namespace)));
    expect(unbound.map((r) => r.metadata.name).sort()).toEqual(USER_ROLES);
    for (const role of unbound) {
      const labels = Object.keys(role.metadata.labels ?? {});
      expect(labels.some((l) => l.startsWith('rbac.authorization.k8s.io/aggregate-to-'))).toBe(true);
      for (const rule of role.rules) expect(rule.apiGroups).toEqual(['openapi.rainbond.io']);
    }
  });

  it('binds nothing but the operator account', () => {
    for (const binding of objects.filter(isBinding)) {
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: OPERATOR_NAMESPACE },
      ]);
    }
  });
});

describe('RBAC moved into another namespace by a user overlay', () => {
  it.each(OVERLAYS)('%s: every binding and every namespaced grant follows the namespace', (overlay) => {
    const objects = render(overlay, { namespace: 'team-a' });
    expect(operatorGrants(objects, 'team-a')).toEqual(EXPECTED[overlay]('team-a').sort());
  });
});
