// The rendered Deployment and the objects wired to it: a hardened pod, leader election on,
// probes and ports that match the program's settings, and every environment variable a
// setting the program knows (a misspelt name would be ignored silently at run time).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../../../src/config.ts';
import { parseDuration } from '../../../src/duration.ts';
import {
  type K8sObject,
  OPERATOR_NAMESPACE,
  OVERLAYS,
  only,
  REPO_ROOT,
  render,
  SERVICE_ACCOUNT,
} from './kustomize.ts';

/** Whether each overlay watches ClusterRainbondConsoles (and has the cluster-wide RBAC for it). */
const CLUSTER_CONSOLES: Record<(typeof OVERLAYS)[number], boolean> = {
  'cluster-wide': true,
  'single-namespace': false,
};
const KNOWN_ENV = new Set([...SETTINGS.map((s) => s.env), 'POD_NAMESPACE', 'NODE_OPTIONS']);
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

function operatorContainer(deployment: K8sObject) {
  const containers = deployment.spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}

/** The container's environment as the process sees it: ConfigMap first, `env` wins. */
function environment(objects: K8sObject[], deployment: K8sObject): Map<string, EnvVar> {
  const container = operatorContainer(deployment);
  const env = new Map<string, EnvVar>();
  for (const source of container.envFrom ?? []) {
    const configMap = only(objects, 'ConfigMap', source.configMapRef.name);
    for (const [name, value] of Object.entries(configMap.data ?? {}))
      env.set(name, { name, value: value as string });
  }
  for (const entry of container.env ?? []) env.set(entry.name, entry);
  return env;
}

describe.each(OVERLAYS)('the Deployment of the %s overlay', (overlay) => {
  const objects = render(overlay);
  const deployment = only(objects, 'Deployment', 'appcopy-operator');
  const pod = deployment.spec.template.spec;
  const container = operatorContainer(deployment);
  const env = environment(objects, deployment);

  it('runs two replicas with leader election on, the Lease in its own namespace', () => {
    expect(deployment.metadata.namespace).toBe(OPERATOR_NAMESPACE);
    expect(deployment.spec.replicas).toBe(2);
    expect(env.get('LEADER_ELECT')?.value).toBe('true');
    expect(env.get('POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(env.has('LEADER_ELECTION_NAMESPACE')).toBe(false);
  });

  it('runs as a non-root user with a read-only root file system, no privilege escalation, no capabilities, seccomp RuntimeDefault', () => {
    const sc = container.securityContext;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.privileged).toBe(false);
    expect(sc.capabilities).toEqual({ drop: ['ALL'] });
    expect(sc.runAsNonRoot ?? pod.securityContext.runAsNonRoot).toBe(true);
    expect(sc.seccompProfile ?? pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
  });

  it('sets CPU and memory requests and limits', () => {
    for (const kind of ['requests', 'limits']) {
      expect(Object.keys(container.resources[kind]).sort(), kind).toEqual(['cpu', 'memory']);
    }
  });

  it('probes /healthz for liveness and /readyz for readiness on the port the program serves them on', () => {
    const port = container.ports.find(
      (p: { containerPort: number }) => String(p.containerPort) === env.get('HEALTH_PORT')?.value,
    );
    expect(port, 'a container port equal to HEALTH_PORT').toBeDefined();
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: port.name });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: port.name });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: port.name });
  });

  it('gives in-flight copies their whole shutdown grace period before the kubelet kills the process', () => {
    const graceMs = parseDuration(env.get('SHUTDOWN_GRACE_PERIOD')?.value ?? '');
    expect(graceMs).toBeDefined();
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs! + 5000);
  });

  it('sets only environment variables the program knows', () => {
    for (const name of env.keys()) expect(KNOWN_ENV, name).toContain(name);
  });

  it('is safe on a shared cluster: no default console, and no console of its own until an overlay sets RAINBOND_URL', () => {
    expect(env.get('DEFAULT_CONSOLE')?.value).toBe('none');
    expect(env.has('RAINBOND_URL')).toBe(false);
    const config = loadConfig(
      Object.fromEntries([...env].map(([name, entry]) => [name, entry.value ?? OPERATOR_NAMESPACE])),
      [],
      () => '',
    );
    expect(config.defaultConsole).toEqual({ kind: 'none' });
    expect(config.rainbondUrl).toBeUndefined();
  });

  it(`watches ClusterRainbondConsoles exactly when its RBAC lets it (${CLUSTER_CONSOLES[overlay]})`, () => {
    const setting = env.get('CLUSTER_CONSOLES')?.value;
    if (CLUSTER_CONSOLES[overlay]) expect(setting ?? 'true').toBe('true');
    else expect(setting).toBe('false');
    const clusterRoles = objects.filter(
      (o) => o.kind === 'ClusterRole' && o.metadata.name === SERVICE_ACCOUNT,
    );
    const grantsClusterConsoles = clusterRoles.some((role) =>
      role.rules.some((rule: { resources: string[] }) => rule.resources.includes('clusterrainbondconsoles')),
    );
    expect(grantsClusterConsoles).toBe(CLUSTER_CONSOLES[overlay]);
  });

  it('has no default token unless the default-token component is added', () => {
    expect(env.has('RAINBOND_TOKEN_FILE')).toBe(false);
    expect(env.has('RAINBOND_TOKEN')).toBe(false);
  });

  it('runs the published image of this version under the overlay service account', () => {
    expect(container.image).toBe(`ghcr.io/rainbond/appcopy-operator:${VERSION}`);
    expect(pod.serviceAccountName).toBe(SERVICE_ACCOUNT);
    only(objects, 'ServiceAccount', SERVICE_ACCOUNT);
  });

  it('gives the read-only root file system a writable /tmp', () => {
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount?.name);
    expect(volume?.emptyDir).toBeDefined();
  });

  it('exposes /metrics through a Service and admits ingress only to that port', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    const service = only(objects, 'Service', 'appcopy-operator-metrics');
    expect(podLabels).toMatchObject(service.spec.selector);
    expect(service.spec.ports).toEqual([expect.objectContaining({ name: 'metrics', targetPort: 'http' })]);
    const policy = only(objects, 'NetworkPolicy');
    expect(podLabels).toMatchObject(policy.spec.podSelector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress.flatMap((rule: { ports: unknown[] }) => rule.ports)).toEqual([
      { port: 'http', protocol: 'TCP' },
    ]);
    expect(podLabels).toMatchObject(only(objects, 'PodDisruptionBudget').spec.selector.matchLabels);
  });

  it('includes the CRD and the namespace', () => {
    only(objects, 'CustomResourceDefinition', 'appcopies.openapi.rainbond.io');
    only(objects, 'Namespace', OPERATOR_NAMESPACE);
  });
});

describe('what differs between the overlays', () => {
  it('cluster-wide watches every namespace and enforces the restricted Pod Security Standard on its own', () => {
    const objects = render('cluster-wide');
    const env = environment(objects, only(objects, 'Deployment'));
    expect(env.get('WATCH_NAMESPACES')?.value ?? '').toBe('');
    expect(only(objects, 'Namespace').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
  });

  it('single-namespace watches only the namespace it runs in, and never enforces on or deletes a shared namespace', () => {
    const objects = render('single-namespace');
    const env = environment(objects, only(objects, 'Deployment'));
    expect(env.get('WATCH_NAMESPACES')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    const namespace = only(objects, 'Namespace');
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBeUndefined();
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/warn']).toBe('restricted');
    expect(namespace.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('Delete=false');
    expect(namespace.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune']).toBe('disabled');
  });
});

describe('the optional components', () => {
  it.each(OVERLAYS)(
    'default-token (%s) mounts the Secret read-only where RAINBOND_TOKEN_FILE points',
    (overlay) => {
      const objects = render(overlay, { components: ['default-token'] });
      const deployment = only(objects, 'Deployment');
      const container = operatorContainer(deployment);
      const tokenFile = environment(objects, deployment).get('RAINBOND_TOKEN_FILE')?.value;
      expect(tokenFile).toBe('/var/run/secrets/rainbond/token');
      const mount = container.volumeMounts.find((m: { mountPath: string }) =>
        tokenFile?.startsWith(`${m.mountPath}/`),
      );
      expect(mount?.readOnly).toBe(true);
      const volume = deployment.spec.template.spec.volumes.find(
        (v: { name: string }) => v.name === mount.name,
      );
      expect(volume.secret.secretName).toBe('appcopy-operator-token');
      expect(volume.secret.items).toEqual([
        { key: 'token', path: tokenFile!.slice(mount.mountPath.length + 1) },
      ]);
      // The program refuses to start on a missing token file, so the Secret is not optional.
      expect(volume.secret.optional ?? false).toBe(false);
    },
  );

  it.each(OVERLAYS)(
    'service-monitor (%s) scrapes the metrics Service by its labels and port name',
    (overlay) => {
      const objects = render(overlay, { components: ['service-monitor'] });
      const monitor = only(objects, 'ServiceMonitor');
      const service = only(objects, 'Service', 'appcopy-operator-metrics');
      expect(monitor.metadata.namespace).toBe(service.metadata.namespace);
      expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
      expect(monitor.spec.endpoints).toEqual([
        expect.objectContaining({ port: service.spec.ports[0].name, path: '/metrics' }),
      ]);
    },
  );

  it('moved into another namespace by a user overlay, the components move with everything else', () => {
    const objects = render('single-namespace', {
      namespace: 'team-a',
      components: ['default-token', 'service-monitor'],
    });
    const namespaced = objects.filter((o) => o.metadata.namespace !== undefined);
    expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set(['team-a']));
    expect(only(objects, 'ServiceMonitor').metadata.namespace).toBe('team-a');
  });
});
