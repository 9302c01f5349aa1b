// The Helm chart as a user meets it, with the real helm (built from the Go module proxy on first
// use, test/support/tools): `helm lint` and `helm template` in each namespace mode, the schema
// refusing wrong values with a message that names them, and every operator setting reachable
// from a value.
import { beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../src/config.ts';
import {
  helmWithValues,
  type Manifest,
  NAMESPACE_MODES,
  renderChart,
  type Values,
} from '../../support/tools/helm-chart.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';

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
      expect(bindings.map((b) => b.metadata.namespace)).toEqual(values.secrets.optInNamespaces);
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

/** A value for every setting the chart exposes (none at its default). */
const EVERY_SETTING: Values = {
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
