// RainbondConsole and ClusterRainbondConsole helpers for integration tests, over the real API
// server. Cluster consoles outlive a test's namespace, so each one made here is deleted when the
// test ends (and named after the test's namespace, so parallel tests never share one).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { onTestFinished } from 'vitest';
import { GROUP, VERSION } from '../../src/api/appcopy.ts';
import {
  CLUSTER_CONSOLE_PLURAL,
  CONSOLE_PLURAL,
  type ConsoleKind,
  type ConsoleObject,
} from '../../src/api/console.ts';
import { eventually } from './eventually.ts';

export interface AllowRuleInput {
  name?: string;
  namespaces?: { names?: string[]; selector?: { matchLabels?: Record<string, string> } };
  sourceTeams: string[];
  targetTeams: string[];
}

export interface ConsoleSpecInput {
  url: string;
  caBundle?: {
    secretKeyRef?: { namespace?: string; name: string; key: string };
    configMapKeyRef?: { namespace?: string; name: string; key: string };
  };
  credentialsSecretRef: { namespace?: string; name: string; key?: string };
  limits?: { copyConcurrency?: number; requestTimeout?: string; copyTimeout?: string };
  allow: AllowRuleInput[];
}

export interface ConsoleHandle {
  kind: ConsoleKind;
  name: string;
  namespace: string | undefined;
  get(): Promise<ConsoleObject | undefined>;
  /** Replaces the spec (a read-modify-write of the stored object). */
  update(change: (spec: ConsoleSpecInput) => ConsoleSpecInput): Promise<void>;
  delete(): Promise<void>;
  /** Polls until its Ready condition has `status` (and, optionally, `reason`). */
  waitReady(status: 'True' | 'False', reason?: string, timeoutMs?: number): Promise<ConsoleObject>;
}

export function consoles(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);

  function handle(kind: ConsoleKind, name: string, namespace: string | undefined): ConsoleHandle {
    const where =
      kind === 'ClusterRainbondConsole'
        ? { group: GROUP, version: VERSION, plural: CLUSTER_CONSOLE_PLURAL, name }
        : { group: GROUP, version: VERSION, plural: CONSOLE_PLURAL, namespace: namespace ?? '', name };
    async function get(): Promise<ConsoleObject | undefined> {
      try {
        return (await (kind === 'ClusterRainbondConsole'
          ? api.getClusterCustomObject(where)
          : api.getNamespacedCustomObject(where as typeof where & { namespace: string }))) as ConsoleObject;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
    }
    return {
      kind,
      name,
      namespace,
      get,
      async update(change) {
        const current = await get();
        if (!current) throw new Error(`${kind} ${name} is gone`);
        const body = { ...current, spec: change(current.spec as ConsoleSpecInput) };
        await (kind === 'ClusterRainbondConsole'
          ? api.replaceClusterCustomObject({ ...where, body })
          : api.replaceNamespacedCustomObject({ ...(where as typeof where & { namespace: string }), body }));
      },
      async delete() {
        try {
          await (kind === 'ClusterRainbondConsole'
            ? api.deleteClusterCustomObject(where)
            : api.deleteNamespacedCustomObject(where as typeof where & { namespace: string }));
        } catch (error) {
          if ((error as { code?: number }).code !== 404) throw error;
        }
      },
      async waitReady(status, reason, timeoutMs = 30_000) {
        let last: ConsoleObject | undefined;
        return eventually(
          async () => {
            last = await get();
            const ready = last?.status?.conditions?.find((c) => c.type === 'Ready');
            return ready?.status === status && (reason === undefined || ready.reason === reason)
              ? last
              : undefined;
          },
          {
            what: () =>
              `${kind} ${name} Ready=${status}; last seen:\n${JSON.stringify(last?.status, null, 2)}`,
            timeoutMs,
            intervalMs: 150,
          },
        );
      },
    };
  }

  return {
    /** A handle on a console made otherwise (by a chart, say); it need not exist yet. */
    existing: (kind: ConsoleKind, name: string, namespace?: string): ConsoleHandle =>
      handle(kind, name, namespace),
    /** Creates a ClusterRainbondConsole, deleted when the test ends. */
    async createCluster(name: string, spec: ConsoleSpecInput): Promise<ConsoleHandle> {
      await api.createClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: CLUSTER_CONSOLE_PLURAL,
        body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'ClusterRainbondConsole', metadata: { name }, spec },
      });
      const made = handle('ClusterRainbondConsole', name, undefined);
      onTestFinished(() => made.delete());
      return made;
    },
    /** Creates a RainbondConsole in `namespace`. */
    async createNamespaced(namespace: string, name: string, spec: ConsoleSpecInput): Promise<ConsoleHandle> {
      await api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: CONSOLE_PLURAL,
        namespace,
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'RainbondConsole',
          metadata: { name, namespace },
          spec,
        },
      });
      return handle('RainbondConsole', name, namespace);
    },
  };
}
