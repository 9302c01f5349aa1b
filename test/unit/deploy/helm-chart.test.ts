// The Helm chart as a user meets it, with the real helm (built from the Go module proxy on first
// use, test/support/tools): `helm lint` and `helm template` in each namespace mode, the schema
// refusing wrong values with a message that names them, and every operator setting reachable
// from a value.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, SETTINGS } from '../../../src/config.ts';
import {
  CHART_DIR,
  helmWithValues,
  type Manifest,
  NAMESPACE_MODES,
  renderChart,
  type Values,
} from '../../support/tools/helm-chart.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';
import { APPCOPY_WORK, CLUSTER_CONSOLE_WORK, grantLines, grantsOf, LEADER_ELECTION } from './grants.ts';

const RELEASE_NAMESPACE = 'appcopy-system';

beforeAll(async () => {
  await ensureTool('helm');
}, TOOL_BUILD_TIMEOUT_MS);

function only(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0]!;
}

/** The container's environment as the process sees it: the ConfigMap first, `env` wins. */
function environment(objects: Manifest[]): Map<string, { value?: string; valueFrom?: unknown }> {
  const container = only(objects, 'Deployment').spec.template.spec.containers[0];
  const env = new Map<string, { value?: string; valueFrom?: unknown }>();
  for (const source of container.envFrom ?? []) {
    const configMap = only(objects, 'ConfigMap', source.configMapRef.name);
    for (const [name, value] of Object.entries(configMap.data ?? {}))
      env.set(name, { value: value as string });
  }
  for (const entry of container.env ?? []) env.set(entry.name, entry);
  return env;
}

describe.each(Object.entries(NAMESPACE_MODES))('the chart watching %s', (_mode, valuesFor) => {
  const values = valuesFor(RELEASE_NAMESPACE);

  it('passes helm lint --strict', async () => {
    const result = await helmWithValues(['lint', '--strict', '--namespace', RELEASE_NAMESPACE], values);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it('renders the permissions of its mode, each bound to the operator ServiceAccount', async () => {
    const objects = await renderChart(values, { namespace: RELEASE_NAMESPACE });
    const env = environment(objects);
    const watched = values.watch.scope === 'all' ? [] : (values.watch.namespaces as string[]);
    expect(env.get('WATCH_NAMESPACES')?.value ?? '').toBe(watched.join(','));
    const operatorRoles = objects.filter(
      (o) => (o.kind === 'Role' || o.kind === 'ClusterRole') && o.metadata.name === 'appcopy-operator',
    );
    if (values.watch.scope === 'all') {
      expect(operatorRoles.map((r) => r.kind)).toEqual(['ClusterRole']);
    } else {
      expect(operatorRoles.map((r) => `${r.kind} ${r.metadata.namespace}`).sort()).toEqual(
        watched.map((ns) => `Role ${ns}`).sort(),
      );
    }
    for (const binding of objects.filter((o) => o.kind.endsWith('Binding'))) {
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'appcopy-operator', namespace: RELEASE_NAMESPACE },
      ]);
    }
    const secretRules = operatorRoles.flatMap((r) =>
      r.rules.filter((rule: { resources: string[] }) => rule.resources.includes('secrets')),
    );
    if (values.secrets?.access === 'optIn') {
      expect(secretRules).toEqual([]);
      const reader = only(objects, 'ClusterRole', 'appcopy-operator-secret-reader');
      expect(reader.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
      const bindings = objects.filter(
        (o) => o.kind === 'RoleBinding' && o.roleRef.name === reader.metadata.name,
      );
      // The release namespace too: cluster consoles (on with scope all) keep their tokens there.
      expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(
        [...values.secrets.optInNamespaces, RELEASE_NAMESPACE].sort(),
      );
    } else {
      expect(secretRules).toHaveLength(operatorRoles.length);
    }
  });
});

describe('values.schema.json refuses a wrong value, naming it', () => {
  const cases: { what: string; values: Values; message: RegExp }[] = [
    {
      what: 'a misspelt key',
      values: { concurency: 4 },
      message: /additional properties 'concurency' not allowed/,
    },
    {
      what: 'a string for a number',
      values: { concurrency: 'many' },
      message: /\/concurrency': got string, want integer/,
    },
    { what: 'too much concurrency', values: { concurrency: 1000 }, message: /\/concurrency': maximum/ },
    {
      what: 'a console URL without http(s)',
      values: { rainbond: { url: 'rainbond:7070' } },
      message: /\/rainbond\/url'/,
    },
    {
      what: 'a duration without a unit',
      values: { follow: { timeout: '30' } },
      message: /\/follow\/timeout'/,
    },
    { what: 'an unknown log level', values: { logLevel: 'verbose' }, message: /\/logLevel'/ },
    { what: 'an unknown watch scope', values: { watch: { scope: 'cluster' } }, message: /\/watch\/scope'/ },
    {
      what: 'scope namespaces without any namespace',
      values: { watch: { scope: 'namespaces' } },
      message: /\/watch\/namespaces'/,
    },
    {
      what: 'namespaces listed while watching all',
      values: { watch: { scope: 'all', namespaces: ['team-a'] } },
      message: /\/watch\/namespaces'/,
    },
    {
      what: 'a namespace that is not a DNS label',
      values: { watch: { scope: 'namespaces', namespaces: ['Team_A'] } },
      message: /\/watch\/namespaces\/0'/,
    },
    {
      what: 'an unknown Secret access',
      values: { secrets: { access: 'none' } },
      message: /\/secrets\/access'/,
    },
    {
      what: 'opt-in namespaces without opt-in access',
      values: { secrets: { access: 'watched', optInNamespaces: ['team-a'] } },
      message: /\/secrets\/optInNamespaces'/,
    },
    { what: 'zero replicas', values: { replicaCount: 0 }, message: /\/replicaCount'/ },
    {
      what: 'an unknown default console',
      values: { defaultConsole: 'RainbondConsole/mine' },
      message: /\/defaultConsole'/,
    },
    {
      what: 'a default cluster console whose name is not a Kubernetes name',
      values: { defaultConsole: 'ClusterRainbondConsole/Prod_1' },
      message: /\/defaultConsole'/,
    },
    {
      what: 'the operator’s own console as the default without its URL',
      values: { defaultConsole: 'env' },
      message: /\/rainbond\/url': minLength/,
    },
    {
      what: 'a default cluster console with cluster consoles off',
      values: { defaultConsole: 'ClusterRainbondConsole/prod', clusterConsoles: { enabled: false } },
      message: /\/defaultConsole': value must be one of 'none', 'env'/,
    },
    {
      what: 'a default cluster console watching namespaces, where cluster consoles are off unless enabled',
      values: {
        defaultConsole: 'ClusterRainbondConsole/prod',
        watch: { scope: 'namespaces', namespaces: ['team-a'] },
      },
      message: /\/defaultConsole': value must be one of 'none', 'env'/,
    },
    {
      what: 'cluster consoles to create with cluster consoles off',
      values: { clusterConsoles: { enabled: false, items: [clusterConsole()] } },
      message: /\/clusterConsoles\/items': maxItems/,
    },
    {
      what: 'a cluster console without rules',
      values: { clusterConsoles: { items: [clusterConsole({ allow: [] })] } },
      message: /\/clusterConsoles\/items\/0\/allow': minItems/,
    },
    {
      what: 'a cluster console rule that admits no namespace',
      values: {
        clusterConsoles: {
          items: [clusterConsole({ allow: [{ namespaces: {}, sourceTeams: ['a'], targetTeams: ['b'] }] })],
        },
      },
      message: /\/clusterConsoles\/items\/0\/allow\/0\/namespaces': 'anyOf' failed/,
    },
    {
      what: 'a cluster console URL with credentials in it',
      values: {
        clusterConsoles: { items: [clusterConsole({ url: 'https://me:secret@rainbond.example.com' })] },
      },
      message: /\/clusterConsoles\/items\/0\/url'/,
    },
    {
      what: 'a CA bundle from both a Secret and a ConfigMap',
      values: {
        clusterConsoles: {
          items: [
            clusterConsole({
              caBundle: {
                secretKeyRef: { name: 'ca', key: 'ca.crt' },
                configMapKeyRef: { name: 'ca', key: 'ca.crt' },
              },
            }),
          ],
        },
      },
      message: /\/clusterConsoles\/items\/0\/caBundle': 'oneOf' failed/,
    },
    {
      what: 'a cluster console without its token Secret',
      values: { clusterConsoles: { items: [clusterConsole({ credentialsSecretRef: undefined })] } },
      message: /\/clusterConsoles\/items\/0': missing property 'credentialsSecretRef'/,
    },
    {
      what: 'a team pattern the CRD refuses',
      values: {
        clusterConsoles: {
          items: [
            clusterConsole({
              allow: [{ namespaces: { names: ['a'] }, sourceTeams: ['team a'], targetTeams: ['b'] }],
            }),
          ],
        },
      },
      message: /\/clusterConsoles\/items\/0\/allow\/0\/sourceTeams\/0'/,
    },
    {
      what: 'an Exists requirement with values',
      values: {
        clusterConsoles: {
          items: [
            clusterConsole({
              allow: [
                {
                  namespaces: {
                    selector: { matchExpressions: [{ key: 'team', operator: 'Exists', values: ['a'] }] },
                  },
                  sourceTeams: ['a'],
                  targetTeams: ['b'],
                },
              ],
            }),
          ],
        },
      },
      message: /matchExpressions\/0\/values': maxItems/,
    },
    {
      what: 'a misspelt limit',
      values: { clusterConsoles: { items: [clusterConsole({ limits: { concurrency: 4 } })] } },
      message: /\/clusterConsoles\/items\/0\/limits': additional properties 'concurrency' not allowed/,
    },
    {
      what: 'cluster-console readers without the user roles',
      values: { userRoles: { create: false, clusterConsoleReaders: [{ kind: 'Group', name: 'everyone' }] } },
      message: /\/userRoles\/clusterConsoleReaders': maxItems/,
    },
  ];

  it.each(cases)('$what', async ({ values, message }) => {
    const result = await helmWithValues(['template', 'appcopy-operator'], values);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("values don't meet the specifications of the schema");
    expect(result.stderr).toMatch(message);
  });

  it('accepts the defaults and a fully set configuration, so the refusals above mean something', async () => {
    expect((await helmWithValues(['template', 'appcopy-operator'], {})).code).toBe(0);
    expect((await helmWithValues(['template', 'appcopy-operator'], EVERY_SETTING)).stderr).toBe('');
  });
});

/** A valid clusterConsoles.items entry, with `change` applied (undefined removes a field). */
function clusterConsole(change: Values = {}): Values {
  const item: Values = {
    name: 'production',
    url: 'https://rainbond.example.com',
    credentialsSecretRef: { name: 'rainbond-production' },
    allow: [
      {
        name: 'team-a',
        namespaces: { names: ['team-a'] },
        sourceTeams: ['team-a'],
        targetTeams: ['team-a-*'],
      },
    ],
    ...change,
  };
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
}

/** A value for every setting the chart exposes (none at its default). */
const EVERY_SETTING: Values = {
  defaultConsole: 'ClusterRainbondConsole/production',
  clusterConsoles: { enabled: true, items: [clusterConsole()] },
  consoleCheckInterval: '30s',
  rainbond: {
    url: 'https://console.example.com',
    copyTimeout: '15m',
    requestTimeout: '20s',
    verifySettlePeriod: '20m',
    ca: { configMapName: 'console-ca', key: 'ca.pem' },
  },
  defaultToken: { existingSecret: 'rainbond-default', key: 'tok' },
  refuseDefaultToken: true,
  watch: { scope: 'namespaces', namespaces: ['team-a', 'team-b'], labelSelector: 'shard=a' },
  concurrency: 8,
  follow: { timeout: '1h', interval: '10s' },
  leaderElection: { id: 'appcopy-shard-a', leaseDuration: '20s', renewDeadline: '15s', retryPeriod: '3s' },
  shutdownGracePeriod: '30s',
  terminationGracePeriodSeconds: 45,
  resyncPeriod: '20m',
  watchSilenceTimeout: '6m',
  logLevel: 'debug',
};

/** Settings the chart fixes on purpose (values.yaml's first comment says why). */
const FIXED_BY_THE_CHART: Record<string, string | undefined> = {
  RAINBOND_TOKEN: undefined, // never a value: the token comes from a Secret, as a file
  HEALTH_ADDRESS: undefined, // the operator's default, 0.0.0.0, which the probes need
  HEALTH_PORT: '8080',
  LEADER_ELECT: 'true',
  LEADER_ELECTION_NAMESPACE: undefined, // POD_NAMESPACE: the release namespace
};

describe('every operator setting', () => {
  it('is set from a value, or fixed by the chart for a stated reason', async () => {
    const env = environment(await renderChart(EVERY_SETTING));
    const expected: Record<string, string> = {
      DEFAULT_CONSOLE: 'ClusterRainbondConsole/production',
      CLUSTER_CONSOLES: 'true',
      CONSOLE_CHECK_INTERVAL: '30s',
      RAINBOND_URL: 'https://console.example.com',
      RAINBOND_TOKEN_FILE: '/var/run/secrets/rainbond/token',
      REFUSE_DEFAULT_TOKEN: 'true',
      RAINBOND_CA_FILE: '/etc/appcopy/ca/ca.crt',
      RAINBOND_COPY_TIMEOUT: '15m',
      RAINBOND_REQUEST_TIMEOUT: '20s',
      VERIFY_SETTLE_PERIOD: '20m',
      WATCH_NAMESPACES: 'team-a,team-b',
      LABEL_SELECTOR: 'shard=a',
      CONCURRENCY: '8',
      FOLLOW_TIMEOUT: '1h',
      FOLLOW_INTERVAL: '10s',
      LEADER_ELECTION_ID: 'appcopy-shard-a',
      LEASE_DURATION: '20s',
      RENEW_DEADLINE: '15s',
      RETRY_PERIOD: '3s',
      SHUTDOWN_GRACE_PERIOD: '30s',
      RESYNC_PERIOD: '20m',
      WATCH_SILENCE_TIMEOUT: '6m',
      LOG_LEVEL: 'debug',
    };
    for (const setting of SETTINGS) {
      if (setting.env in FIXED_BY_THE_CHART) {
        expect(env.get(setting.env)?.value, setting.env).toBe(FIXED_BY_THE_CHART[setting.env]);
      } else {
        expect(env.get(setting.env)?.value, setting.env).toBe(expected[setting.env]);
      }
    }
    const known = new Set([...SETTINGS.map((s) => s.env), 'POD_NAMESPACE', 'NODE_OPTIONS']);
    expect([...env.keys()].filter((name) => !known.has(name))).toEqual([]);
  });

  it('mounts the default token and the CA from what the values name, read-only', async () => {
    const objects = await renderChart(EVERY_SETTING);
    const pod = only(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'rainbond-token',
      secret: { secretName: 'rainbond-default', defaultMode: 0o440, items: [{ key: 'tok', path: 'token' }] },
    });
    expect(pod.volumes).toContainEqual({
      name: 'rainbond-ca',
      configMap: { name: 'console-ca', items: [{ key: 'ca.pem', path: 'ca.crt' }] },
    });
    for (const mount of pod.containers[0].volumeMounts.filter((m: { name: string }) => m.name !== 'tmp')) {
      expect(mount.readOnly, mount.name).toBe(true);
    }
  });

  it('rolls the pods when a setting changes', async () => {
    const checksum = async (values: Values) =>
      only(await renderChart(values), 'Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(await checksum({ logLevel: 'debug' })).not.toBe(await checksum({ logLevel: 'info' }));
  });
});

describe('the switches', () => {
  it('render the PDB and NetworkPolicy by default, and monitoring objects only when enabled', async () => {
    const kinds = (objects: Manifest[]) => objects.map((o) => o.kind).sort();
    const defaults = kinds(await renderChart({}));
    expect(defaults).toContain('PodDisruptionBudget');
    expect(defaults).toContain('NetworkPolicy');
    expect(defaults).not.toContain('ServiceMonitor');
    expect(defaults).not.toContain('PrometheusRule');
    const all = await renderChart({
      serviceMonitor: { enabled: true },
      prometheusRule: { enabled: true },
      grafanaDashboard: { enabled: true },
      podDisruptionBudget: { enabled: false },
      networkPolicy: { enabled: false },
    });
    expect(kinds(all)).toEqual(expect.arrayContaining(['ServiceMonitor', 'PrometheusRule']));
    expect(kinds(all)).not.toContain('PodDisruptionBudget');
    expect(kinds(all)).not.toContain('NetworkPolicy');
    expect(only(all, 'ConfigMap', 'appcopy-operator-dashboard').metadata.labels?.grafana_dashboard).toBe('1');
  });

  it('place pods with nodeSelector, tolerations and affinity, and keep the default anti-affinity otherwise', async () => {
    const placed = only(
      await renderChart({
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'infra', operator: 'Exists', effect: 'NoSchedule' }],
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
        },
        replicaCount: 3,
      }),
      'Deployment',
    );
    expect(placed.spec.replicas).toBe(3);
    expect(placed.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(placed.spec.template.spec.tolerations).toHaveLength(1);
    expect(Object.keys(placed.spec.template.spec.affinity)).toEqual(['nodeAffinity']);
    const byDefault = only(await renderChart({}), 'Deployment');
    expect(Object.keys(byDefault.spec.template.spec.affinity)).toEqual(['podAntiAffinity']);
  });
});

/** The Config the operator would build from the rendered pod's environment (its own parser). */
function operatorConfig(objects: Manifest[]) {
  const env = Object.fromEntries(
    [...environment(objects)].map(([name, entry]) => [name, entry.value ?? RELEASE_NAMESPACE]),
  );
  return loadConfig(env, [], () => 'token');
}

const account = { name: 'appcopy-operator', namespace: RELEASE_NAMESPACE };
const grantsFor = async (values: Values) =>
  grantsOf(await renderChart(values, { release: 'appcopy-operator', namespace: RELEASE_NAMESPACE }), account);

describe('the defaults, safe on a cluster shared by teams', () => {
  it('give no default console and no console of the operator’s own: an AppCopy names its console', async () => {
    const objects = await renderChart({});
    const env = environment(objects);
    expect(env.get('DEFAULT_CONSOLE')?.value).toBe('none');
    expect(env.has('RAINBOND_URL')).toBe(false);
    expect(objects.filter((o) => o.kind === 'ClusterRainbondConsole')).toEqual([]);
    const config = operatorConfig(objects);
    expect(config.defaultConsole).toEqual({ kind: 'none' });
    expect(config.rainbondUrl).toBeUndefined();
  });

  it('keep an existing install’s behaviour with defaultConsole env and its rainbond.url', async () => {
    const config = operatorConfig(
      await renderChart({
        defaultConsole: 'env',
        rainbond: { url: 'http://rainbond-console.rainbond.svc:7070' },
      }),
    );
    expect(config.defaultConsole).toEqual({ kind: 'env' });
    expect(config.rainbondUrl?.href).toBe('http://rainbond-console.rainbond.svc:7070/');
  });
});

describe('clusterConsoles.enabled: what the operator watches and the RBAC it gets for it', () => {
  const cluster = (rules: Record<string, string[]>) => grantLines(rules, 'cluster');
  const inNamespace = (ns: string, rules: Record<string, string[]>) => grantLines(rules, `namespace ${ns}`);
  const leases = inNamespace(RELEASE_NAMESPACE, LEADER_ELECTION);
  const withoutSecrets = Object.fromEntries(Object.entries(APPCOPY_WORK).filter(([r]) => r !== '/secrets'));
  const cases: { what: string; values: Values; clusterConsoles: boolean; grants: string[] }[] = [
    {
      what: 'watching all namespaces: on by default',
      values: { watch: { scope: 'all' } },
      clusterConsoles: true,
      grants: [...cluster(APPCOPY_WORK), ...cluster(CLUSTER_CONSOLE_WORK), ...leases],
    },
    {
      what: 'watching all namespaces, turned off',
      values: { watch: { scope: 'all' }, clusterConsoles: { enabled: false } },
      clusterConsoles: false,
      grants: [...cluster(APPCOPY_WORK), ...leases],
    },
    {
      what: 'watching listed namespaces: off by default, nothing cluster-wide',
      values: { watch: { scope: 'namespaces', namespaces: ['team-a'] } },
      clusterConsoles: false,
      grants: [...inNamespace('team-a', APPCOPY_WORK), ...leases],
    },
    {
      what: 'watching listed namespaces, turned on: a ClusterRole for them, the release namespace for their Secrets and ConfigMaps, and default for their Events',
      values: { watch: { scope: 'namespaces', namespaces: ['team-a'] }, clusterConsoles: { enabled: true } },
      clusterConsoles: true,
      grants: [
        ...inNamespace('team-a', APPCOPY_WORK),
        ...cluster(CLUSTER_CONSOLE_WORK),
        ...inNamespace(RELEASE_NAMESPACE, { '/secrets': ['get'], '/configmaps': ['get'] }),
        ...inNamespace('default', { '/events': ['create', 'patch'] }),
        ...leases,
      ],
    },
    {
      what: 'watching its own namespace, turned on: that namespace’s Role has the rest already, but the Events of cluster consoles go to default',
      values: {
        watch: { scope: 'namespaces', namespaces: [RELEASE_NAMESPACE] },
        clusterConsoles: { enabled: true },
      },
      clusterConsoles: true,
      grants: [
        ...inNamespace(RELEASE_NAMESPACE, APPCOPY_WORK),
        ...cluster(CLUSTER_CONSOLE_WORK),
        ...inNamespace('default', { '/events': ['create', 'patch'] }),
        ...leases,
      ],
    },
    {
      what: 'watching listed namespaces, turned on, Secrets opt-in: the release namespace is opted in',
      values: {
        watch: { scope: 'namespaces', namespaces: ['team-a'] },
        clusterConsoles: { enabled: true },
        secrets: { access: 'optIn', optInNamespaces: ['team-a'] },
      },
      clusterConsoles: true,
      grants: [
        ...inNamespace('team-a', APPCOPY_WORK),
        ...cluster(CLUSTER_CONSOLE_WORK),
        ...inNamespace(RELEASE_NAMESPACE, { '/configmaps': ['get'] }),
        ...inNamespace('default', { '/events': ['create', 'patch'] }),
        `namespace ${RELEASE_NAMESPACE}: /secrets get`,
        ...leases,
      ],
    },
    {
      what: 'watching all namespaces, Secrets opt-in: Secrets only where bound, the release namespace included',
      values: {
        watch: { scope: 'all' },
        secrets: { access: 'optIn', optInNamespaces: ['team-b', RELEASE_NAMESPACE] },
      },
      clusterConsoles: true,
      grants: [
        ...cluster(withoutSecrets),
        ...cluster(CLUSTER_CONSOLE_WORK),
        `namespace team-b: /secrets get`,
        `namespace ${RELEASE_NAMESPACE}: /secrets get`,
        ...leases,
      ],
    },
  ];

  it.each(cases)('$what', async ({ values, clusterConsoles, grants }) => {
    const objects = await renderChart(values, { release: 'appcopy-operator', namespace: RELEASE_NAMESPACE });
    expect(environment(objects).get('CLUSTER_CONSOLES')?.value).toBe(String(clusterConsoles));
    expect(operatorConfig(objects).clusterConsoles).toBe(clusterConsoles);
    expect(await grantsFor(values)).toEqual([...new Set(grants)].sort());
  });
});

describe('clusterConsoles.items', () => {
  it('become ClusterRainbondConsoles named as given, their Secrets and ConfigMaps in the release namespace unless named', async () => {
    const objects = await renderChart({
      defaultConsole: 'ClusterRainbondConsole/production',
      clusterConsoles: {
        items: [
          clusterConsole({
            caBundle: { configMapKeyRef: { name: 'rainbond-ca', key: 'ca.crt' } },
            limits: { copyConcurrency: 4, copyTimeout: '20m' },
          }),
          clusterConsole({
            name: 'staging.eu',
            url: 'http://rainbond.staging:7070',
            caBundle: { secretKeyRef: { namespace: 'pki', name: 'staging-ca', key: 'ca.pem' } },
            credentialsSecretRef: { namespace: 'platform', name: 'staging-token', key: 'tok' },
          }),
        ],
      },
    });
    const consoles = objects.filter((o) => o.kind === 'ClusterRainbondConsole');
    expect(consoles.map((c) => [c.apiVersion, c.metadata.name, c.metadata.namespace])).toEqual([
      ['openapi.rainbond.io/v1alpha1', 'production', undefined],
      ['openapi.rainbond.io/v1alpha1', 'staging.eu', undefined],
    ]);
    expect(consoles[0]!.spec).toEqual({
      url: 'https://rainbond.example.com',
      caBundle: { configMapKeyRef: { namespace: RELEASE_NAMESPACE, name: 'rainbond-ca', key: 'ca.crt' } },
      credentialsSecretRef: { namespace: RELEASE_NAMESPACE, name: 'rainbond-production', key: 'token' },
      limits: { copyConcurrency: 4, copyTimeout: '20m' },
      allow: clusterConsole().allow,
    });
    expect(consoles[1]!.spec.caBundle).toEqual({
      secretKeyRef: { namespace: 'pki', name: 'staging-ca', key: 'ca.pem' },
    });
    expect(consoles[1]!.spec.credentialsSecretRef).toEqual({
      namespace: 'platform',
      name: 'staging-token',
      key: 'tok',
    });
    expect(consoles[0]!.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
    expect(operatorConfig(objects).defaultConsole).toEqual({ kind: 'cluster', name: 'production' });
  });

  it('as values.yaml’s worked example writes them, pass the schema and render', async () => {
    // The example is the commented block from `#   items:` down to the real `items: []`.
    const text = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');
    const block = text.slice(text.indexOf('  #   items:'), text.indexOf('\n  items: []'));
    const example = parse(block.replace(/^ {2}# ?/gm, ''));
    expect(example.items.length).toBeGreaterThan(0);
    const objects = await renderChart({ clusterConsoles: example });
    expect(objects.filter((o) => o.kind === 'ClusterRainbondConsole').map((o) => o.metadata.name)).toEqual(
      example.items.map((i: { name: string }) => i.name),
    );
  });

  it('refuse two items of one name', async () => {
    const result = await helmWithValues(['template', 'appcopy-operator'], {
      clusterConsoles: { items: [clusterConsole(), clusterConsole({ url: 'https://other.example.com' })] },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('clusterConsoles.items: two items are named production');
  });
});

describe('defaultConsole: the chart’s schema and the operator accept the same values', () => {
  const candidates = [
    'none',
    'env',
    'ClusterRainbondConsole/production',
    'ClusterRainbondConsole/prod.eu-1',
    'ClusterRainbondConsole/',
    'ClusterRainbondConsole/Production',
    'ClusterRainbondConsole/a/b',
    'clusterrainbondconsole/production',
    'RainbondConsole/production',
    'ENV',
    '',
  ];
  it.each(candidates)('%j', async (candidate) => {
    const env = { DEFAULT_CONSOLE: candidate, RAINBOND_URL: 'https://console.example.com' };
    const operatorAccepts = (() => {
      try {
        loadConfig(env, [], () => '');
        return candidate !== ''; // '' is "not set" to the operator; the chart wants a choice
      } catch {
        return false;
      }
    })();
    const result = await helmWithValues(['template', 'appcopy-operator'], {
      defaultConsole: candidate,
      rainbond: { url: 'https://console.example.com' },
    });
    expect(result.code === 0, result.stderr).toBe(operatorAccepts);
  });
});

describe('clusterConsoles.items is checked as the CRD checks a ClusterRainbondConsole', () => {
  const crd = parse(
    readFileSync(join(CHART_DIR, 'crds', 'clusterrainbondconsoles.openapi.rainbond.io.yaml'), 'utf8'),
  );
  const crdSpec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
  const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
  const item = schema.$defs.clusterConsole;
  // biome-ignore lint/suspicious/noExplicitAny: JSON schemas are walked field by field
  type Node = Record<string, any>;
  const resolve = (node: Node): Node =>
    node.$ref ? resolve(schema.$defs[(node.$ref as string).replace('#/$defs/', '')]) : node;
  /** The values schema's translation of each CEL rule of the CRD (a new rule fails until added). */
  const CEL: Record<string, (node: Node) => void> = {
    'has(self.secretKeyRef) != has(self.configMapKeyRef)': (node) =>
      expect(node.oneOf).toEqual([{ required: ['secretKeyRef'] }, { required: ['configMapKeyRef'] }]),
    'has(self.names) || has(self.selector)': (node) =>
      expect(node.anyOf).toEqual([{ required: ['names'] }, { required: ['selector'] }]),
    "(self.operator in ['In', 'NotIn']) == (has(self.values) && size(self.values) > 0)": (node) => {
      expect(node.if).toEqual({ properties: { operator: { enum: ['In', 'NotIn'] } } });
      expect(node.then).toEqual({ required: ['values'], properties: { values: { minItems: 1 } } });
      expect(node.else).toEqual({ properties: { values: { maxItems: 0 } } });
    },
  };
  /** Where the chart fills in what the CRD requires: the release namespace. */
  const DEFAULTED = new Set([
    'credentialsSecretRef.namespace',
    'caBundle.secretKeyRef.namespace',
    'caBundle.configMapKeyRef.namespace',
  ]);
  const checked: string[] = [];

  function compare(crdNode: Node, valuesNode: Node, path: string) {
    const v = resolve(valuesNode);
    checked.push(path);
    // A CEL `self.matches(...)` is the values schema's pattern (checked below).
    const celPattern = (crdNode['x-kubernetes-validations'] ?? []).some((x: Node) =>
      (x.rule as string).startsWith('self.matches('),
    );
    for (const keyword of [
      'type',
      ...(celPattern ? [] : ['pattern']),
      'minLength',
      'maxLength',
      'minimum',
      'maximum',
      'minItems',
      'maxItems',
      'enum',
    ])
      expect(v[keyword], `${path} ${keyword}`).toEqual(crdNode[keyword]);
    expect(v.uniqueItems ?? false, `${path} uniqueItems`).toBe(crdNode['x-kubernetes-list-type'] === 'set');
    for (const validation of crdNode['x-kubernetes-validations'] ?? []) {
      const matches = /^self\.matches\('(.*)'\)$/.exec(validation.rule);
      if (matches) expect(v.pattern, `${path} ${validation.rule}`).toBe(matches[1]!.replaceAll('\\\\', '\\'));
      else {
        expect(Object.keys(CEL), `${path}: translate ${validation.rule} into values.schema.json`).toContain(
          validation.rule,
        );
        CEL[validation.rule]!(v);
      }
    }
    if (crdNode.properties) {
      expect(Object.keys(v.properties ?? {}).sort(), `${path} properties`).toEqual(
        Object.keys(crdNode.properties).sort(),
      );
      expect(v.additionalProperties, `${path} additionalProperties`).toBe(false);
      const required = (crdNode.required ?? []).filter(
        (name: string) => !DEFAULTED.has(path ? `${path}.${name}` : name),
      );
      expect([...(v.required ?? [])].sort(), `${path} required`).toEqual(required.sort());
      for (const [name, child] of Object.entries(crdNode.properties))
        compare(child as Node, v.properties[name], path ? `${path}.${name}` : name);
    }
    if (crdNode.additionalProperties)
      expect(v.additionalProperties, `${path} map`).toEqual(crdNode.additionalProperties);
    if (crdNode.items) compare(crdNode.items, v.items, `${path}[]`);
  }

  it('field by field: types, patterns, bounds, enums, required fields, sets, and every CEL rule', () => {
    const { name, ...spec } = item.properties;
    compare(
      crdSpec,
      { ...item, properties: spec, required: item.required.filter((r: string) => r !== 'name') },
      '',
    );
    expect(checked).toEqual(
      expect.arrayContaining(['url', 'allow[].namespaces.selector.matchExpressions[].operator']),
    );
    expect(checked.length).toBeGreaterThan(30);
    // metadata.name: the API server holds it to a DNS subdomain.
    expect(name).toEqual({
      type: 'string',
      minLength: 1,
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    });
    expect(item.required).toContain('name');
  });
});
