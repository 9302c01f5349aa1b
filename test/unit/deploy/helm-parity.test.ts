import { beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../../src/config.ts';
import { type Manifest, renderChart, type Values } from '../../support/tools/helm-chart.ts';
import { ensureTool, TOOL_BUILD_TIMEOUT_MS } from '../../support/tools/tool-cache.ts';
import { grantsOf as grants, offeredRoles } from './grants.ts';
import { type K8sObject, OPERATOR_NAMESPACE, render } from './kustomize.ts';

beforeAll(async () => {
  await ensureTool('helm');
}, TOOL_BUILD_TIMEOUT_MS);

type AnyObject = Manifest | K8sObject;

function pod(objects: AnyObject[]) {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  if (!deployment) throw new Error('no Deployment');
  return deployment.spec.template.spec;
}

/**
 * The values the operator reads for `names`, with its own defaults filled in (the chart writes
 * every setting, the kustomize base only those it changes).
 */
function consoleSettings(objects: AnyObject[], names: string[]): Record<string, string | undefined> {
  const container = pod(objects).containers[0];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const configMap = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef.name,
    );
    Object.assign(env, configMap?.data);
  }
  for (const entry of container.env ?? []) if (entry.value !== undefined) env[entry.name] = entry.value;
  const defaults = Object.fromEntries(SETTINGS.map((setting) => [setting.env, setting.default]));
  return Object.fromEntries(names.map((name) => [name, env[name] ?? defaults[name]]));
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

  it('configures the consoles the same way: the default console, cluster consoles, no console of its own', () => {
    const settings = ['DEFAULT_CONSOLE', 'CLUSTER_CONSOLES', 'RAINBOND_URL', 'CONSOLE_CHECK_INTERVAL'];
    const [c, k] = [consoleSettings(fromChart, settings), consoleSettings(fromKustomize, settings)];
    expect(c).toEqual(k);
    expect(c.DEFAULT_CONSOLE).toBe('none');
  });

  it('has the same PodDisruptionBudget and NetworkPolicy rules', () => {
    for (const kind of ['PodDisruptionBudget', 'NetworkPolicy'])
      expect(withoutSelectors(specOf(fromChart, kind)), kind).toEqual(
        withoutSelectors(specOf(fromKustomize, kind)),
      );
  });
});
