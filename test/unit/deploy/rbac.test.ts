// The operator's permissions, read from the rendered overlays: exactly what it does with the
// API and nothing more. A new verb, a wildcard or a Secret permission beyond `get` fails here,
// so widening the RBAC is always a deliberate change of this table.
import { describe, expect, it } from 'vitest';
import {
  APPCOPY_WORK,
  CLUSTER_CONSOLE_WORK,
  grantLines,
  grantsOf,
  isBinding,
  isRole,
  LEADER_ELECTION,
  roleKey,
} from './grants.ts';
import {
  type K8sObject,
  OPERATOR_NAMESPACE,
  OVERLAYS,
  type Overlay,
  render,
  SERVICE_ACCOUNT,
} from './kustomize.ts';

/** Roles for people, aggregated into the built-in admin/edit/view roles; bound to no one here. */
const USER_ROLES = ['appcopy-cluster-console-viewer', 'appcopy-editor', 'appcopy-viewer'];

type Scope = 'cluster' | `namespace ${string}`;

const grants = (rules: Record<string, string[]>, scope: Scope) => grantLines(rules, scope);

const EXPECTED: Record<Overlay, (ns: string) => string[]> = {
  'cluster-wide': (ns) => [
    ...grants(APPCOPY_WORK, 'cluster'),
    ...grants(CLUSTER_CONSOLE_WORK, 'cluster'),
    ...grants(LEADER_ELECTION, `namespace ${ns}`),
  ],
  // CLUSTER_CONSOLES=false: nothing cluster-wide (deployment.test.ts checks the setting).
  'single-namespace': (ns) => [
    ...grants(APPCOPY_WORK, `namespace ${ns}`),
    ...grants(LEADER_ELECTION, `namespace ${ns}`),
  ],
};

/** Every (scope, resource, verb) the operator's ServiceAccount is granted, sorted. */
const operatorGrants = (objects: K8sObject[], operatorNamespace: string) =>
  grantsOf(objects, { name: SERVICE_ACCOUNT, namespace: operatorNamespace });

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

describe('the cluster-wide overlay with components/secrets-opt-in', () => {
  const objects = render('cluster-wide', { components: ['secrets-opt-in'] });

  it('reads Secrets only in its own namespace (cluster consoles keep their tokens there) until another opts in', () => {
    const expected = [
      ...grants(
        Object.fromEntries(Object.entries(APPCOPY_WORK).filter(([resource]) => resource !== '/secrets')),
        'cluster',
      ),
      ...grants(CLUSTER_CONSOLE_WORK, 'cluster'),
      ...grants(LEADER_ELECTION, `namespace ${OPERATOR_NAMESPACE}`),
      `namespace ${OPERATOR_NAMESPACE}: /secrets get`,
    ];
    expect(operatorGrants(objects, OPERATOR_NAMESPACE)).toEqual(expected.sort());
  });

  it('keeps ConfigMaps (CA bundles, no secrets) readable wherever it watches', () => {
    expect(operatorGrants(objects, OPERATOR_NAMESPACE)).toContain('cluster: /configmaps get');
  });

  it('moves the opted-in namespace and its subject with a user overlay', () => {
    const moved = render('cluster-wide', { components: ['secrets-opt-in'], namespace: 'team-a' });
    expect(operatorGrants(moved, 'team-a').filter((g) => g.includes('/secrets'))).toEqual([
      'namespace team-a: /secrets get',
    ]);
  });
});

describe('the user roles', () => {
  const objects = render('cluster-wide');
  /** `resource verb` per aggregation target (admin, edit, view). */
  const aggregated = (target: 'admin' | 'edit' | 'view') =>
    objects
      .filter(
        (o) =>
          o.kind === 'ClusterRole' &&
          o.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${target}`] === 'true',
      )
      .flatMap((role) =>
        role.rules.flatMap((rule: { resources: string[]; verbs: string[] }) =>
          rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${resource} ${verb}`)),
        ),
      )
      .sort();
  const READ = ['get', 'list', 'watch'];
  const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
  const all = (resources: string[], verbs: string[]) =>
    resources.flatMap((resource) => verbs.map((verb) => `${resource} ${verb}`));

  it.each(['admin', 'edit'] as const)(
    'let %s manage AppCopies and RainbondConsoles, read their status, and read ClusterRainbondConsoles',
    (target) => {
      expect(aggregated(target)).toEqual(
        [
          ...all(['appcopies', 'rainbondconsoles'], [...READ, ...WRITE]),
          ...all(['appcopies/status', 'rainbondconsoles/status'], ['get']),
          ...all(['clusterrainbondconsoles', 'clusterrainbondconsoles/status'], READ),
        ].sort(),
      );
    },
  );

  it('let view read AppCopies, RainbondConsoles and ClusterRainbondConsoles, and change nothing', () => {
    expect(aggregated('view')).toEqual(
      all(
        [
          'appcopies',
          'appcopies/status',
          'rainbondconsoles',
          'rainbondconsoles/status',
          'clusterrainbondconsoles',
          'clusterrainbondconsoles/status',
        ],
        READ,
      ).sort(),
    );
  });

  it('give nobody a write on ClusterRainbondConsoles or on any status', () => {
    for (const target of ['admin', 'edit', 'view'] as const) {
      const writes = aggregated(target).filter(
        (g) =>
          (g.startsWith('clusterrainbondconsoles') || g.includes('/status ')) &&
          !/ (get|list|watch)$/.test(g),
      );
      expect(writes, target).toEqual([]);
    }
  });
});
