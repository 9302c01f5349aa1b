// AppCopy helpers for integration tests, over the real API server.
import { CoreV1Api, type CoreV1Event, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { type AppCopy, GROUP, PLURAL, VERSION } from '../../src/api/appcopy.ts';
import { EventuallyTimeoutError, eventually } from './eventually.ts';

export interface AppCopySpecInput {
  source: { teamId: string; regionName: string; appId: number };
  target: { teamName: string; regionName: string; appId: number };
  services?: {
    serviceId: string;
    change?: { buildSource?: { version: string }; envs?: Record<string, string> };
  }[];
  credentialsSecretRef?: { name: string };
  consoleRef?: { kind: 'RainbondConsole' | 'ClusterRainbondConsole'; name: string };
  deletionPolicy?: 'Orphan' | 'Delete';
}

export function appCopies(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const base = { group: GROUP, version: VERSION, plural: PLURAL };

  async function get(namespace: string, name: string): Promise<AppCopy | undefined> {
    try {
      return (await api.getNamespacedCustomObject({ ...base, namespace, name })) as AppCopy;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  return {
    get,
    async create(
      namespace: string,
      name: string,
      spec: AppCopySpecInput,
      annotations?: Record<string, string>,
    ) {
      return (await api.createNamespacedCustomObject({
        ...base,
        namespace,
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'AppCopy',
          metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
          spec,
        },
      })) as AppCopy;
    },
    async delete(namespace: string, name: string) {
      await api.deleteNamespacedCustomObject({ ...base, namespace, name });
    },
    async list(namespace: string): Promise<AppCopy[]> {
      const list = (await api.listNamespacedCustomObject({ ...base, namespace })) as { items: AppCopy[] };
      return list.items;
    },
    /** Polls until `predicate` holds, failing with the last state seen. */
    async waitFor(
      namespace: string,
      name: string,
      predicate: (o: AppCopy) => boolean,
      timeoutMs = 60_000,
    ): Promise<AppCopy> {
      let last: AppCopy | undefined;
      return eventually(
        async () => {
          last = await get(namespace, name);
          return last && predicate(last) ? last : undefined;
        },
        {
          what: () =>
            `AppCopy ${namespace}/${name}; last seen:\n${JSON.stringify(last?.status ?? last, null, 2)}`,
          timeoutMs,
          intervalMs: 150,
        },
      );
    },
    async waitForGone(namespace: string, name: string, timeoutMs = 60_000): Promise<void> {
      let last: AppCopy | undefined;
      await eventually(
        async () => {
          last = await get(namespace, name);
          return last === undefined;
        },
        {
          what: () =>
            `AppCopy ${namespace}/${name} to go; last seen:\n${JSON.stringify(last?.status, null, 2)}`,
          timeoutMs,
          intervalMs: 150,
        },
      );
    },
    async putTokenSecret(namespace: string, name: string, token: string) {
      const body = { metadata: { name, namespace }, stringData: { token } };
      try {
        await core.createNamespacedSecret({ namespace, body });
      } catch (error) {
        if ((error as { code?: number }).code !== 409) throw error;
        await core.replaceNamespacedSecret({ namespace, name, body });
      }
    },
    /**
     * The Events of an AppCopy. The operator records Events without waiting for them, so they
     * may land just after the status that goes with them: with `until`, this polls until the
     * list satisfies it or `timeoutMs` passes, then returns the list either way (the caller's
     * expectation then says what is missing).
     */
    async events(
      namespace: string,
      name: string,
      until: (events: CoreV1Event[]) => boolean = () => true,
      timeoutMs = 10_000,
    ): Promise<CoreV1Event[]> {
      let last: CoreV1Event[] = [];
      try {
        return await eventually(
          async () => {
            const list = await core.listNamespacedEvent({
              namespace,
              fieldSelector: `involvedObject.name=${name}`,
            });
            last = list.items;
            return until(last) ? last : undefined;
          },
          { what: `the Events of AppCopy ${namespace}/${name}`, timeoutMs, intervalMs: 100 },
        );
      } catch (error) {
        if (error instanceof EventuallyTimeoutError) return last;
        throw error;
      }
    },
  };
}

export function condition(o: AppCopy | undefined, type: string) {
  return o?.status?.conditions?.find((c) => c.type === type);
}

export const isPhase = (phase: string) => (o: AppCopy) => o.status?.phase === phase;
